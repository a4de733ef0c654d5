# ch01-stable-forms.gp -- tempting and stable formulas against long double
# (chapter 1), three panels.  Loaded by the generated ch01-stable-forms.gp
# after style.gp, which sets dat and chart_title, and:
#   a_zero     where form A starts to return 0 (measured, about -709.78)
#   b_nan      where form B starts to return NaN (about +709.78)
#   s_one      where the library's sigma is exactly 1 (about 36.74)
#   s_zero     where the library's sigma rounds to 0 (about -745.13)
#   err_exact  the y at which an error of 0 or below err_exact is drawn
#              (labelled ≤10^{-24})
#   err_nan    the y at which a NaN is drawn
# dat has 5 columns x y1 y2 y3 y4 in three blocks, each point the worst
# error over a bin of a:
#   index 0  a, sigma's relative error against the truth rounded to
#            double: form A, form B, grl_sigmoid; then grl_sigmoid
#            against the unrounded truth
#   index 1  |a|, tanh's error: relative by exp, relative libm,
#            absolute by exp, absolute libm (both signs of a)
#   index 2  a, sigma''s error: relative s(1-s), relative sigma(a)sigma(-a),
#            absolute s(1-s), absolute sigma(a)sigma(-a)
# Colour = formula (vermillion/orange tempting, blue/green stable; in the
# sigma' panel orange is s(1-s), the form backprop uses); in the lower
# panels solid = relative error, dashed = absolute error, and the key
# says so once in grey.  The y tics sit 8 decades apart (≤10^{-24},
# 10^{-16}, 10^{-8}, 1) so that their labels never touch.
unset title
set multiplot title chart_title font font_title
ytics_err = "set ytics nomirror ('≤10^{-24}' err_exact, '10^{-16}' 1e-16, '10^{-8}' 1e-8, '1' 1, 'NaN' err_nan); unset mytics"

# ---- top: sigma, where each textbook form breaks -----------------------
set origin 0, 0.47
set size 1, 0.46
set lmargin 12
set rmargin 2
set tmargin 1.5
set title 'σ: forms A and B and the library''s, relative error' font font_normal offset 0,-0.8
set bmargin 3
@log_y
set xlabel 'a' offset 0,0.8
set ylabel 'relative error' offset 1,0
set xrange [-760:760]
set yrange [err_exact / 10 : 1e24]   # headroom: the key, then label 5
set xtics 200 nomirror
@ytics_err
set arrow 1 from a_zero, graph 0 to a_zero, err_nan nohead lt 8 dt 3 lw 1
set arrow 2 from b_nan, graph 0 to b_nan, err_nan nohead lt 8 dt 3 lw 1
set label 2 sprintf('a = %.2f: e^{-a} overflows', a_zero) at a_zero + 15, 1e-4 left font font_small
set label 3 sprintf('a = %.2f: e^{a} overflows', b_nan) at b_nan - 15, 1e-4 right font font_small
set label 4 sprintf('a ≥ %.2f: grl\_sigmoid returns 1', s_one) at s_one + 70, 1e-10 left font font_small
set arrow 3 from s_one + 65, 1e-10 to s_one + 3, 3e-16 head size screen 0.008,25 lt 8 lw 1
set label 5 sprintf('a ≤ %.2f: σ rounds to 0', s_zero) at s_zero + 20, 1e10 left font font_small
set arrow 4 from s_zero + 18, 1e10 to s_zero + 1, 2 head size screen 0.008,25 lt 8 lw 1
set key at graph 0.995, graph 0.97 top right horizontal maxcols 2 font font_small \
    samplen 1.5 spacing 1 width -4
# A and the library-vs-unrounded line share the 1e-16 level over
# -700 < a < 40: A is drawn wide, the other dark and dotted, last, on top
plot dat index 0 using 1:2 with lines lt 2 lw 4 title 'A: 1/(1+e^{-a})', \
     dat index 0 using 1:3 with lines lt 5 lw 3 dt 2 title 'B: e^a/(1+e^a)', \
     dat index 0 using 1:4 with lines lt 1 lw 1.5 title 'grl\_sigmoid', \
     dat index 0 using 1:5 with lines lc rgb '#404040' lw 1.5 dt (2,3) title 'grl\_sigmoid vs unrounded σ'
unset label 2
unset label 3
unset label 4
unset label 5
unset arrow 3
unset arrow 4
unset title
unset arrow 1
unset arrow 2
unset logscale y
set xtics auto
set ytics auto

# ---- bottom left: tanh near 0 and in the tail ---------------------------
set origin 0, 0
set size 0.5, 0.50
set lmargin 12
set rmargin 1
set bmargin 3.5
set tmargin 1.5
@log_x
@log_y
set xlabel '|a| (worst of a and -a)' offset 0,0.3
set ylabel 'error' offset 1,0
set xrange [1e-18:1e3]
set xtics 1e-16, 1e4 nomirror
set yrange [err_exact / 10 : 1e20]
@ytics_err
unset mxtics
set title 'tanh: (e^{2a}-1)/(e^{2a}+1) against libm' font font_normal offset 0,-0.8
set key at graph 0.02, graph 0.99 left top horizontal maxcols 2 maxrows 2 font font_normal \
    samplen 1.5 spacing 1 width -2 Left reverse
plot dat index 1 using 1:2 with lines lt 2 title 'by exp', \
     dat index 1 using 1:3 with lines lt 1 title 'libm', \
     dat index 1 using 1:4 with lines lt 2 dt 2 notitle, \
     dat index 1 using 1:5 with lines lt 1 dt 2 notitle, \
     keyentry with lines lt 8 title 'relative', \
     keyentry with lines lt 8 dt 2 title 'absolute'

# ---- bottom right: sigma' from the output -------------------------------
set origin 0.5, 0
set size 0.5, 0.50
set lmargin 10
set rmargin 2
unset logscale x
set format x '%g'
set xtics 10 nomirror
set mxtics default
set xrange [-40:40]
set xlabel 'a' offset 0,0.3
unset ylabel
set title "σ'(a): s(1-s) against σ(a)σ(-a)" font font_normal offset 0,-0.8
set key at graph 0.02, graph 0.99 left top horizontal maxcols 2 maxrows 2 font font_normal \
    samplen 1.5 spacing 1 width -2 Left reverse
plot dat index 2 using 1:2 with lines lt 5 title 's(1-s)', \
     dat index 2 using 1:3 with lines lt 3 title 'σ(a)σ(-a)', \
     dat index 2 using 1:4 with lines lt 5 dt 2 notitle, \
     dat index 2 using 1:5 with lines lt 3 dt 2 notitle, \
     keyentry with lines lt 8 title 'relative', \
     keyentry with lines lt 8 dt 2 title 'absolute'
unset multiplot
