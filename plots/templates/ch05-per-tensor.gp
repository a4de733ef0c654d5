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
    offset 0, 0.7 font font_small tc rgb c_m_forward
set label 2 'central and gsl tolerance' at graph 0.99, first tol_central right \
    offset 0, 0.7 font font_small tc rgb c_m_central
set label 3 'complex-step tolerance' at graph 0.99, first tol_complex right \
    offset 0, 0.7 font font_small tc rgb c_m_complex
# The four methods side by side around each tensor's tick, each in its
# book-wide colour; the tolerance lines thin, dashed, behind the points.
w = 0.14
plot tol_forward with lines lw 1.2 lc rgb c_m_forward dt 2 notitle, \
     tol_central with lines lw 1.2 lc rgb c_m_central dt 2 notitle, \
     tol_complex with lines lw 1.2 lc rgb c_m_complex dt 2 notitle, \
     dat using ($1 - 1.5 * w):2 with points lc rgb c_m_forward pt 7 ps 1.8 title 'forward', \
     dat using ($1 - 0.5 * w):3 with points lc rgb c_m_central pt 5 ps 1.8 title 'central', \
     dat using ($1 + 0.5 * w):4 with points lc rgb c_m_gsl pt 9 ps 2.1 \
       title 'gsl (adaptive central)', \
     dat using ($1 + 1.5 * w):5 with points lc rgb c_m_complex pt 11 ps 2.1 title 'complex step'
