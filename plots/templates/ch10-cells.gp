# ch10-cells.gp -- validation bpc of five cells at an equal parameter count
# (and the LSTM at the GRU's H), against step and against the measured
# seconds (chapter 10, sections 5 and 6).  Loaded by the generated
# ch10-cells.gp after style.gp (dat, chart_title); the chapter sets:
#   hs       the hidden sizes, as words: gru lstm lstm-equal-H rnn mgu seed
#   nseed, steps, bigram
#   kept     per cell, how many seeds did not fail (words): a failed seed
#            (final bpc not finite or above log2 V, the table's rule)
#            leaves the cell's curve, as it leaves the table's mean
# dat columns: step, then per cell: sec mean lo hi over the seeds kept
# (-1: every seed failed, or a kept seed's point is not finite).
# The cells' colours are the book's (style.gp).
array cell_lc[6] = [c_gru, c_lstm, c_lstm, c_rnn, c_mgu, c_seed]
array cell_dt[6] = [1, 1, 2, 1, 1, 1]
array cell_name[6] = ['GRU', 'LSTM', 'LSTM (GRU''s H)', 'RNN', 'MGU', 'seed f/i/o']
array cell_note[6] = ['', '', '', '', '', '']
c(s, k) = 2 + 4*s + k
# a cell that lost seeds says how many its curve averages
do for [s = 0:5] {
  k = int(word(kept, s + 1))
  if (k == 0) { cell_note[s + 1] = ' (every seed failed)' }
  if (k > 0 && k < nseed) { cell_note[s + 1] = sprintf(' (%d of %d seeds)', k, nseed) }
}
ok(v) = v > 0 ? v : NaN
# the key goes below both panels, across the chart, so that it covers no
# curve whatever the run; fixed margins keep the two panels equal
set multiplot layout 1,2 title chart_title font font_title \
    margins 0.08, 0.96, 0.31, 0.83 spacing 0.07, 0
unset title
set ylabel "validation bpc (mean, seeds' range)"
# both panels share one y range: (a)'s, from 1 to its highest point
set yrange [1:*]
do for [panel = 0:1] {
  if (panel == 0) {
    unset key
    set xlabel 'training step'
    set xrange [0:steps]
    set title '(a) against step' font font_normal
    plot for [s = 0:5] dat using 1:(ok(column(c(s, 2)))):(ok(column(c(s, 3)))) \
           with filledcurves lc rgb cell_lc[s + 1] fs transparent solid 0.15 noborder notitle, \
         for [s = 0:5] dat using 1:(ok(column(c(s, 1)))) with lines lc rgb cell_lc[s + 1] \
           lw 2.5 dt cell_dt[s + 1] notitle, \
         bigram with lines lc rgb c_ref2 dt 2 lw 1.5 notitle
    ylo = GPVAL_Y_MIN
    yhi = GPVAL_Y_MAX
  } else {
    # wall-clock while the runs shared the cores: not the timing of
    # section 5 (one thread, alone), so its ratios can differ
    set yrange [ylo:yhi]
    set key at screen 0.53, screen 0.01 center bottom vertical maxrows 4 \
        Left reverse font font_small samplen 2 width -2
    set xlabel 'wall-clock seconds (cores shared)'
    set xrange [0:*]
    set title '(b) against wall-clock under load' font font_normal
    unset ylabel
    plot for [s = 0:5] dat using (column(c(s, 0))):(ok(column(c(s, 1)))) with lines \
           lc rgb cell_lc[s + 1] lw 2.5 dt cell_dt[s + 1] \
           title sprintf('%s, H = %s%s', cell_name[s + 1], word(hs, s + 1), cell_note[s + 1]), \
         bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
  }
}
unset multiplot
