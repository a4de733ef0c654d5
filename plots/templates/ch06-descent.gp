# ch06-descent.gp -- gradient descent on the readout at three learning rates
# around the threshold 2/lambda_max (chapter 6, section 4).
# Loaded by the generated ch06-descent.gp after style.gp (dat, chart_title);
# the chapter sets:
#   steps      the steps run
#   lmax       lambda_max of the readout's Hessian
#   growth     (eta lambda_max - 1)^2 of the diverging run, per step
#   k0, e0     the step from which the prediction is drawn, and that run's
#              excess loss there
# Columns of dat: step excess_0.5 excess_0.95 excess_1.05
# (excess = L(w_k) - L*, the readout's loss above its least-squares minimum)
# Two panels: (a) all three runs on the range of the diverging one, the
# prediction (fitted at step k0, drawn back to step 10) as open circles
# every 10 steps so that the line under them shows; (b) the two runs below the threshold on their own range, where
# the fast fall and the stall (the flat directions) can be seen.
set multiplot layout 1,2 title chart_title font font_title
set title '(a) above the threshold: the loss grows' font font_normal
set xlabel 'gradient-descent step k'
set ylabel 'excess loss L(w_k) − L^*'
@log_y
set xrange [0:steps]
set yrange [1e-2:*]
set key at graph 0.98, graph 0.08 right bottom font font_small samplen 2 title 'η ='
plot dat using 1:2 with lines lt 1 title '0.50 · 2/λ_{max}', \
     dat using 1:3 with lines lt 3 title '0.95 · 2/λ_{max}', \
     dat using 1:4 with lines lt 2 lw 2 title '1.05 · 2/λ_{max}', \
     dat using 1:(($1 >= 10 && int($1) % 10 == 0) ? e0 * growth**($1 - k0) : NaN) \
       with points lc rgb c_ref pt 6 ps 1.2 \
       title sprintf('predicted %.2f^k', growth)
set title '(b) below the threshold: fast, then a stall' font font_normal
stats dat using 3 nooutput name 'D'
set yrange [D_min / 1.5:D_max * 1.5]
set format y '%g'
set key default
set key inside top right font font_small notitle
plot dat using 1:2 with lines lt 1 lw 2 title 'η = 0.50 · 2/λ_{max}', \
     dat using 1:3 with lines lt 3 lw 2 dt 2 title 'η = 0.95 · 2/λ_{max}'
unset multiplot
