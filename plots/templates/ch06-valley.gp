# ch06-valley.gp -- four optimisers in the valley L = (lam1 x^2 + lam2 y^2)/2
# (chapter 6, section 4a), one start, each at its best rate of the grid.
# Loaded by the generated ch06-valley.gp after style.gp (dat, chart_title);
# the chapter sets:
#   lam1, lam2   the two curvatures
#   steps        the steps run
#   lrs          the four best rates, as words: sgd momentum rmsprop adam
# Columns of dat: k x0 y0 x1 y1 x2 y2 x3 y3 L0 L1 L2 L3
# (optimiser q: 0 sgd, 1 momentum, 2 rmsprop, 3 adam; L_q its loss)
# One colour per optimiser in every chart of chapter 6:
#   sgd lt 1, momentum lt 3, rmsprop lt 5, adam lt 4.
array opt_lt[4] = [1, 3, 5, 4]
array opt_name[4] = ['SGD', 'momentum', 'RMSprop', 'Adam']
set multiplot layout 1,2 title chart_title font font_title
# (a) the paths on the level curves L = 10, 1, 0.1.  The frame shows the
# valley; a path that jumps out of it (RMSprop's first step moves every
# coordinate by 10 eta) is cut at the frame.
set title '(a) paths from one start, on the levels L = 10, 1, 0.1' font font_normal
set xlabel 'x (curvature 1)'
set ylabel 'y (curvature 20)'
set parametric
set trange [0:2*pi]
xr = sqrt(2 * 10 / lam1) * 1.1
yr = sqrt(2 * 10 / lam2) * 1.6
set xrange [-xr:xr]
set yrange [-yr:yr]
set key bottom right font font_small samplen 1.5 spacing 1 opaque
set label 1 'a path that leaves the frame is cut at it' at graph 0.02, graph 0.97 \
    left font font_small tc rgb '#555555'
plot for [i = 0:2] sqrt(2 * 10.0**(1 - i) / lam1) * cos(t), sqrt(2 * 10.0**(1 - i) / lam2) * sin(t) \
       with lines lt 8 lw 1 notitle, \
     for [q = 0:3] dat using (column(2 + 2*q)):(column(3 + 2*q)) \
       with linespoints lt opt_lt[q + 1] pt 7 ps 0.5 lw 1.5 \
       title sprintf('%s, η = %s', opt_name[q + 1], word(lrs, q + 1))
unset parametric
unset label 1
# (b) the loss against the step
set title '(b) loss against the step' font font_normal
set xlabel 'step'
set ylabel 'L'
@log_y
set xrange [0:steps]
set yrange [1e-16:1e3]
set key bottom right font font_small
plot for [q = 0:3] dat using 1:(column(10 + q) > 0 ? column(10 + q) : NaN) \
       with lines lt opt_lt[q + 1] title opt_name[q + 1]
unset multiplot
