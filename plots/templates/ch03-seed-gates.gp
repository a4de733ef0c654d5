# ch03-seed-gates.gp -- the gates of the article's cell as heatmaps,
# hidden unit x time step (chapter 3).  Loaded by the generated
# ch03-seed-gates.gp after style.gp, which sets dat and chart_title, and:
#   unit_step   the spacing of the hidden-unit tics
# dat: index 0..3 are f, i, o and the candidate, each (units, steps).
unset title
set multiplot layout 2,2 title chart_title font font_title
@heat_axes
set xlabel 'time step t'
set ylabel 'hidden unit j'
set ytics 0, unit_step
@heat_unit
set title 'forget gate f' font font_normal
plot dat index 0 matrix with @heat_image title 'f'
set title 'input gate i' font font_normal
plot dat index 1 matrix with @heat_image title 'i'
set title "output gate o: never read, ∂L/∂W_o = 0" font font_normal
plot dat index 2 matrix with @heat_image title 'o'
@heat_signed
set cbrange [-1:1]
set cbtics 0.5
set title 'candidate tanh(W_c v + b_c)' font font_normal
plot dat index 3 matrix with @heat_image title 'candidate'
unset multiplot
