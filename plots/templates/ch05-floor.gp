# ch05-floor.gp -- central differences entry by entry: the absolute error,
# the plain relative error and the floored one, against the size of the
# entry (chapter 5).
# Loaded by the generated ch05-floor.gp after style.gp, which sets dat and
# chart_title, and:
#   tol          the tolerance
#   floor_rel    the floor's factor: floor = floor_rel * S
#   ymin         the bottom of the y range
#   nfail        how many entries still fail with the floor (0: none)
#   fail_names   the tensors they belong to
# Columns of dat: abs_analytic abs_error rel_plain rel_floored tensor
#                 fails_floored
@log_x
@log_y
set xlabel '|∂L/∂θ_k| (BPTT), one point per entry'
set ylabel 'error of the central difference'
set yrange [ymin:10]
set key top right font font_small spacing 1 samplen 1 width -2
set label 1 sprintf('tolerance %g', tol) at graph 0.99, first tol right \
    offset 0, 0.7 font font_small
still = nfail > 0 ? \
  sprintf(", dat using 1:($6 > 0 ? $4 : 1/0) with points pt 6 ps 2.2 lc rgb '#000000' lw 1.5 title '%s: fail even floored (%d)'", fail_names, nfail) : ""
plot dat using 1:3 with points pt 7 ps 0.8 lc rgb c_rel_plain title 'plain |a−n|/(|a|+|n|)', \
     dat using 1:4 with points pt 5 ps 0.8 lc rgb c_rel_floored \
       title sprintf('floored |a−n|/max(|a|+|n|, %g S)', floor_rel), \
     dat using 1:2 with points lt 8 pt 9 ps 0.8 title 'absolute |a−n|', \
     tol with lines lt 7 dt 2 notitle @still
