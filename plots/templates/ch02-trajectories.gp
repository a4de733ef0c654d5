# ch02-trajectories.gp -- the input, and the hidden states of four units
# (chapter 2).  Loaded by the generated ch02-trajectories.gp after style.gp,
# which sets dat and chart_title, and:
#   tmax                the last time step T (steps are t = 1..T)
#   t_step              the first step of the sine's +1 (t > T/2)
#   col0 .. col3        the data columns of the four units drawn
#   title0 .. title3    their key entries
# Columns of dat: t x_pulse x_sine_step h_unit0 h_unit1 ...
unset title
set multiplot title chart_title font font_title
set lmargin at screen 0.12
set rmargin at screen 0.97
set xrange [1:tmax]
# the input, on top; each key in one row along its panel's top, over
# headroom kept free of the curves (yrange above, offsets below)
set key at graph 0.01, graph 0.99 left top Left reverse horizontal maxrows 1 \
    font font_small samplen 1.5 width 1
set origin 0, 0.60
set size 1, 0.32
set tmargin 0.5
set bmargin 0.5
set format x ''
set ylabel 'input x_t'
set yrange [-1:2.8]
set ytics 1
plot dat using 1:($2 > 0 ? $2 : 1/0) with impulses lt 7 lw 2 title 'pulse train', \
     dat using 1:3 with lines lt 8 title sprintf('sine, +1 from t = %d', t_step)
# the states, below
set origin 0, 0
set size 1, 0.60
set tmargin 0.5
set bmargin 3.5
set format x '%g'
set xlabel 'time step t'
set ylabel 'hidden state h_t'
set yrange [*:*]
set offsets 0, 0, graph 0.3, 0
set ytics auto
plot dat using 1:col0 with lines lt 1 title title0, \
     dat using 1:col1 with lines lt 2 title title1, \
     dat using 1:col2 with lines lt 3 title title2, \
     dat using 1:col3 with lines lt 4 title title3
unset multiplot
