# ch08-lag-trained.gp -- the gradient against lag before and after training
# (chapter 8).  Loaded by the generated ch08-lag-trained.gp after
# style.gp (dat, chart_title); the chapter sets T, nconfig and
# config_name (quoted words, one per configuration).
# Columns of dat: lag, then init_i trained_i for configuration i = 0, 1, ...
set xlabel sprintf('lag k (steps back from the loss at step T = %d)', T)
set ylabel '‖∂L/∂h_{T-k}‖   (‖∂L/∂h_T‖ = 1)'
@log_y
set mytics 1
set xrange [0:T-1]
set key outside right top font font_small
plot for [c = 0:nconfig-1] dat using 1:(column(3 + 2*c)) with lines lt (c + 1) \
       title word(config_name, c + 1).', trained', \
     for [c = 0:nconfig-1] dat using 1:(column(2 + 2*c)) with lines lt (c + 1) dt 2 lw 1.5 \
       title word(config_name, c + 1).', at init'
