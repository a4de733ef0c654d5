# ch02-gates.gp -- heatmaps of the update gate z and the reset gate r,
# hidden unit x time step, with the input's events marked (chapter 2).
# Loaded by the generated ch02-gates.gp after style.gp, which sets dat and
# chart_title, and:
#   unit_step   the spacing of the hidden-unit tics
#   tmax        the last time step T (matrix column k is step t = k + 1)
#   t_step      the sine steps up by 1 after this step (t > t_step)
# dat: index 0 is z, index 1 is r, each a (units, steps) matrix.
# The input's pulses come at t = 5, 25, 45, ... (grl_lesson_pulse_sine).
unset title
set multiplot title chart_title font font_title
@heat_unit
@heat_axes
set lmargin at screen 0.09
set rmargin at screen 0.84
set colorbox user origin screen 0.86, screen 0.11 size screen 0.025, screen 0.71
set cblabel 'gate value' offset -0.5,0
set ylabel 'hidden unit j'
set ytics 0, unit_step
set xrange [0.5:tmax + 0.5]
# the events of the input: a tick above the panel at each pulse, and a
# dashed line where the sine steps up
do for [p = 5:tmax:20] {
  set arrow from p, graph 1.0 to p, graph 1.07 nohead lt 7 lw 2 front
}
set arrow from t_step + 0.5, graph 0 to t_step + 0.5, graph 1.07 nohead lt 7 lw 1.5 dt 2 front
set tmargin at screen 0.84
set bmargin at screen 0.54
set format x ''
set title 'update gate z: the share of h kept (b_z rises with j)' font font_normal offset 0,0.1
plot dat index 0 matrix using ($1 + 1):2:3 with @heat_image title 'z'
unset colorbox
set tmargin at screen 0.41
set bmargin at screen 0.11
set format x '%g'
set xlabel 'time step t    (ticks above each panel: the input'."'".'s pulses; dashed: the sine steps up by 1)' font font_small
set title 'reset gate r: how much of h the candidate sees' font font_normal offset 0,0.1
plot dat index 1 matrix using ($1 + 1):2:3 with @heat_image title 'r'
unset multiplot
