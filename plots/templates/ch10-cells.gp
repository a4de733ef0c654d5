# ch10-cells.gp -- validation bpc of five cells at an equal parameter count
# (and the LSTM at the GRU's H), against step and against the measured
# seconds (chapter 10, sections 5 and 6).  Loaded by the generated
# ch10-cells.gp after style.gp (dat, chart_title); the chapter sets:
#   hs       the hidden sizes, as words: gru lstm lstm-equal-H rnn mgu seed
#   nseed, steps, bigram
# dat columns: step, then per cell: sec mean lo hi (-1: a seed diverged).
# The cells' colours are the book's (style.gp).
array cell_lc[6] = [c_gru, c_lstm, c_lstm, c_rnn, c_mgu, c_seed]
array cell_dt[6] = [1, 1, 2, 1, 1, 1]
array cell_name[6] = ['GRU', 'LSTM', 'LSTM (GRU''s H)', 'RNN', 'MGU', 'seed f/i/o']
array cell_note[6] = ['', '', '', '', '', '']
c(s, k) = 2 + 4*s + k
# a series whose mean is -1 somewhere lost a seed to divergence: its line
# ends there, and its key says so
do for [s = 0:5] {
  stats dat using (column(c(s, 1))) nooutput
  if (STATS_min < 0) { cell_note[s + 1] = ', 1+ seed diverged' }
}
ok(v) = v > 0 ? v : NaN
set multiplot layout 1,2 title chart_title font font_title
unset title
set ylabel sprintf('validation bpc (mean, range of %d seeds)', nseed)
set yrange [1:8]
set key inside right top font font_small samplen 1.5
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
  } else {
    # wall-clock while the runs shared the cores: not the timing of
    # section 5 (one thread, alone), so its ratios can differ
    # a taller range than (a), so the key sits above the curves' starts
    set yrange [1:11]
    set key inside right top font font_small samplen 3
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
