# ch02-gates.gp -- heatmaps of the update gate z and the reset gate r,
# hidden unit x time step (chapter 2).  Loaded by the generated
# ch02-gates.gp after style.gp, which sets dat and chart_title, and:
#   unit_step   the spacing of the hidden-unit tics
# dat: index 0 is z, index 1 is r, each a (units, steps) matrix.
unset title
set multiplot layout 2,1 title chart_title font font_title
@heat_unit
@heat_axes
set rmargin 12
set xlabel 'time step t'
set ylabel 'hidden unit j'
set ytics 0, unit_step
set title 'update gate z (fraction of h kept); b_z rises with j' font font_normal
set cblabel 'z'
plot dat index 0 matrix with @heat_image title 'z'
set title 'reset gate r (how much of h the candidate sees)' font font_normal
set cblabel 'r'
plot dat index 1 matrix with @heat_image title 'r'
unset multiplot
