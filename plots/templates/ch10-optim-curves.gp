# ch10-optim-curves.gp -- validation bpc of five optimisers, each at its
# best learning rate, against the step and against the measured seconds
# (chapter 10, section 2).  Loaded by the generated ch10-optim-curves.gp
# after style.gp (dat, chart_title); the chapter sets:
#   lrs      the best rates, as words: sgd momentum rmsprop adam adagrad
#   nseed, steps, bigram
# dat columns: step, then per optimiser q: sec mean lo hi (the seeds' mean
# seconds at that point; the mean and range of their validation bpc).
# chapter 6's optimiser colours (sgd lt 1, momentum 3, rmsprop 5, adam 4);
# Adagrad's vermillion is near RMSprop's orange, so it is also dashed
array opt_lt[5] = [1, 3, 5, 4, 2]
array opt_dt[5] = [1, 1, 1, 1, 2]
array opt_name[5] = ['SGD', 'momentum', 'RMSprop', 'Adam', 'Adagrad']
c(q, k) = 2 + 4*q + k
set multiplot layout 1,2 title chart_title font font_title
unset title
set ylabel sprintf('validation bpc (mean, range of %d seeds)', nseed)
set yrange [1:9]
set key inside right top font font_small samplen 1.5
do for [panel = 0:1] {
  if (panel == 0) {
    set key inside right top font font_small samplen 3
    set xlabel 'training step'
    set xrange [0:steps]
    set title '(a) against step' font font_normal
    plot for [q = 0:4] dat using 1:(column(c(q, 2))):(column(c(q, 3))) \
           with filledcurves lc opt_lt[q + 1] fs transparent solid 0.18 noborder notitle, \
         for [q = 0:4] dat using 1:(column(c(q, 1))) with lines lt opt_lt[q + 1] \
           dt opt_dt[q + 1] title sprintf('%s, η = %s', opt_name[q + 1], word(lrs, q + 1)), \
         bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
  } else {
    # wall-clock while the runs shared the cores: the order here is the
    # machine's load, not the optimisers' cost (all do the same work)
    unset key
    set xlabel 'wall-clock seconds (cores shared)'
    set xrange [0:*]
    set title '(b) against wall-clock under load' font font_normal
    unset ylabel
    plot for [q = 0:4] dat using (column(c(q, 0))):(column(c(q, 1))) with lines lt opt_lt[q + 1] \
           dt opt_dt[q + 1] notitle, \
         bigram with lines lc rgb c_ref2 dt 2 lw 1.5 notitle
  }
}
unset multiplot
