# ch08-learning-curves.gp -- the adding problem's learning curves (chapter 8).
# Loaded by the generated ch08-learning-curves.gp after style.gp, which
# sets dat and chart_title; the chapter sets:
#   T, nseed          the sequence length and the seeds per configuration
#   nconfig, config_name  the configurations, quoted words ("'rnn' 'gru'")
#   config_lc         their colours, style.gp's names ("c_rnn c_gru ...")
#   config_dt         their dash types (1 solid, 2 dashed, 4 dash-dot)
#   config_panel      the panels each is drawn in: 'a', 'b' or 'ab'
#   config_factor     the factor by which its loss fell per 1000 steps at
#                     the end (mean over the seeds of a fit), < 1 = falling;
#                     '-' when the run was too short to fit
#   config_flat       1 when some seed's fit is not falling (its slope not
#                     2 standard errors below 0), else 0: the key says so
#   npanel            1, or 2: (a) the cells, (b) the LSTM's variants
#   last_step, batch  the steps plotted, sequences per batch
#   fit_from          the first step of the fit behind config_factor (a
#                     run that learned late is fitted from 200 steps
#                     after it went below 1/12)
#   smooth            the smoothing window (batch losses averaged)
#   first_loss, mean_step  the mean first-batch loss, and the step by which
#                     every run's smoothed loss was below 0.2
# Columns of dat: step, then for configuration i = 0, 1, ...
# mean_i lo_i hi_i: the mean, lowest and highest smoothed loss over the
# seeds.  The x axis is linear: the task is learned late, and the early
# fall to 1/6 is named by a label rather than given half the width.
# Each band is a light fill with its edges drawn thin in the
# configuration's colour and dash, so that overlapping bands stay apart.
if (npanel > 1) {
  set multiplot layout 1,2 title chart_title font font_title
} else {
  set multiplot layout 1,1 title chart_title font font_title
}
unset title
set xlabel sprintf('training step (batches of %d)', batch)
set ylabel sprintf('training MSE, mean of the last %d batches', smooth)
@log_y
set xrange [0:last_step]
set xtics last_step >= 2000 ? 1000 : (last_step >= 400 ? 200 : 0.2*last_step)
set mxtics 2
set yrange [5e-4:6]
set key inside right top font font_small samplen 3 spacing 1.0 width -1
col(i, k) = 2 + 3*i + k
lc_of(c) = value(word(config_lc, c + 1))
dt_of(c) = word(config_dt, c + 1) + 0
in_panel(c, p) = strstrt(word(config_panel, c + 1), p == 0 ? 'a' : 'b') > 0
panel_name(p) = npanel == 1 ? sprintf('T = %d, %d seeds', T, nseed) \
  : (p == 0 ? sprintf('(a) the cells, T = %d, %d seeds', T, nseed) \
            : sprintf('(b) the LSTM three ways, T = %d, %d seeds', T, nseed))
flat_of(c) = word(config_flat, c + 1) + 0
key_of(c) = word(config_factor, c + 1) eq '-' ? word(config_name, c + 1) \
  : sprintf('%s  ×%.2f%s', word(config_name, c + 1), word(config_factor, c + 1) + 0, \
            flat_of(c) ? ' (flat)' : '')
do for [p = 0:npanel-1] {
  if (p > 0) { unset ylabel }
  set title panel_name(p) font font_normal
  unset label
  unset arrow
  # the fit's window (from fit_from, or 200 steps after a late onset) is
  # in the chapter's text; the key says what F is
  set key title "×F: loss factor per 1000\nsteps at the end (< 1: falling)" font font_small
  # the levels: named in full in (a), by value in (b), where the LSTM
  # curves cross 1/12 from step 1000 on
  if (p == 0) {
    set label 11 'no memory: 1/6' at graph 0.04, first 1.0/6*0.8 left font font_small front
    set label 12 'second marker only: 1/12' at graph 0.04, first 1.0/12*0.8 left font font_small front
    set label 13 'solved: 1/60' at graph 0.04, first 1.0/60*0.8 left font font_small front
    set label 1 sprintf("%.2f at step 1 → 1/6 by step %d:\nthe mean, not the task", first_loss, mean_step) \
        at graph 0.03, graph 0.08 left font font_small front
  } else {
    set label 11 '1/6' at graph 0.02, first 1.0/6*0.8 left font font_small front
    set label 12 '1/12' at graph 0.02, first 1.0/12*0.8 left font font_small front
    set label 13 '1/60' at graph 0.02, first 1.0/60*0.8 left font font_small front
  }
  plot for [c = 0:nconfig-1] dat using 1:(in_panel(c, p) ? column(col(c, 1)) : NaN):(column(col(c, 2))) \
         with filledcurves lc rgb lc_of(c) fs transparent solid 0.10 noborder notitle, \
       for [c = 0:nconfig-1] dat using 1:(in_panel(c, p) ? column(col(c, 1)) : NaN) \
         with lines lc rgb lc_of(c) dt dt_of(c) lw 0.8 notitle, \
       for [c = 0:nconfig-1] dat using 1:(in_panel(c, p) ? column(col(c, 2)) : NaN) \
         with lines lc rgb lc_of(c) dt dt_of(c) lw 0.8 notitle, \
       for [c = 0:nconfig-1] dat using 1:(in_panel(c, p) ? column(col(c, 0)) : NaN) \
         with lines lc rgb lc_of(c) dt dt_of(c) lw 3 title (in_panel(c, p) ? key_of(c) : ''), \
       1.0/6 with lines lc rgb c_ref dt 3 lw 1.5 notitle, \
       1.0/12 with lines lc rgb c_ref dt 2 lw 1.5 notitle, \
       1.0/60 with lines lc rgb c_ref2 dt 3 lw 1.5 notitle
}
unset multiplot
