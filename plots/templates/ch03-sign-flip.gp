# ch03-sign-flip.gp -- one unit, two input pulses then silence, through the
# article's equations (sigma gates) and its code (tanh gates) (chapter 3).
# Loaded by the generated ch03-sign-flip.gp after style.gp, which sets dat
# and chart_title, and:
#   tmax   the last time step
# Columns of dat: t x h_sigmoid h_tanh (t = 0 is h_0)
set xlabel 'time step t'
set ylabel 'state h_t'
set xrange [-0.3:tmax + 0.3]
set yrange [-0.35:1.25]
set xtics 1
set object 1 rect from 0.5, graph 0 to 2.5, graph 1 fc rgb '#f0e6c8' fs solid noborder behind
set label 1 'input x_t = 1' at 1.5, graph 0.95 center font font_small
set label 2 'input silent: h_t = f h_{t-1}' at (2.5 + tmax) / 2, graph 0.95 center font font_small
set key at graph 0.98, graph 0.80 top right font font_small
plot 0 with lines lt 8 dt 2 lw 1 notitle, \
     dat using 1:3 with linespoints lt 1 title 'σ gates (the equations): f = σ(-1.5) = 0.18', \
     dat using 1:4 with linespoints lt 2 title 'tanh gates (the code): f = tanh(-1.5) = -0.91'
