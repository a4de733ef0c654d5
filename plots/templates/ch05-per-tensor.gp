# ch05-per-tensor.gp -- the worst relative error of each tensor, one marker
# per method, side by side, with each method's tolerance (chapter 5).
# Loaded by the generated ch05-per-tensor.gp after style.gp, which sets dat
# and chart_title, and:
#   names        the tensors' names, space-separated, in row order
#   ymin ymax    the y range (decades around the data and the tolerances)
#   tol_forward, tol_central, tol_complex   the default tolerances (gsl's
#                is central's)
# Columns of dat: tensor forward central gsl complex
@log_y
n = words(names)
set xtics () noenhanced rotate by 20 right offset 1, 0
do for [i = 1:n] { set xtics add (word(names, i) i - 1) }
set xrange [-0.6:n - 0.4]
set yrange [ymin:ymax]
set ylabel 'worst relative error over its entries'
set bmargin 4
set key at graph 0.5, graph 0.99 top center horizontal samplen 0.5 width -1 \
    font font_small
set label 1 'forward tolerance' at graph 0.99, first tol_forward right \
    offset 0, 0.7 font font_small tc lt 1
set label 2 'central and gsl tolerance' at graph 0.99, first tol_central right \
    offset 0, 0.7 font font_small tc lt 2
set label 3 'complex-step tolerance' at graph 0.99, first tol_complex right \
    offset 0, 0.7 font font_small tc lt 4
# The four methods side by side around each tensor's tick.
w = 0.14
plot dat using ($1 - 1.5 * w):2 with points lt 1 pt 7 ps 1.8 title 'forward', \
     dat using ($1 - 0.5 * w):3 with points lt 2 pt 5 ps 1.8 title 'central', \
     dat using ($1 + 0.5 * w):4 with points lt 3 pt 9 ps 2.1 title 'gsl (Richardson)', \
     dat using ($1 + 1.5 * w):5 with points lt 4 pt 11 ps 2.1 title 'complex step', \
     tol_forward with lines lt 1 dt 2 notitle, \
     tol_central with lines lt 2 dt 2 notitle, \
     tol_complex with lines lt 4 dt 2 notitle
