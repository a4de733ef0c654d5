# ch02-memory.gp -- h_t = z^t h_0 for constant update gates (chapter 2).
# Loaded by the generated ch02-memory.gp after style.gp, which sets dat and
# chart_title, and these settings:
#   nunits                   the number of units (3 as shipped)
#   title0, title1, ...      each unit's gate, e.g. "z = 0.37754 (half-life 0.7)"
#   every_n                  draw every every_n-th measured point
# Columns of dat: t h_unit0 .. h_unit{n-1} known0 .. known{n-1}
@log_y
set xlabel 'time step t'
set ylabel 'hidden state h_t'
set yrange [1e-6:2]
set key at graph 0.99, graph 0.62 top right font font_normal
set label 1 "lines: the formula z^t h_0\npoints: the GRU driver, every weight 0,\nwhich is exactly h' = z h: the two agree\nby construction; this checks the code" \
    at graph 0.98, graph 0.29 right font font_small
# one key entry per unit: its line (the formula) and its points (the driver)
plot for [j=0:nunits-1] dat using 1:(column(2 + nunits + j)) with lines \
       lt (j + 1) notitle, \
     for [j=0:nunits-1] dat using 1:(column(2 + j)) every every_n with points \
       lt (j + 1) notitle, \
     for [j=0:nunits-1] keyentry with linespoints lt (j + 1) \
       title value(sprintf('title%d', j))
