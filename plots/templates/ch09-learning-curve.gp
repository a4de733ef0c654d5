# ch09-learning-curve.gp -- bits per character against training step
# (chapter 9).  Loaded by the generated ch09-learning-curve.gp after
# style.gp, which sets dat and chart_title; the chapter sets:
#   streams, window   B and T of the batches
#   last_step, ymax   the x range's end, the y range's top (bpc)
#   smooth            the batches in the running mean
#   unigram, bigram   the baselines' validation bpc
#   ngram, ngram_order  the best order of the Witten-Bell ladder, its bpc
#   gzip, xz          bits per byte of gzip -9 and xz -9, or -1 if absent
# Columns of dat: step bpc smooth.  Block 0: every training batch, block 1:
# the whole validation split at the milestones (smooth = bpc): measured
# only there, so drawn as points.
set title chart_title font font_title
set xlabel sprintf('training step (%d streams x %d bytes)', streams, window)
set ylabel 'bits per character'
set xrange [0:last_step * 1.02]
set yrange [0:ymax + 1]
set key inside top right vertical maxrows 4 width -3 opaque box font font_small
plot dat index 0 using 1:2 with lines lw 0.5 lc rgb c_gru_b0 title 'GRU train, each batch', \
     dat index 0 using 1:3 with lines lw 2.5 lc rgb c_gru title sprintf('GRU train, mean of %d', smooth), \
     dat index 1 using 1:2 with points pt 7 ps 2 lc rgb c_gru_b4 title 'GRU validation (held-out files)', \
     unigram with lines lw 2 dt 2 lc rgb c_ref2 title 'unigram', \
     bigram with lines lw 2 dt 4 lc rgb c_ref2 title 'bigram', \
     ngram with lines lw 2 dt 1 lc rgb c_ref title sprintf('%d-gram (best n-gram)', ngram_order), \
     (gzip >= 0 ? gzip : 1/0) with lines lw 2 dt 3 lc rgb c_ref2 title (gzip >= 0 ? 'gzip -9 (validation only)' : ''), \
     (xz >= 0 ? xz : 1/0) with lines lw 2 dt 3 lc rgb c_ref title (xz >= 0 ? 'xz -9 (validation only)' : '')
