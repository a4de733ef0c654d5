# ch06-adding.gp -- a GRU's training loss on the adding problem (chapter 6,
# section 8): the smoothed batch loss, mean over the seeds and the band
# from the lowest to the highest seed, with the two baselines.
# Loaded by the generated ch06-adding.gp after style.gp (dat, chart_title);
# the chapter sets:
#   steps, nseed, smooth, T   steps run, seeds, the smoothing window, the length
# Columns of dat: step mean lo hi
# The GRU has the book's colour c_gru (plots/style.gp); the baselines are black dotted
# (1/6, as in chapter 8) and black dashed (1/12).
set xlabel sprintf('training step (batches of 50; before step %d, the mean of all batches so far)', smooth)
set ylabel sprintf('training MSE, mean of the last %d batches', smooth)
@log_y
set xrange [0:steps]
set yrange [5e-4:2]
set key top right font font_small samplen 2.5
plot dat using 1:3:4 with filledcurves lc rgb c_gru fs transparent solid 0.2 noborder \
       title sprintf('GRU, range over %d seeds', nseed), \
     dat using 1:2 with lines lc rgb c_gru lw 2 title sprintf('GRU, mean of %d seeds (T = %d)', nseed, T), \
     1.0/6 with lines lt 7 dt 3 title 'no memory: 1/6', \
     1.0/12 with lines lt 7 dt 2 title 'second marker only: 1/12'
