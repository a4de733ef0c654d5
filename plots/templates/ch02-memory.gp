# ch02-memory.gp -- h_t = z^t h_0 for three constant update gates (chapter 2).
# Loaded by the generated ch02-memory.gp after style.gp, which sets dat and
# chart_title, and these settings:
#   title0, title1, title2   each unit's gate, e.g. "z = 0.38 (half-life 0.7)"
#   every_n                  draw every every_n-th measured point
# Columns of dat: t h_unit0 h_unit1 h_unit2 known0 known1 known2
@log_y
set xlabel 'time step t'
set ylabel 'hidden state h_t'
set yrange [1e-6:2]
set key at graph 0.99, graph 0.62 top right font font_small
set label 1 "lines: the formula z^t h_0\npoints: the GRU driver, every weight 0,\nwhich is exactly h' = z h: the two agree\nby construction; this checks the code" \
    at graph 0.98, graph 0.29 right font font_small
plot dat using 1:5 with lines lt 1 title 'z^t h_0, '.title0, \
     dat using 1:2 every every_n with points lt 1 pt 7 title 'driver h_t', \
     dat using 1:6 with lines lt 2 title 'z^t h_0, '.title1, \
     dat using 1:3 every every_n with points lt 2 pt 5 title 'driver h_t', \
     dat using 1:7 with lines lt 3 title 'z^t h_0, '.title2, \
     dat using 1:4 every every_n with points lt 3 pt 9 title 'driver h_t'
