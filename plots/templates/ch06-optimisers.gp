# ch06-optimisers.gp -- four optimisers on a quadratic in 20 dimensions
# with curvatures 1 .. 100, axis-aligned and rotated (chapter 6, section
# 4b): the loss against the step, geometric mean over the seeds and the band from
# the lowest to the highest seed, each optimiser at its best rate.
# Loaded by the generated ch06-optimisers.gp after style.gp (dat,
# chart_title); the chapter sets:
#   steps, nseed          steps run, seeds
#   lrs_axis, lrs_rotated the best rates, as words: sgd momentum rmsprop adam
#   ymin_loss             the lowest loss drawn (a curve below it leaves the
#                         axis; the chapter's table has its value)
# dat: index 0 axis-aligned, index 1 rotated; columns
#   k mean0 lo0 hi0 mean1 lo1 hi1 mean2 lo2 hi2 mean3 lo3 hi3
# (optimiser q: 0 sgd, 1 momentum, 2 rmsprop, 3 adam)
# One colour per optimiser in every chart of chapter 6:
#   sgd lt 1, momentum lt 3, rmsprop lt 5, adam lt 4.
array opt_lt[4] = [1, 3, 5, 4]
array opt_name[4] = ['SGD', 'momentum', 'RMSprop', 'Adam']
set multiplot layout 1,2 title chart_title font font_title
set xlabel 'step'
set ylabel sprintf('loss L (geometric mean and range, %d seeds)', nseed)
@log_y
set xrange [0:steps]
set yrange [ymin_loss:3]
clamp(v) = v > ymin_loss ? v : ymin_loss
do for [g = 0:1] {
  if (g == 0) {
    set title '(a) axis-aligned: A diagonal' font font_normal
    set key at graph 0.98, graph 0.09 right bottom font font_small samplen 1.5 spacing 1
    lrs = lrs_axis
  } else {
    set title '(b) rotated: A = Q Λ Q^T' font font_normal
    set key inside bottom left font font_small samplen 1.5 spacing 1
    lrs = lrs_rotated
    unset ylabel
  }
  if (g == 0) {
    set label 1 sprintf('a curve below 10^{%d} leaves the axis', int(floor(log10(ymin_loss) + 0.5))) \
        at graph 0.98, graph 0.03 right font font_small tc rgb '#555555' front
  } else {
    unset label 1
  }
  plot for [q = 0:3] dat index g using 1:(clamp(column(3 + 3*q))):(clamp(column(4 + 3*q))) \
         with filledcurves lc opt_lt[q + 1] fs transparent solid 0.18 noborder notitle, \
       for [q = 0:3] dat index g using 1:(column(2 + 3*q) > ymin_loss ? column(2 + 3*q) : NaN) \
         with lines lt opt_lt[q + 1] title sprintf('%s, η = %s', opt_name[q + 1], word(lrs, q + 1))
}
unset multiplot
