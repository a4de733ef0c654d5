# ch04-grad-norm.gp -- ||dL/dh_t|| over t for two losses (chapter 4).
# Loaded by the generated ch04-grad-norm.gp after style.gp, which sets dat
# and chart_title, and:
#   tmax       the last time step T (t = 0 is the initial state h_0)
#   ylo, yhi   the y range, a margin beyond the data on both sides
#   rate       the fitted factor per step back of the last-step loss
#   ytic       decades between labelled y tics (about five tics)
# Columns of dat: t norm_loss_every_step norm_loss_last_step fit_line
# (fit_line: the least-squares line through log norm_loss_last_step over
# t = 1..T, fitted to every point, not to the ends)
@log_y
set ytics 10**ytic
unset mytics
set xlabel 'time step t   (t = 0: the initial state h_0)'
set ylabel '||∂L/∂h_t||, mean over the batch'
set xrange [0:tmax]
set yrange [ylo:yhi]
set key at graph 0.02, graph 0.87 left top Left reverse font font_normal width -5 spacing 1
plot dat using 1:2 with lines lt 1 title 'loss at every step', \
     dat using 1:3 with lines lt 2 title 'loss at the last step only', \
     dat using 1:4 with lines lt 8 dt 2 lw 1.5 \
       title sprintf('fitted line, t = 1..T: ×%.3f per step', rate)
