# ch10-overfit.gp -- a big GRU on a small slice: training and validation
# bpc against step, with no remedy, with decoupled weight decay (1 and 3)
# and with dropout (standard and variational, p = 0.3) (chapter 10,
# section 3).  Loaded by the generated ch10-overfit.gp after style.gp (dat,
# chart_title); the chapter sets:
#   H, nseed, steps, bigram
#   best_step   the mean step of the lowest validation bpc with no remedy
# dat: index 0 validation, index 1 training (each point: the mean of the
# batch losses since the last point, under dropout where it is on);
# columns step, then per remedy w = 0..4: sec mean lo hi.
array wd_lt[5] = [1, 3, 5, 4, 2]
array wd_name[5] = ['no remedy', 'weight decay 1', 'weight decay 3', 'dropout 0.3', 'variational 0.3']
c(w, k) = 2 + 4*w + k
set xlabel 'training step'
set ylabel sprintf('bpc (mean, range of %d seeds)', nseed)
set xrange [0:steps]
set yrange [0:8]
set key inside right top font font_small
set arrow 1 from best_step, graph 0 to best_step, graph 1 nohead lc rgb c_ref2 dt 3 lw 1.5
set label 1 'early stopping' at best_step, graph 0.04 right offset -0.5, 0 font font_small tc rgb '#555555'
plot for [w = 0:4] dat index 0 using 1:(column(c(w, 2))):(column(c(w, 3))) \
       with filledcurves lc wd_lt[w + 1] fs transparent solid 0.18 noborder notitle, \
     for [w = 0:4] dat index 0 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] \
       title sprintf('validation, %s', wd_name[w + 1]), \
     for [w = 0:4] dat index 1 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] dt 2 lw 1.5 \
       notitle, \
     NaN with lines lc rgb '#555555' dt 2 lw 1.5 title 'training (dashed)', \
     bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
