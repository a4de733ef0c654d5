# ch09-gates.gp -- the update gate z of every unit over a stretch of text,
# units x characters (chapter 9).  Loaded after style.gp, which sets dat
# and chart_title; the chapter sets:
#   codes             the stretch's bytes as decimal codes, one word each
# dat is one matrix block: row = unit, column = byte of the stretch.
set title chart_title font font_title
@heat_unit
@heat_axes
# each byte as its tick label; space, newline and tab as visible signs
lab(c) = c == 10 ? '↵' : c == 32 ? '␣' : c == 9 ? '→' : \
         (c > 32 && c < 127) ? sprintf('%c', c) : '?'
# the bytes as large as the axes' numbers allow: one column is narrow
font_bytes = sprintf(',%d', grl_fs - 2)
set xtics noenhanced font font_bytes scale 0 ()
do for [k = 1:words(codes)] {
  set xtics add (lab(int(word(codes, k))) k - 1)
}
set xlabel 'the text, one byte per column'
set ylabel 'unit of z'
set cblabel 'z (fraction of h_{t-1} kept)'
plot dat index 0 matrix with @heat_image notitle
