# ch07-clipping.gp -- lambda_1 = 3, plain SGD with and without clipping
# (chapter 7).  Loaded by the generated ch07-clipping.gp after style.gp
# (dat, chart_title); the chapter sets lr, threshold, steps, and whether
# the unclipped run diverged; if it did, its rate growth = |1 - lr
# lambda_max| per step is drawn from step k0, where ||g|| was g0.
# Columns of dat: step loss_noclip grad_noclip grad_hh_noclip lam_noclip
#                 loss_clip grad_clip update_clip
# the tics of the log panels: every 20 decades when the unclipped run
# diverged, else gnuplot's choice
stats dat using 3 nooutput name 'G'
stats dat using 7 nooutput name 'GC'
stats dat using 2 nooutput name 'LOSS'
stats dat using 6 nooutput name 'LC'
# the log panels: a log axis with room above the curves for the key,
# when the unclipped run diverged; else a linear axis
top(lo, hi) = 10**(log10(hi) + 0.8 * (log10(hi) - log10(lo)))
logpanel(lo, hi) = (hi > 1e30 ? sprintf("set logscale y; set format y '10^{%%L}'; set mytics 1; set ytics autofreq; set yrange [%g:%g]; set offsets 0, 0, 0, 0", lo / 10, top(lo, hi)) \
                              : "unset logscale y; set format y '%g'; set ytics autofreq; set yrange [*:*]; set offsets 0, 0, graph 0.3, 0")
set multiplot layout 2,2 title chart_title font font_title
set xrange [1:steps]
set xtics 0, 50
set key font font_small samplen 1.5 spacing 1

# (a) the gradient norms, log scale: the unclipped run diverges
set title '(a) ‖g‖ before clipping, both runs' font font_normal
unset xlabel
set ylabel '‖g‖'
eval logpanel(GC_min < G_min ? GC_min : G_min, G_max)
set key top left
plot dat using 1:3 with lines lt 2 title 'not clipped', \
     dat using 1:($4 > 0 ? $4 : NaN) with lines lt 2 dt 2 lw 1.5 title '… its W_{hh} part', \
     (diverged && x >= k0 ? g0 * growth**(x - k0) : NaN) with lines lt 7 dt (6, 4) lw 1.5 \
       title sprintf('%.2f^k = |1 - lr λ_{max}|^k', growth), \
     dat using 1:7 with lines lt 1 title 'clipped run'

# (b) the clipped run's update, linear: capped at lr x threshold
set title sprintf('(b) clipped run: ‖update‖ ≤ lr·%g = %g', threshold, lr*threshold) font font_normal
unset logscale y
set format y '%g'
set ytics autofreq
set mytics
set ylabel '‖θ_{after} - θ_{before}‖'
set yrange [0:lr*threshold*1.4]
set offsets 0, 0, 0, 0
set key top right horizontal
plot dat using 1:8 with lines lt 1 title '‖update‖', \
     lr*threshold with lines lt 7 dt 3 title sprintf('cap lr·%g', threshold)

# (c) the loss of both runs, log scale
set title '(c) batch loss, both runs' font font_normal
set xlabel 'SGD step'
set ylabel 'MSE'
eval logpanel(LC_min < LOSS_min ? LC_min : LOSS_min, LOSS_max)
set key top left vertical
plot dat using 1:2 with lines lt 2 title 'not clipped', \
     dat using 1:6 with lines lt 1 title 'clipped', \
     1.0/6 with lines lt 7 dt 3 title 'baseline 1/6'

# (d) the clipped run's loss, linear
set title '(d) clipped run: batch loss' font font_normal
unset logscale y
set format y '%g'
set mytics
set ylabel 'MSE'
set ytics autofreq
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set key top right vertical
plot dat using 1:6 with lines lt 1 title 'clipped', \
     1.0/6 with lines lt 7 dt 3 title 'baseline 1/6'
unset multiplot
