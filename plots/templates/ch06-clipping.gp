# ch06-clipping.gp -- one-sequence gradients clipped by global norm and by
# value (chapter 6, section 6): (a) the norms before and after, (b) the
# cosine of each clipped gradient to the original.
# Loaded by the generated ch06-clipping.gp after style.gp (dat,
# chart_title); the chapter sets:
#   c    the global-norm threshold (the median norm)
# Columns of dat: norm norm_global norm_value cos_global cos_value
# Colours as in chapter 7's clipping chart (plots/style.gp): not clipped
# c_run_noclip, clipped by global norm c_run_clip; by value c_run_value.
set multiplot layout 1,2 title chart_title font font_title
set title '(a) the norm, before and after' font font_normal
set xlabel '‖g‖ before clipping'
set ylabel '‖g‖ after clipping'
@log_x
@log_y
# the norms span about a decade: plain numbers read better than 10^k
set format x '%g'
set format y '%g'
set xtics 0.125, 2
set mxtics 1
stats dat using 1 nooutput name 'N'
set xrange [N_min / 1.3:N_max * 1.3]
set yrange [*:N_max * 3]
set key top left font font_small samplen 1.5 spacing 1
plot x with lines lc rgb c_run_noclip dt 2 lw 1.5 title 'not clipped: ‖g‖', \
     dat using 1:2 with points lc rgb c_run_clip pt 7 ps 0.8 title 'by global norm', \
     dat using 1:3 with points lc rgb c_run_value pt 5 ps 0.8 title 'by value, v = c/√n', \
     c with lines lc rgb c_ref dt 3 lw 1.5 title sprintf('threshold c = %.3g', c)
set title '(b) cosine to the original gradient' font font_normal
set ylabel 'cos(clipped g, g)'
unset logscale y
set format y '%g'
set yrange [0:1.1]
set ytics 0, 0.2, 1
set key bottom left
plot dat using 1:4 with points lc rgb c_run_clip pt 7 ps 0.8 title 'by global norm', \
     dat using 1:5 with points lc rgb c_run_value pt 5 ps 0.8 title 'by value'
unset multiplot
