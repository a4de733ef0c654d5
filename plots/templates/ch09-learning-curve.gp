# ch09-learning-curve.gp -- bits per character against training step
# (chapter 9).  Loaded by the generated ch09-learning-curve.gp after
# style.gp, which sets dat and chart_title; the chapter sets:
#   streams, window   B and T of the batches
#   last_step, ymax   the x range's end, the y range's top (bpc)
#   smooth            the batches in the running mean
#   unigram, bigram   the baselines' validation bpc
#   gzip, xz          bits per byte of gzip -9 and xz -9, or -1 if absent
# Columns of dat: step bpc smooth.  Block 0: every training batch, block 1:
# the whole validation split at the milestones (smooth = bpc).
set xlabel sprintf('training step (%d streams x %d bytes)', streams, window)
set ylabel 'bits per character'
set xrange [0:last_step]
set yrange [0:ymax]
set key outside right top font font_small
plot dat index 0 using 1:2 with lines lt 1 lw 0.5 lc rgb '#b0c4de' title 'train, each batch', \
     dat index 0 using 1:3 with lines lt 1 title sprintf('train, mean of %d', smooth), \
     dat index 1 using 1:2 with linespoints lt 2 pt 7 title 'validation', \
     unigram with lines lt 3 dt 2 title 'unigram', \
     bigram with lines lt 4 dt 2 title 'bigram', \
     (gzip >= 0 ? gzip : 1/0) with lines lt 5 dt 3 title (gzip >= 0 ? 'gzip -9' : ''), \
     (xz >= 0 ? xz : 1/0) with lines lt 6 dt 3 title (xz >= 0 ? 'xz -9' : '')
