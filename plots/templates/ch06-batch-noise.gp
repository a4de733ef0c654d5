# ch06-batch-noise.gp -- the variance of the batch gradient against the
# batch size B (chapter 6, section 5), at the initialisation and on the
# plateau, log-log, with the 1/B law and the squared mean gradient.
# Loaded by the generated ch06-batch-noise.gp after style.gp (dat,
# chart_title); the chapter sets:
#   G2_init, G2_plateau   ||G||^2, the squared norm of the mean gradient
#   Bmax                  the largest B measured
# Columns of dat: B var_init se_init law_init var_plateau se_plateau law_plateau
# (var = sample variance over K batches, summed over every parameter; se
# its standard error; law = c/B, c fitted with the slope fixed at -1)
set xlabel 'batch size B (sequences)'
set ylabel 'E‖g_B − G‖^2 (summed over all parameters)'
@log_x
@log_y
set format x '%g'
set xrange [0.7:Bmax * 1.4]
if (G2_init > 0) { set yrange [2e-4:G2_init * 4] }
set key bottom left font font_small samplen 2 spacing 1.1
set xtics (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
set mxtics 1
plot dat using 1:2:3 with yerrorbars lt 1 pt 7 title 'at initialisation (± SE)', \
     dat using 1:4 with lines lt 1 dt 2 title '  its 1/B law', \
     dat using 1:5:6 with yerrorbars lt 2 pt 5 title 'on the plateau (± SE)', \
     dat using 1:7 with lines lt 2 dt 2 title '  its 1/B law', \
     (G2_init > 0 ? G2_init : NaN) with lines lt 1 dt 3 lw 1.5 title '‖G‖^2, the signal, at initialisation', \
     (G2_plateau > 0 ? G2_plateau : NaN) with lines lt 2 dt 3 lw 1.5 title '‖G‖^2, the signal, on the plateau'
