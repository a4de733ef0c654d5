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
# the norm-1 reference first, thin, black and dotted, behind the curves:
# a curve that sits on 1 (the GRU at b_z = 4) covers it and stays
# visible, and the label at the right end says what the dots are.
# Each later series is drawn thinner, on top of the earlier ones, so that
# curves that coincide (the LSTM at b_f = 4 and the seed cell at b_f = 2
# in the first steps) both show: widths from 6.5 down to 2.5.
set label 1 'norm 1' at graph 1.01, first 1 left font font_small tc rgb c_ref
curve_lw(i) = nseries > 1 ? 2.5 + 4.0 * (nseries - 1 - i) / (nseries - 1) : 3
plot 1 with lines lc rgb c_ref dt (2, 4) lw 1.5 title 'norm 1', \
     for [i = 0:nseries-1] dat using 1:(column(2 + i)) with lines \
       lc rgb value(word(series_lc, i + 1)) lw curve_lw(i) title word(series_name, i + 1)
