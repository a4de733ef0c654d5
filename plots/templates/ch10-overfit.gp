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
# weight decay 3 is black (lt 7): the orange of lt 5 was too near the
# vermillion of variational dropout (lt 2)
array wd_lt[5] = [1, 3, 7, 4, 2]
array wd_name[5] = ['no remedy', 'weight decay 1', 'weight decay 3', 'dropout 0.3', 'variational 0.3']
c(w, k) = 2 + 4*w + k
set multiplot layout 1,2 title chart_title font font_title
unset title
set xlabel 'training step'
set xrange [0:steps]
# the early-stopping marker only where the no-remedy curve's lowest point
# comes before the last step (else there is no early stop to mark)
early = best_step < steps
if (early) {
  set arrow 1 from best_step, graph 0 to best_step, graph 1 nohead lc rgb c_ref2 dt 3 lw 1.5
}
# (a) training bpc (the batches' mean since the last point, under dropout
# where it is on: the dropout runs' training bpc is measured with their
# masks on, so it reads higher than their model's, and the key says so),
# from 0 to the start.  The key goes where the curves are not: top right
# when some curve falls below the middle of the range (a long run), else
# bottom left (a short run, whose curves stay high)
set title '(a) training bpc' font font_normal
set ylabel sprintf('bpc (mean, range of %d seeds)', nseed)
set yrange [0:*]
tlo = 1e9
thi = -1e9
do for [w = 0:4] {
  stats dat index 1 using (column(c(w, 1))) nooutput
  tlo = STATS_min < tlo ? STATS_min : tlo
  thi = STATS_max > thi ? STATS_max : thi
}
if (tlo < thi / 2) {
  # room above the curves' start for the key
  set yrange [0:ceil(1.4 * thi)]
  set key inside right top Left reverse font font_small samplen 1.5
} else {
  set key inside left bottom Left reverse font font_small samplen 1.5
}
plot for [w = 0:4] dat index 1 using 1:(column(c(w, 2))):(column(c(w, 3))) \
       with filledcurves lc wd_lt[w + 1] fs transparent solid 0.18 noborder notitle, \
     for [w = 0:4] dat index 1 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] \
       title wd_name[w + 1].(w >= 3 ? ' (masks on)' : ''), \
     bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
# (b) validation bpc, its range from the data after the first points, so
# the remedies' differences show
set title '(b) validation bpc' font font_normal
unset ylabel
unset key
# (skip the first two points, where every curve is still near log2 V;
# a short run with few points keeps them all, so its curves show whole)
# (stats honours the y range: panel (a)'s must not filter these)
set autoscale y
stats dat index 0 using 1 nooutput
skip = STATS_records > 5 ? 2 : 0
stats dat index 0 every ::skip using (column(c(0, 1))) nooutput
vlo = STATS_min
vhi = STATS_max
do for [w = 1:4] {
  stats dat index 0 every ::skip using (column(c(w, 1))) nooutput
  vlo = STATS_min < vlo ? STATS_min : vlo
  vhi = STATS_max > vhi ? STATS_max : vhi
}
set yrange [vlo - 0.1 * (vhi - vlo) : vhi + 0.1 * (vhi - vlo)]
if (early) {
  set label 1 'early stopping' at best_step, graph 0.04 right offset -0.5, 0 font font_small tc rgb '#555555'
}
plot for [w = 0:4] dat index 0 using 1:(column(c(w, 2))):(column(c(w, 3))) \
       with filledcurves lc wd_lt[w + 1] fs transparent solid 0.18 noborder notitle, \
     for [w = 0:4] dat index 0 using 1:(column(c(w, 1))) with lines lt wd_lt[w + 1] notitle
unset multiplot
