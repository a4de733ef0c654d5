# ch09-text.gp -- a few lines of text, each character on a background
# coloured by one unit's activation after reading it, like the figures of
# Karpathy, Johnson and Fei-Fei 2016 (chapter 9; charts ch09-text-*).
# Loaded after style.gp, which sets dat and chart_title; the chapter sets:
#   ncols, nlines     the columns and lines drawn
#   cbmin, cbmax      the colour range: -1..1 for h, 0..1 for z
#   unit_label        the colour bar's label ("h unit 62")
# Columns of dat: col line act byte feature -- byte is the character's
# code (drawn when printable), feature the lexer's value for it.
set termoption noenhanced
set title chart_title font font_small
set style fill solid noborder
unset xtics
unset ytics
unset key
set xrange [-0.5:ncols]
set yrange [nlines:-0.5]
set cblabel unit_label
@heat_signed
set cbrange [cbmin:cbmax]
plot dat using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette, \
     dat using 1:2:($4 > 32 ? sprintf('%c', int($4)) : '') with labels font ',15'
