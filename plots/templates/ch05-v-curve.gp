# ch05-v-curve.gp -- error of three numerical derivatives against the step h,
# for one entry theta_k, each measured against BPTT (chapter 5), with the
# error models drawn as wide pale bands (an arm two methods share, once).
# Loaded by the generated ch05-v-curve.gp after style.gp, which sets dat
# and chart_title, and:
#   eps      machine epsilon
#   scale    max(1, |theta_k|): the step really taken is s = h * scale
#   L0 L1    the loss L and BPTT's dL/dtheta_k
#   L2 L3    L'' and L''' along theta_k (differences of BPTT's gradient)
#   h_lost   the largest h with theta + s == theta (0: none on the grid)
#   exact    1 if some error was exactly 0 (drawn at 1e-17)
#   exact_h  the h of the first such error (0: none); the note sits
#            below that point, with an arrow up to it
# Columns of dat: h err_forward err_central err_complex
@log_x
@log_y
set xlabel 'relative step h'
set ylabel '|estimate − BPTT| / |BPTT|'
set xrange [1e-20:1e-1]
set yrange [1e-20:10]
set xtics 1e-20, 100, 1e-1
set samples 400
set bmargin 7
set key at screen 0.5, screen 0.005 center bottom vertical maxrows 3 Left reverse \
    font font_small samplen 1.5 spacing 1 width -8 nobox
# The error models, relative to |L'|, as functions of h.
s(h) = h * scale
model_f(h) = (s(h) * abs(L2) / 2 + eps * abs(L0) / s(h)) / abs(L1)
model_c(h) = (s(h)**2 * abs(L3) / 6 + eps * abs(L0) / s(h)) / abs(L1)
model_x(h) = s(h)**2 * abs(L3) / 6 / abs(L1)
if (h_lost > 0) {
  set object 1 rect from graph 0, graph 0 to first sqrt(10) * h_lost, graph 1 \
      behind fillcolor rgb '#ececec' fillstyle solid noborder
  set label 1 "θ + h = θ:\nthe step\nis lost,\nerror 1" \
      at first sqrt(sqrt(10) * h_lost * 1e-20), graph 0.70 center font font_small
}
if (exact) {
  # centred under the point, unless that would leave the plot
  note = "error 0 (bit for bit), drawn at 10^{-17}"
  if (exact_h < 1e-16) {
    set label 2 note at first exact_h, first 1.2e-19 left offset -1,0 font font_small
  } else {
    if (exact_h > 1e-5) {
      set label 2 note at first exact_h, first 1.2e-19 right offset 1,0 font font_small
    } else {
      set label 2 note at first exact_h, first 1.2e-19 center font font_small
    }
  }
  set arrow 3 from first exact_h, first 5e-19 to first exact_h, first 4e-18 \
      head size screen 0.012,25 lw 1.5 lc rgb '#555555'
}
set label 3 'machine ε' at graph 0.99, first eps right offset 0, 0.6 \
    font font_small tc rgb '#777777'
# The models share arms: forward and central the rounding arm eps|L|/h,
# central and complex the truncation arm h^2|L'''|/6.  Each shared arm is
# drawn once (grey: rounding, left of central's optimum; green: the
# truncation arm, central's and complex's), forward's own band from its
# optimum on, so that no two bands lie on top of each other and blend.
round_m(h) = eps * abs(L0) / s(h) / abs(L1)
hf_opt = sqrt(2 * eps * abs(L0) / abs(L2)) / scale
hc_opt = (3 * eps * abs(L0) / abs(L3))**(1.0 / 3) / scale
plot dat using 1:2 with linespoints lw 2.5 lc rgb c_m_forward pt 7 \
       title 'forward (L(θ+h)−L(θ))/h', \
     dat using 1:3 with linespoints lw 2.5 lc rgb c_m_central pt 5 \
       title 'central (L(θ+h)−L(θ−h))/2h', \
     dat using 1:4 with linespoints lw 2.5 lc rgb c_m_complex pt 9 ps 1.3 \
       title 'complex step Im L(θ+ih)/h', \
     x > hc_opt ? 1/0 : round_m(x) with lines lw 9 lc rgb '#B0999999' \
       title "model ε|L|/h: rounding (forward, central)", \
     x < hf_opt ? 1/0 : model_f(x) with lines lw 9 lc rgb '#A0E69F00' \
       title "model h|L''|/2 + ε|L|/h (forward)", \
     model_x(x) with lines lw 9 lc rgb '#A0009E73' \
       title "model h^2|L'''|/6: truncation (central, complex)", \
     eps with lines lt 8 dt 3 notitle, \
     dat using 1:2 with linespoints lw 2.5 lc rgb c_m_forward pt 7 notitle, \
     dat using 1:3 with linespoints lw 2.5 lc rgb c_m_central pt 5 notitle, \
     dat using 1:4 with linespoints lw 2.5 lc rgb c_m_complex pt 9 ps 1.3 notitle
