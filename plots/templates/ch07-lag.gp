# ch07-lag.gp -- the gradient norm against lag (chapter 7: the rnn, gru,
# lstm and seed lag charts).  Loaded by the generated ch07-*-lag.gp after
# style.gp (dat, chart_title); the chapter sets:
#   T, nseries        the length and the number of measured curves
#   series_name       their keys, quoted words ("'b_z = 0' 'b_z = 2'")
#   series_lt         their colours (style.gp line types): in the gated
#                     charts one colour per bias value, the same in all
#   series_ref        1 where the series has a reference curve, else 0
#   ymin, ymax        the y range: the measured curves with room to spare
#   ref_key           the key's words for the reference curves
# Columns of dat: lag, then norm_i ref_i for series i = 0, 1, ...
# The measured curves are drawn first, the references on top of them,
# thin, dashed and marked every T/10 lags, so a reference that follows
# its curve closely stays visible.
set xlabel 'lag k (steps back from the loss at step T)'
set ylabel '‖∂L/∂h_{T-k}‖   (‖∂L/∂h_T‖ = 1)'
@log_y
set mytics 1
set xrange [0:T-1]
set yrange [ymin:ymax]
set key outside right top font font_small
every_ref = (T >= 20 ? T/10 : 2)
plot for [i = 0:nseries-1] dat using 1:(column(2 + 2*i)) with lines \
       lt (word(series_lt, i + 1) + 0) lw 3 title word(series_name, i + 1), \
     for [i = 0:nseries-1] dat using 1:(word(series_ref, i + 1) eq '1' ? column(3 + 2*i) : NaN) \
       with lines lt (word(series_lt, i + 1) + 0) dt (6, 4) lw 1.5 notitle, \
     for [i = 0:nseries-1] dat using 1:(word(series_ref, i + 1) eq '1' ? column(3 + 2*i) : NaN) \
       every every_ref::(i % every_ref) with points lt (word(series_lt, i + 1) + 0) \
       pt 6 ps 0.9 notitle, \
     NaN with linespoints lt 7 dt (6, 4) lw 1.5 pt 6 ps 0.9 title ref_key
