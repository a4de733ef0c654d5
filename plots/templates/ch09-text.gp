# ch09-text.gp -- a few lines of text drawn twice: on top, each character
# on a background coloured by one unit's activation after reading it
# (like the figures of Karpathy, Johnson and Fei-Fei 2016); below, the
# same characters on the lexer's feature, so that the two can be compared
# (chapter 9; charts ch09-text-*).
# Loaded after style.gp, which sets dat and chart_title; the chapter sets:
#   ncols, nlines     the columns and lines drawn
#   is_z              1: the unit is an update gate z; 0: an h unit
#   unit_label        the top panel's label ("h unit 62")
#   feature_label     the bottom panel's label ("inside a /* */ comment")
#   fmax              the feature's largest value in the drawn bytes (>= 1)
#   amin, amax        the unit's smallest and largest value in the drawn
#                     bytes: the top panel's colour range
# Columns of dat: col line act byte feature -- byte is the character's
# code (drawn when printable), feature the lexer's value for it.
set termoption noenhanced
set multiplot layout 2,1 title chart_title font font_title
set style fill solid noborder
unset xtics
unset ytics
unset key
set xrange [-0.5:ncols]
set yrange [nlines:-0.5]
set lmargin 2
set rmargin 16
set title unit_label font font_normal
# the unit's colours span this snippet's range [amin, amax] (viridis), so
# that a small difference inside the snippet shows; the colour bar gives
# the values
@heat_unit
set cbrange [amin:amax]
set cbtics autofreq
set format cb '%.2f'
set cblabel (is_z ? 'z' : 'h')
# white characters on the palette's dark end, black elsewhere
txtc(a) = (a - amin) / (amax - amin) < 0.45 ? 0xffffff : 0
plot dat using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette, \
     dat using 1:2:($4 > 32 ? sprintf('%c', int($4)) : ''):(txtc($3)) with labels tc rgb variable font ',13'
set title 'the feature: '.feature_label font font_normal
set palette defined (0 '#ffffff', 1 '#8c8c8c')
set cbrange [0:fmax]
set format cb '%g'
if (fmax <= 1) {
  set cbtics ('no' 0, 'yes' 1)
} else {
  set cbtics autofreq
}
set cblabel ''
plot dat using 1:2:(0.5):(0.5):5 with boxxyerror fillcolor palette, \
     dat using 1:2:($4 > 32 ? sprintf('%c', int($4)) : '') with labels font ',13'
unset multiplot
