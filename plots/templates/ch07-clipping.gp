# ch07-clipping.gp -- lambda_1 = 3, plain SGD with and without clipping
# (chapter 7).  Loaded by the generated ch07-clipping.gp after style.gp
# (dat, chart_title); the chapter sets lr, threshold, steps, lr_low,
# last_tt (the last step where W_hh carries half of ||g||), loss_last (the
# unclipped run's last loss) and whether the unclipped run diverged; if
# it did, its rate growth = |1 - lr lambda_max| per step is drawn from
# step k0, where ||g|| was g0.
# Columns of dat: step loss_noclip grad_noclip grad_hh_noclip lam_noclip
#                 loss_clip grad_clip update_clip share_hh loss_low
# Colours: the tanh RNN's runs, style.gp's c_run_* (not another cell's
# colour); references black (c_ref), dotted or dashed.
c_noclip = c_run_noclip
c_clip = c_run_clip
c_low = c_run_lowlr
stats dat using 3 nooutput name 'G'
stats dat using 7 nooutput name 'GC'
set multiplot layout 2,2 title chart_title font font_title
set xrange [1:steps]
set xtics 0, (steps > 100 ? 50 : 10)
set key font font_small samplen 1.5 spacing 1

# (a) the gradient norms, log scale, a tic every 10 decades
set title '(a) ‖g‖ before clipping' font font_normal
unset xlabel
set ylabel '‖g‖'
set logscale y
set format y '10^{%L}'
gmin = (GC_min < G_min ? GC_min : G_min) / 10
gtop = G_max > 1e30 ? G_max * 1e30 : G_max > 1e3 ? G_max * 1e10 : 1e3
set yrange [gmin:gtop]
ytic0 = G_max > 1e30 ? 1 : 1e-10
ytic_step = G_max > 1e30 ? 1e20 : 10
set ytics ytic0, ytic_step
set mytics 1
set key top left
plot dat using 1:3 with lines lc rgb c_noclip title 'not clipped', \
     (diverged && x >= k0 ? g0 * growth**(x - k0) : NaN) with lines lc rgb c_ref dt (6, 4) lw 1.5 \
       title sprintf('|1 - lr λ_{max}|^k = %.2f^k', growth), \
     dat using 1:7 with lines lc rgb c_clip title 'clipped'

# (b) W_hh's share of ||g||, linear: 0 is drawn at 0
set title '(b) not clipped: W_{hh}''s share of ‖g‖' font font_normal
unset logscale y
set format y '%g%%'
set ytics 0, 25, 100
set mytics 1
set yrange [0:150]
set ylabel 'share'
set key top right
plot dat using 1:(100 * $9) with impulses lc rgb c_noclip lw 2 title sprintf('share, lr %g not clipped', lr), \
     50 with lines lc rgb c_ref dt 3 lw 1.5 title '50%'

# (c) the clipped run's update, linear: capped at lr x threshold
set title sprintf('(c) clipped: ‖update‖ ≤ %g', lr*threshold) font font_normal
set xlabel 'SGD step'
set format y '%g'
set ytics autofreq
set ylabel '‖θ_{after} - θ_{before}‖'
set yrange [0:lr*threshold*1.4]
set key top right horizontal
plot dat using 1:8 with lines lc rgb c_clip title '‖update‖', \
     lr*threshold with lines lc rgb c_ref dt 3 title sprintf('cap lr·%g', threshold)

# (d) the loss of the runs that do not diverge, linear, cut at 1 so that
# the baselines 1/6 and 1/12 stand apart; the key sits at the top right,
# above the runs' late losses (the clipped run's early spikes are at the
# left); the lower lr drawn first and thick, the clipped run thin on top,
# so that the two are told apart where they interleave; the baselines
# drawn over them
set title '(d) batch loss (y cut at 1)' font font_normal
set ylabel 'MSE'
set yrange [0:1]
set ytics 0, 0.2, 1
set key top right vertical font font_small samplen 2 spacing 0.9
plot dat using 1:10 with lines lc rgb c_low lw 3.5 title sprintf('lr %g', lr_low), \
     dat using 1:(diverged ? NaN : $2) with lines lc rgb c_noclip lw 1 title (diverged ? sprintf('lr %g: off scale', lr) : sprintf('lr %g', lr)), \
     dat using 1:6 with lines lc rgb c_clip lw 1.2 title sprintf('lr %g, clipped', lr), \
     1.0/6 with lines lc rgb c_ref dt (2, 3) lw 2 title '1/6: no memory', \
     1.0/12 with lines lc rgb c_ref dt (8, 4) lw 2 title '1/12: second marker'
unset multiplot
