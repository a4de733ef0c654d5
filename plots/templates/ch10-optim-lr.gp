# ch10-optim-lr.gp -- final validation bpc against the learning rate, one
# curve per optimiser (chapter 10, section 2).  Loaded by the generated
# ch10-optim-lr.gp after style.gp (dat, chart_title); the chapter sets:
#   nseed    seeds per point
#   bigram   the bigram's validation bpc (a reference line)
# dat: one block per optimiser (sgd momentum rmsprop adam adagrad), rows
#   lr mean lo hi   (the mean and range over the seeds; -1: diverged)
# The optimisers' colours are chapter 6's (sgd lt 1, momentum lt 3,
# rmsprop lt 5, adam lt 4), Adagrad lt 2.
array opt_lt[5] = [1, 3, 5, 4, 2]
array opt_name[5] = ['SGD', 'momentum', 'RMSprop', 'Adam', 'Adagrad']
set xlabel 'learning rate η (log scale)'
set ylabel sprintf('final validation bpc (mean, range of %d seeds)', nseed)
@log_x
set xrange [5e-4:5]
# from 1 to the highest point (error bars included), so that every
# optimiser's points show whatever the run
set yrange [1:*]
set key outside right top font font_small
ok(v) = v > 0 ? v : NaN
plot for [q = 0:4] dat index q using 1:(ok(column(2))):(ok(column(3))):(ok(column(4))) \
       with yerrorlines lt opt_lt[q + 1] title opt_name[q + 1], \
     bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
