# ch01-stable-forms.gp -- tempting and stable formulas against long double
# (chapter 1).  Loaded by the generated ch01-stable-forms.gp after
# style.gp; dat and chart_title are set there.
# Columns of dat: a tanh_by_exp tanh_libm dsigma_s(1-s)
#                 dsigma_sigma(a)sigma(-a) abs_err_s(1-s)
@log_x
@log_y
set xlabel 'a'
set ylabel 'worst error in each bin of a'
set xrange [1e-8:40]
set yrange [1e-21:10]
set label 'exact results are drawn at 10^{-20}' at graph 0.55, graph 0.12 center font font_small
set key top left font font_small
plot dat using 1:2 with lines lt 2 title 'tanh as (e^{2a}-1)/(e^{2a}+1): relative', \
     dat using 1:3 with lines lt 1 title 'tanh from libm: relative', \
     dat using 1:4 with lines lt 5 title "σ' as s(1-s), s = σ(a): relative", \
     dat using 1:5 with lines lt 3 title "σ' as σ(a)σ(-a): relative", \
     dat using 1:6 with lines lt 4 dt 2 title "σ' as s(1-s): absolute", \
     2.2e-16 with lines lt 8 dt 3 title 'machine ε = 2.2·10^{-16}'
