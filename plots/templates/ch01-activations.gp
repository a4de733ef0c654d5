# ch01-activations.gp -- sigma, tanh and their derivatives (chapter 1).
# Loaded by the generated ch01-activations.gp after style.gp, which sets:
#   dat, chart_title    the data file and the chart's title
# Columns of dat: a sigma dsigma tanh dtanh
set xlabel 'pre-activation a'
set ylabel 'value'
set xrange [-6:6]
set yrange [-1.1:1.15]
set key bottom right
plot dat using 1:2 with lines lt 1 title 'σ(a)', \
     dat using 1:3 with lines lt 1 dt 2 title "σ'(a) = σ(1-σ)", \
     dat using 1:4 with lines lt 2 title 'tanh(a)', \
     dat using 1:5 with lines lt 2 dt 2 title "tanh'(a) = 1-tanh^2", \
     0.25 with lines lt 8 dt 3 title "largest σ' = 1/4, at a = 0"
