# ch06-descent.gp -- gradient descent on the readout at three learning rates
# around the threshold 2/lambda_max (chapter 6, section 3).
# Loaded by the generated ch06-descent.gp after style.gp (dat, chart_title);
# the chapter sets:
#   steps      the steps run
#   lmax       lambda_max of the readout's Hessian
#   growth     (eta lambda_max - 1)^2 of the diverging run, per step
#   k0, e0     the step from which the prediction is drawn, and that run's
#              excess loss there
# Columns of dat: step excess_0.5 excess_0.95 excess_1.05
# (excess = L(w_k) - L*, the readout's loss above its least-squares minimum)
set xlabel 'gradient-descent step k'
set ylabel 'excess loss L(w_k) − L^*'
@log_y
set xrange [0:steps]
set yrange [1e-2:*]
set key top left font font_small
plot dat using 1:2 with lines lt 1 title 'η = 0.50 · 2/λ_{max}', \
     dat using 1:3 with lines lt 3 title 'η = 0.95 · 2/λ_{max}', \
     dat using 1:4 with lines lt 2 title 'η = 1.05 · 2/λ_{max}', \
     (x >= k0 ? e0 * growth**(x - k0) : NaN) with lines lt 7 dt (6, 4) lw 1.5 \
       title sprintf('predicted growth (ηλ_{max} − 1)^{2k} = %.2f^k', growth)
