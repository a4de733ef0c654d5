# ch10-depth.gp -- validation bpc against step, one GRU layer against two
# at an equal parameter count (chapter 10, section 4).  Loaded by the
# generated ch10-depth.gp after style.gp (dat, chart_title); the chapter
# sets H1, H2 (the hidden sizes), nseed, steps, bigram.
# dat columns: step, then per model (one layer, two layers): sec mean lo hi.
c(s, k) = 2 + 4*s + k
set xlabel 'training step'
set ylabel sprintf('validation bpc (mean, range of %d seeds)', nseed)
set xrange [0:steps]
set yrange [1:7]
set key inside right top font font_small
plot for [s = 0:1] dat using 1:(column(c(s, 2))):(column(c(s, 3))) \
       with filledcurves lc rgb c_gru fs transparent solid 0.15 noborder notitle, \
     dat using 1:(column(c(0, 1))) with lines lc rgb c_gru lw 2.5 title sprintf('one layer, H = %d', H1), \
     dat using 1:(column(c(1, 1))) with lines lc rgb c_gru lw 2.5 dt 2 title sprintf('two layers, H = %d', H2), \
     bigram with lines lc rgb c_ref2 dt 2 lw 1.5 title 'bigram'
