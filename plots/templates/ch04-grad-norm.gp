# ch04-grad-norm.gp -- ||dL/dh_t|| over t for two losses (chapter 4).
# Loaded by the generated ch04-grad-norm.gp after style.gp, which sets dat
# and chart_title, and:
#   tmax   the last time step
# Columns of dat: t norm_loss_every_step norm_loss_last_step
@log_y
set xlabel 'time step t'
set ylabel '||∂L/∂h_t||, mean over the batch'
set xrange [0:tmax]
set key bottom right
plot dat using 1:2 with lines lt 1 title 'loss at every step: Σ_t g_t·h_t + w·h_T', \
     dat using 1:3 with lines lt 2 title 'loss at the last step only: w·h_T'
