# ch06-batch-noise.gp -- the variance of the batch gradient against the
# batch size B (chapter 6, section 6), at the initialisation and on the
# plateau, log-log, with the 1/B law and the squared mean gradient.
# Loaded by the generated ch06-batch-noise.gp after style.gp (dat,
# chart_title); the chapter sets:
#   G2_init, G2_plateau   ||G||^2, the squared norm of the mean gradient
#   Bmax                  the largest B measured
#   c_init, c_plateau     tr Sigma of each point (its 1/B law is c/B)
#   Bbatch                the training batch (50), marked
#   bn_plateau            B_noise on the plateau of every seed (text list)
# The laws are drawn on past where they cross the signal
# (B_noise), which is marked with a cross; the data are the first seed's.
# Columns of dat: B var_init se_init law_init var_plateau se_plateau law_plateau
# (var = sample variance over K batches, summed over every parameter; se
# its standard error; law = c/B, c fitted with the slope fixed at -1)
set xlabel 'batch size B (sequences)'
set ylabel 'E‖g_B − G‖^2 (summed over all parameters)'
@log_x
@log_y
set format x '%g'
Bn0 = (G2_plateau > 0 ? c_plateau / G2_plateau : Bmax)
Bplot = 2 ** ceil(log(Bn0 > Bmax ? Bn0 : Bmax) / log(2) + 0.5)
set xrange [0.7:Bplot * 1.4]
stats dat using 5 nooutput name 'VP'
ylo = (G2_plateau > 0 ? G2_plateau : VP_min) / 4
if (G2_init > 0) { set yrange [ylo:G2_init * 4] }
set key at graph 0.99, graph 0.9 right top font font_small samplen 2 spacing 1.05
set xtics 1, 4
set format x '%g'
set mxtics 1
set arrow from Bbatch, graph 0 to Bbatch, graph 1 nohead lc rgb c_ref2 dt 3
set label sprintf('B = %d, the training batch', Bbatch) at Bbatch * 1.1, graph 0.97 left font font_small tc rgb c_ref2
set samples 200
plot dat using 1:2:3 with yerrorbars lt 1 pt 7 title 'at init (± SE)', \
     (x >= 1 ? c_init / x : NaN) with lines lt 1 dt 2 title '  its 1/B law', \
     dat using 1:5:6 with yerrorbars lt 2 pt 5 title 'on the plateau (± SE)', \
     (x >= 1 ? c_plateau / x : NaN) with lines lt 2 dt 2 title '  its 1/B law', \
     (G2_init > 0 ? G2_init : NaN) with lines lt 1 dt 3 lw 1.5 title '‖G‖^2 (signal), init', \
     (G2_plateau > 0 ? G2_plateau : NaN) with lines lt 2 dt 3 lw 1.5 title '‖G‖^2 (signal), plateau', \
     '+' using (G2_plateau > 0 ? c_plateau / G2_plateau : NaN):(G2_plateau) every ::0::0 \
       with points lt 2 pt 2 ps 2.5 lw 2 title sprintf('B_{noise}, plateau, seed %d', seed0)
