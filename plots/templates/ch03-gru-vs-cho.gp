# ch03-gru-vs-cho.gp -- the same parameters through PyTorch's GRU and
# Cho et al.'s (chapter 3).  Loaded by the generated ch03-gru-vs-cho.gp
# after style.gp, which sets dat and chart_title, and:
#   tmax          the last time step
#   hlo, hhi      the y range of the unit-0 panel
#   units         the number of hidden units
#   dmax          the top of the difference panel
# Columns of dat: t h_gru_unit0 h_cho_unit0 rms_diff rms_h_gru
# Colours: the book's c_gru and c_gru_cho (style.gp); the difference
# black, the state it is measured against grey.
unset title
set multiplot title chart_title font font_title
set lmargin at screen 0.13
set rmargin at screen 0.97
set xrange [1:tmax]
set origin 0, 0.50
set size 1, 0.42
set tmargin 0.5
set bmargin 0.5
set format x ''
set ylabel 'h_t, unit 0'
set yrange [hlo:hhi]
set key top left horizontal
plot dat using 1:2 with lines lw 2.5 lc rgb c_gru title 'gru (PyTorch, reset-after)', \
     dat using 1:3 with lines lw 2.5 lc rgb c_gru_cho dt 2 title 'gru-cho (Cho et al., reset-before)'
set origin 0, 0
set size 1, 0.50
set tmargin 0.5
set bmargin 3.5
set format x '%g'
set xlabel 'time step t'
set ylabel sprintf('rms over the %d units', units)
set yrange [0:dmax]
set key top left horizontal
plot dat using 1:4 with lines lw 2.5 lc rgb c_ref title 'rms_j (h_{gru} - h_{cho}): the difference', \
     dat using 1:5 with lines lw 2.5 lc rgb c_ref2 title 'rms_j h_{gru}: the state, for scale'
unset multiplot
