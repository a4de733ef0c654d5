# ch03-tanh-gates.gp -- the article's code (tanh gates) against its
# equations (sigmoid gates): unit 0's forget gate and state (chapter 3).
# Loaded by the generated ch03-tanh-gates.gp after style.gp, which sets dat
# and chart_title, and:
#   tmax          the last time step T (steps t = 1..T)
#   hlo, hhi      the state panel's y range
# Columns of dat: t f_sigmoid f_tanh h_sigmoid h_tanh
unset title
set multiplot title chart_title font font_title
set lmargin at screen 0.11
set rmargin at screen 0.97
set key top right horizontal
set xrange [1:tmax]
set origin 0, 0.50
set size 1, 0.42
set tmargin 0.5
set bmargin 0.5
set format x ''
set ylabel 'forget gate f, unit 0'
set yrange [-1.05:1.5]
plot dat using 1:2 with lines lt 1 title 'f = σ(W_f v + b_f), equations', \
     dat using 1:3 with lines lt 2 title 'f = tanh(W_f v + b_f), code', \
     0 with lines lt 8 dt 2 notitle
set origin 0, 0
set size 1, 0.50
set tmargin 0.5
set bmargin 3.5
set format x '%g'
set xlabel 'time step t'
set ylabel 'state h_t, unit 0'
set yrange [hlo:hhi]
set key top right horizontal
plot dat using 1:4 with lines lt 1 title 'h_t with σ gates', \
     dat using 1:5 with lines lt 2 title 'h_t with tanh gates', \
     0 with lines lt 8 dt 2 notitle
unset multiplot
