# ch08-learning-curves.gp -- the adding problem's learning curves (chapter 8).
# Loaded by the generated ch08-learning-curves.gp after style.gp, which
# sets dat and chart_title; the chapter sets:
#   npanel, panel_T   the lengths T, one panel each ("50 100")
#   nconfig, config_name  the configurations, quoted words ("'rnn' 'gru'")
#   last_step, batch  the steps plotted, sequences per batch
#   smooth            the smoothing window (batch losses averaged)
#   first_loss, mean_step  the mean first-batch loss, and the step by which
#                     every run's smoothed loss was below 0.2
# Columns of dat: step, then for series i = 0, 1, ... (panel p, config c:
# i = p*nconfig + c) mean_i lo_i hi_i: the mean, lowest and highest
# smoothed loss over the seeds.
set multiplot layout 1,npanel title chart_title font font_title
unset title
set xlabel sprintf('training step (batches of %d), log scale', batch)
@log_x
set ylabel sprintf('training MSE, mean of the last %d batches', smooth)
@log_y
set xrange [1:last_step]
set yrange [5e-4:30]
set key inside left bottom font font_small
col(i, k) = 2 + 3*i + k
do for [p = 0:npanel-1] {
  if (p > 0) { unset ylabel }
  set title sprintf('T = %s', word(panel_T, p + 1)) font font_normal
  unset label
  unset arrow
  if (p == 0) {
    set label 1 sprintf("%.2f → 1/6 by step %d:\nlearning the mean (answer 1),\nnot the task", first_loss, mean_step) \
        at graph 0.03, graph 0.95 left font font_small front
    set arrow 1 from graph 0.3, graph 0.84 to first mean_step, first 0.22 lw 1.5 lc rgb '#404040' front
  }
  plot for [c = 0:nconfig-1] dat using 1:(column(col(p*nconfig + c, 1))):(column(col(p*nconfig + c, 2))) \
         with filledcurves lc (c + 1) fs transparent solid 0.18 noborder notitle, \
       for [c = 0:nconfig-1] dat using 1:(column(col(p*nconfig + c, 0))) \
         with lines lt (c + 1) title word(config_name, c + 1), \
       1.0/6 with lines lt 7 dt 3 title 'baseline 1/6', \
       1.0/60 with lines lt 8 dt 3 title 'baseline/10'
}
unset multiplot
