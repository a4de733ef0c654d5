# ch07-jacobians.gp -- each step's Jacobian norm over time (chapter 7).
# Loaded by the generated ch07-jacobians.gp after style.gp (dat,
# chart_title); the chapter sets T, nseries, series_name (quoted words)
# and series_lc (style.gp's colour names: each configuration has the
# colour it has in the lag charts).
# Columns of dat: t, then jac_i for series i = 0, 1, ...
set xlabel 'time step t'
set ylabel '‖J_t‖  (largest singular value)'
set xrange [1:T]
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set key outside right top font font_small
# the norm-1 line last, dashed light grey with a label, so that it shows
# on top of a (dark) curve that sits near 1
set label 1 'norm 1' at graph 1.01, first 1 left font font_small tc rgb '#555555'
plot for [i = 0:nseries-1] dat using 1:(column(2 + i)) with lines \
       lc rgb value(word(series_lc, i + 1)) lw 3 title word(series_name, i + 1), \
     1 with lines lc rgb '#bbbbbb' dt (6, 4) lw 1.5 title 'norm 1'
