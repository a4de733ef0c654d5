# ch08-lag-trained.gp -- the gradient against lag before and after training
# (chapter 8).  Loaded by the generated ch08-lag-trained.gp after
# style.gp (dat, chart_title); the chapter sets T, seed (the one seed
# drawn), nconfig, config_name (quoted words, one per configuration),
# config_lc (their colours, style.gp's names) and config_dt (dash types).
# Columns of dat: lag, then init_i trained_i for configuration i = 0, 1, ...
# The state s is h for the RNN and the GRU, and the pair (h, c) for the
# LSTM: the y label says both.  Trained: thick, in the configuration's
# dash; at init: thin, dotted (dash-dotted for a dashed one), same colour.
set xlabel sprintf('lag k (steps back from the loss at step T = %d)', T)
set ylabel "‖∂L/∂s_{T-k}‖, s = h or (h, c) for the LSTM   (‖∂L/∂s_T‖ = 1)" font font_small
@log_y
set mytics 1
set xrange [0:T-1]
set key outside right top font font_small samplen 2.5
lc_of(c) = value(word(config_lc, c + 1))
dt_of(c) = word(config_dt, c + 1) + 0
plot for [c = 0:nconfig-1] dat using 1:(column(3 + 2*c)) with lines \
       lc rgb lc_of(c) dt dt_of(c) lw 3 title word(config_name, c + 1).', trained', \
     for [c = 0:nconfig-1] dat using 1:(column(2 + 2*c)) with lines \
       lc rgb lc_of(c) dt 3 + (dt_of(c) != 1) lw 1.5 title word(config_name, c + 1).', at init'
