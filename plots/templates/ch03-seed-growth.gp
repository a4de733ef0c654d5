# ch03-seed-growth.gp -- the article's cell with its gates reading h
# (chapter 3 §3): the largest |h_t| over the units at each step (not a
# running maximum: it can fall), for forget biases b_f = 0, 2, 4 in the
# seed cell's per-bias shades, mean over the seeds with a band from the
# lowest to the highest seed.  Loaded by the generated ch03-seed-growth.gp
# after style.gp (dat, chart_title); the chapter sets:
#   tmax                  the last step T
#   nseeds                how many seeds the mean and the band are over
#   bound0 bound2 bound4  1/(1 - sigma(b_f)): what would bound |h| if f
#                         were the constant sigma(b_f); drawn dotted in
#                         the b_f's colour
# Columns of dat: t, then mean min max for b_f = 0, 1, 1.5, 2, 3, 4
# (b_f = 1, 1.5 and 3 are in the chapter's table, not drawn).
set xlabel 'time step t'
set ylabel 'max_j |h_{t,j}| at step t'
@log_y
set mytics 1
set xrange [0:tmax]
set yrange [0.1:2 * tmax]
# The key below the plot, one row per b_f: its mean, its constant-gate
# bound; then the one-step bound t.
set bmargin 7.5
set key at screen 0.5, screen 0.01 center bottom vertical maxrows 3 Left reverse width -1 samplen 2 font font_small
set label 1 sprintf('lines: mean of %d seeds; bands: lowest to highest', nseeds) \
    at graph 0.98, first 0.9 right font font_small textcolor rgb '#404040'
plot dat using 1:3:4 with filledcurves lc rgb c_seed_b0 fs transparent solid 0.22 noborder notitle, \
     dat using 1:12:13 with filledcurves lc rgb c_seed_b2 fs transparent solid 0.22 noborder notitle, \
     dat using 1:18:19 with filledcurves lc rgb c_seed_b4 fs transparent solid 0.22 noborder notitle, \
     dat using 1:2 with lines lw 2.5 lc rgb c_seed_b0 title 'b_f = 0', \
     dat using 1:11 with lines lw 2.5 lc rgb c_seed_b2 title 'b_f = 2', \
     dat using 1:17 with lines lw 2.5 lc rgb c_seed_b4 title 'b_f = 4', \
     bound0 with lines lc rgb c_seed_b0 dt (2, 3) lw 2 title sprintf('if f ≡ σ(0): bound %.2f', bound0), \
     bound2 with lines lc rgb c_seed_b2 dt (2, 3) lw 2 title sprintf('if f ≡ σ(2): bound %.2f', bound2), \
     bound4 with lines lc rgb c_seed_b4 dt (2, 3) lw 2 title sprintf('if f ≡ σ(4): bound %.2f', bound4), \
     x with lines lc rgb c_ref2 dt (6, 4) lw 2 title "t (one step adds < 1)"
