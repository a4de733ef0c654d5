# ch07-lag.gp -- the gradient norm against lag (chapter 7: the rnn, gru,
# lstm and seed lag charts).  Loaded by the generated ch07-*-lag.gp after
# style.gp (dat, chart_title); the chapter sets:
#   T, nseries        the length and the number of measured curves
#   series_name       their keys, quoted words ("'b_z = 0' 'b_z = 2'")
#   series_lc         their colours, style.gp's names (c_gru_b0 ...): one
#                     colour per configuration in every chart of the book
#   series_ref        1 where the series has a reference curve, else 0
#   ymin, ymax        the y range: the measured curves with room to spare,
#                     floored at 1e-30 (the region that matters)
#   ref_key           the key's words for the reference curves
#   ylab              the y label (the LSTM's state is (h, c))
# Columns of dat: lag, then norm_i ref_i for series i = 0, 1, ...
# The measured curves are drawn thick (thinner for each later series); each reference is drawn as open
# markers of its curve's colour every T/10 lags (staggered per series),
# not as a line, so it does not run across the other curves.  Each series
# has its own marker shape, shown with its curve in the key, so a
# reference that crosses another curve still says whose it is.  A series
# without a reference is drawn dashed.
set xlabel 'lag k (steps back from the loss at step T)'
set ylabel ylab
@log_y
set mytics 1
set xrange [0:T-1]
set yrange [ymin:ymax]
decades = log10(ymax) - log10(ymin)
set ytics 1e-30, (decades > 40 ? 1e10 : decades > 16 ? 1e5 : decades > 6 ? 100 : 10)
set key outside right top font font_small
every_ref = (T >= 20 ? T/10 : 2)
shapes = "6 4 8 10 12 14 3 1"
has_ref(i) = word(series_ref, i + 1) eq '1'
ref_pt(i) = int(word(shapes, i + 1))
# Each later series is drawn thinner, on top of the earlier ones, so that
# where two curves overlap (b_f = 2 and 4) the earlier one shows as a rim
# around the later: widths from 6.5 (the first) down to 2.5 (the last).
curve_lw(i) = nseries > 1 ? 2.5 + 4.0 * (nseries - 1 - i) / (nseries - 1) : 3
plot for [i = 0:nseries-1] dat using 1:(column(2 + 2*i)) with lines \
       lc rgb value(word(series_lc, i + 1)) lw curve_lw(i) dt 2-has_ref(i) notitle, \
     for [i = 0:nseries-1] dat using 1:(has_ref(i) ? column(3 + 2*i) : NaN) \
       every every_ref::(i % every_ref) with points lc rgb value(word(series_lc, i + 1)) \
       pt ref_pt(i) ps 1.8 lw 1.5 notitle, \
     for [i = 0:nseries-1] keyentry with linespoints lc rgb value(word(series_lc, i + 1)) \
       lw curve_lw(i) dt 2-has_ref(i) pt ref_pt(i) ps (has_ref(i) ? 1.8 : 0) \
       title word(series_name, i + 1), \
     keyentry with points lc rgb c_ref pt 6 ps 1.8 lw 1.5 title ref_key
