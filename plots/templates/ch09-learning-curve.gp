# ch09-learning-curve.gp -- bits per character against training step
# (chapter 9).  Loaded by the generated ch09-learning-curve.gp after
# style.gp, which sets dat and chart_title; the chapter sets:
#   streams, window   B and T of the batches
#   last_step, ymax   the x range's end, the y range's top (bpc)
#   smooth            the batches in the running mean
#   unigram, bigram   the baselines' validation bpc
#   wb, wb_order      the best order of the Witten-Bell ladder, its bpc
#   kn, kn_order      the same for the Kneser-Ney ladder
#   gzip, xz          bits per byte of gzip -9 and xz -9, or -1 if absent
#   valid_last        the last validation bpc
#   epoch             the steps of one epoch (every training byte read
#                     once): marked when training gets there
#   falling           "still falling: ..." when the last two validation
#                     points still fall, else ""
# Columns of dat: step bpc smooth.  Block 0: every training batch, block 1:
# the whole validation split at the milestones (smooth = bpc): measured
# only there, so drawn as points.  The baselines are validation numbers:
# they are drawn as short bars to the right of the last step, beside the
# last validation point, not across the training curve.  gzip (within
# 0.1 of xz here) is left to the text output.
set title chart_title font font_title
set xlabel sprintf('training step (%d streams x %d bytes)', streams, window)
set ylabel 'bits per character'
x0 = last_step * 1.04
x1 = last_step * 1.24
set xrange [0:last_step * 1.26]
set xtics 0, (last_step > 400 ? 200 : 10), last_step
set yrange [0:ymax + 1]
set samples 1000
set arrow from last_step * 1.02, graph 0 to last_step * 1.02, graph 1 nohead lc rgb '#bbbbbb' dt 3
set label "baselines\n(validation)" at (x0 + x1) / 2, unigram + 0.8 center font font_small tc rgb '#555555'
if (strlen(falling) > 0) {
  set label falling at last_step, valid_last + 0.45 right font font_small tc rgb c_gru
}
if (exists("epoch") && epoch <= last_step) {
  set arrow from epoch, graph 0 to epoch, graph 1 nohead lc rgb '#888888' dt 2
  set label sprintf("epoch 1 (step %d):\nbytes read twice after it", epoch) \
      at epoch, graph 0.50 left offset 0.5, 0 font font_small tc rgb '#555555'
}
bar(v, x) = (x >= x0 && x <= x1 && v >= 0) ? v : 1/0
set key inside top center vertical maxrows 4 width -2 opaque box font font_small
plot dat index 0 using 1:2 with lines lw 0.5 lc rgb c_gru_light title 'GRU train, each batch', \
     dat index 0 using 1:3 with lines lw 2.5 lc rgb c_gru title sprintf('GRU train, mean of %d', smooth), \
     dat index 1 using 1:2 with linespoints pt 7 ps 1.6 lw 1.5 dt 2 lc rgb c_gru title 'GRU validation (held-out files)', \
     bar(unigram, x) with lines lw 2 dt 2 lc rgb c_ref2 title 'unigram', \
     bar(bigram, x) with lines lw 2 dt 4 lc rgb c_ref2 title 'bigram', \
     bar(wb, x) with lines lw 2 dt 1 lc rgb c_ref2 title sprintf('Witten-Bell %d-gram', wb_order), \
     bar(kn, x) with lines lw 2 dt 1 lc rgb c_ref title sprintf('Kneser-Ney %d-gram', kn_order), \
     bar(xz, x) with lines lw 2 dt 3 lc rgb c_ref title (xz >= 0 ? 'xz -9 (on the validation bytes alone)' : '')
