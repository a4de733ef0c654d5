# ch10-overfit.gp -- a big GRU on a small slice: training and validation
# bpc against step, without and with decoupled weight decay (chapter 10,
# section 3).  Loaded by the generated ch10-overfit.gp after style.gp (dat,
# chart_title); the chapter sets:
#   H, nseed, steps, bigram
#   best_step   the mean step of the lowest validation bpc without decay
# dat: index 0 validation, index 1 training (each point: the mean of the
# batches since the last point); columns step, then per weight decay
# w = 0, 1, 3: sec mean lo hi.
array wd_lt[3] = [1, 3, 5]
array wd_name[3] = ['no decay', 'decay 1', 'decay 3']
c(w, k) = 2 + 4*w + k
set xlabel 'training step'
set ylabel sprintf('bpc (mean, range of %d seeds)', nseed)
set xrange [0:steps]
set yrange [0:6]
set key outside right top font font_small
set arrow 1 from best_step, graph 0 to best_step, graph 1 nohead lc rgb c_ref2 dt 3 lw 1.5
set label 1 'early stopping' at best_step, graph 0.04 right offset -0.5, 0 font font_small tc rgb '#555555'
plot for [w = 0:2] dat index 0 using 1:(column(c(w, 2))):(column(c(w, 3))) \
       with filledcurves lc wd_lt[w + 1] fs transparent solid 0.18 noborder notitle, \
     for [w = 0:2] dat index 0 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] \
       title sprintf('validation, %s', wd_name[w + 1]), \
     for [w = 0:2] dat index 1 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] dt 2 \
       title sprintf('training, %s', wd_name[w + 1]), \
     bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
