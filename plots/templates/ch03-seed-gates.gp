# ch03-seed-gates.gp -- the article's cell as heatmaps, hidden unit x time
# step (chapter 3): its gates f, i, o, its candidate, and its state |h|.
# Loaded by the generated ch03-seed-gates.gp after style.gp, which sets dat
# and chart_title, and:
#   unit_step   the spacing of the hidden-unit tics
#   tmax        the last time step T (matrix column k is step t = k + 1)
#   hmax        the largest |h_t| of the run
# dat: index 0..3 are f, i, o and the candidate, index 4 is |h_t|, each a
# (units, steps) matrix.
unset title
set multiplot title chart_title font font_title
@heat_axes
set ytics 0, unit_step
set xtics 40
set xrange [0.5:tmax + 0.5]

# ---- top row: the three gates, one colour scale -------------------------
@heat_unit
set cbtics 0.5
set format x '%g'
set tmargin at screen 0.83
set bmargin at screen 0.55
set ylabel 'hidden unit j' offset -1,0
set lmargin at screen 0.095
set rmargin at screen 0.33
unset colorbox
set title 'forget gate f' font font_normal
plot dat index 0 matrix using ($1 + 1):2:3 with @heat_image title 'f'
unset ylabel
set format y ''
set lmargin at screen 0.37
set rmargin at screen 0.63
set title 'input gate i' font font_normal
plot dat index 1 matrix using ($1 + 1):2:3 with @heat_image title 'i'
set lmargin at screen 0.66
set rmargin at screen 0.92
set colorbox user origin screen 0.93, screen 0.55 size screen 0.012, screen 0.28
set title 'output gate o: read by nothing' font font_normal
plot dat index 2 matrix using ($1 + 1):2:3 with @heat_image title 'o'

# ---- bottom row: the candidate and the state ----------------------------
set format x '%g'
set xlabel 'time step t' offset 0,0.5
set tmargin at screen 0.39
set bmargin at screen 0.11
set ylabel 'hidden unit j' offset -1,0
set format y '%g'
set lmargin at screen 0.095
set rmargin at screen 0.42
@heat_signed
set cbrange [-1:1]
set cbtics 1
set colorbox user origin screen 0.43, screen 0.11 size screen 0.012, screen 0.28
set title 'candidate tanh(W_c v + b_c)' font font_normal
plot dat index 3 matrix using ($1 + 1):2:3 with @heat_image title 'candidate'
unset ylabel
set lmargin at screen 0.55
set rmargin at screen 0.90
set palette defined (0 '#ffffff', 0.5 '#fdae61', 1 '#7f0000')
set cbrange [0:hmax]
set cbtics 0.5
set colorbox user origin screen 0.91, screen 0.11 size screen 0.012, screen 0.28
set title sprintf('state |h_t|: nothing bounds it by 1 (largest %.2f)', hmax) font font_normal
plot dat index 4 matrix using ($1 + 1):2:3 with @heat_image title '|h|'
unset multiplot
