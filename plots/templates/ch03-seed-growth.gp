# ch03-seed-growth.gp -- the article's cell with its gates reading h
# (chapter 3 §3): the largest |h_t| over the units, per step, for forget
# biases b_f = 0, 2, 4 (the colours of chapter 7's lag charts), mean over
# the seeds with a band from the lowest to the highest seed.  Loaded by
# the generated ch03-seed-growth.gp after style.gp (dat, chart_title); the
# chapter sets:
#   tmax                  the last step T
#   bound0 bound2 bound4  1/(1 - sigma(b_f)): what would bound |h| if f
#                         were the constant sigma(b_f)
# Columns of dat: t, then mean min max for b_f = 0, 1, 2, 3, 4 (b_f = 1
# and 3 are in the chapter's table, not drawn).
set xlabel 'time step t'
set ylabel 'max_j |h_{t,j}|'
@log_y
set mytics 1
set xrange [0:tmax]
set yrange [0.1:40 * tmax]   # the top decade and more holds the key
set key inside top left horizontal maxrows 2 width -2 font font_small
plot dat using 1:3:4 with filledcurves lc 1 fs transparent solid 0.18 noborder notitle, \
     dat using 1:9:10 with filledcurves lc 2 fs transparent solid 0.18 noborder notitle, \
     dat using 1:15:16 with filledcurves lc 3 fs transparent solid 0.18 noborder notitle, \
     dat using 1:2 with lines lt 1 title 'b_f = 0', \
     dat using 1:8 with lines lt 2 title 'b_f = 2', \
     dat using 1:14 with lines lt 3 title 'b_f = 4', \
     bound0 with lines lt 1 dt (2, 3) lw 1.5 notitle, \
     bound2 with lines lt 2 dt (2, 3) lw 1.5 notitle, \
     bound4 with lines lt 3 dt (2, 3) lw 1.5 notitle, \
     NaN with lines lt 7 dt (2, 3) lw 1.5 title "1/(1-σ(b_f)), constant gates' bound", \
     x with lines lt 8 dt (6, 4) lw 2 title "t: one step adds < 1"
