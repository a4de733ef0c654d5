# ch07-jacobians.gp -- each step's Jacobian norm over time (chapter 7).
# Loaded by the generated ch07-jacobians.gp after style.gp (dat,
# chart_title); the chapter sets T, nseries and series_name (quoted words).
# Columns of dat: t, then jac_i for series i = 0, 1, ...
set xlabel 'time step t'
set ylabel '‖∂h_t/∂h_{t-1}‖  (largest singular value)'
set xrange [1:T]
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set key outside right top font font_small
plot for [i = 0:nseries-1] dat using 1:(column(2 + i)) with lines lt (i + 1) \
       title word(series_name, i + 1), \
     1 with lines lt 8 dt 3 title 'norm 1'
