# style.gp -- the one look of every grulab chart.
#
# Every chart script a chapter writes begins with  load 'style.gp' , found
# through gnuplot's loadpath, so all the charts of a lecture look alike.
# It then sets the run's variables (dat, chart_title, ...) and loads the
# chart's fixed script from plots/templates/, also through the loadpath.
#
# The output is chosen by two variables set before the script runs
# (`make plots` sets them; see plots/local.mk):
#   grl_term   = 'png'  pngcairo, 1280x800 pixels, fonts for a projector
#              = 'pdf'  pdfcairo, 8x5 inches, for handouts and slides
#              = 'svg'  svg, 1024x640, for the notebook (make notebook)
#              = 'svgprint'  svg with the PDF's proportions (720x450, 14
#                       points), for the printed handouts (make handouts)
#   grl_output = the file to write
# Without them the chart goes to gnuplot's default terminal, so from the
# directory holding the charts
#   gnuplot -p -e "set loadpath 'TOP_SRCDIR/plots'" ch01-activations.gp
# opens it in a window.
#
# Chart scripts may use these names:
#   grl_fs            the base font size of the terminal (points)
#   font_title        the title's font spec (4 points larger), e.g. for
#                       set multiplot title chart_title font font_title
#   font_normal       the base font spec, e.g. for the panels' titles
#   font_small        a font spec 3 points smaller, for crowded keys:
#                       set key font font_small
#   @log_x, @log_y    a logarithmic axis with 10^k tic labels
#   @heat_unit        a heatmap of values in [0,1] (gate activations)
#   @heat_signed      a diverging heatmap; the script sets a symmetric
#                     cbrange [-m:m] itself
#   @heat_axes        tight axes for a heatmap
#   @heat_image       the heatmap's plot style:
#                       plot dat index 0 matrix with @heat_image title 'z'
#                     'image pixels' (one vector rectangle per value: crisp
#                     in the PDF), except in the PNG, where cairo's
#                     antialiasing draws a seam between adjacent rectangles
#                     and the equivalent bitmap 'image' is used instead

set encoding utf8

# ---- the terminal -------------------------------------------------------
grl_fs = 20
heat_image = "image pixels"
if (exists("grl_term")) {
  if (grl_term eq "png") {
    grl_fs = 20
    heat_image = "image"
    set terminal pngcairo size 1280,800 enhanced font "DejaVu Sans,20" \
        linewidth 2 rounded
  } else {
    if (grl_term eq "pdf") {
      # pdfcairo draws text smaller than pngcairo at the same nominal
      # size: 14 points on 8x5 inches reads like the PNG's 20 pixels.
      grl_fs = 14
      set terminal pdfcairo size 8in,5in enhanced font "DejaVu Sans,14" \
          linewidth 1.5 rounded
    } else {
      if (grl_term eq "svg") {
        # svg: the notebook's charts (make notebook), sharp at any zoom;
        # 'image pixels' heatmaps stay vectors, like the PDF's.
        grl_fs = 16
        set terminal svg size 1024,640 fixed enhanced font "DejaVu Sans,16" \
            linewidth 1.5 rounded background rgb 'white'
      } else {
        if (grl_term eq "svgprint") {
          # svg drawn for print: text as large against the chart as the
          # PDF's, so that it stays legible at a third of a page.
          grl_fs = 14
          set terminal svg size 720,450 fixed enhanced font "DejaVu Sans,14" \
              linewidth 1.5 rounded background rgb 'white'
        } else {
          exit error "style.gp: grl_term must be 'png', 'pdf', 'svg' or 'svgprint', not '".grl_term."'"
        }
      }
    }
  }
  if (exists("grl_output")) {
    set output grl_output
  }
}

# ---- lines: the Okabe-Ito palette, safe for colour-blind readers -------
set linetype 1 lc rgb '#0072B2' lw 2.5 pt 7 ps 1.1 dt solid   # blue
set linetype 2 lc rgb '#D55E00' lw 2.5 pt 5 ps 1.1 dt solid   # vermillion
set linetype 3 lc rgb '#009E73' lw 2.5 pt 9 ps 1.3 dt solid   # bluish green
set linetype 4 lc rgb '#CC79A7' lw 2.5 pt 11 ps 1.3 dt solid  # reddish purple
set linetype 5 lc rgb '#E69F00' lw 2.5 pt 13 ps 1.3 dt solid  # orange
set linetype 6 lc rgb '#56B4E9' lw 2.5 pt 4 ps 1.1 dt solid   # sky blue
set linetype 7 lc rgb '#000000' lw 2.5 pt 6 ps 1.1 dt solid   # black
set linetype 8 lc rgb '#999999' lw 2.5 pt 8 ps 1.1 dt solid   # grey
set linetype cycle 8

# ---- one colour per configuration, in every chart of the book ----------
# A configuration (a cell, and its keep-gate bias or lambda_1 where it
# has one) has the same colour in every chart that draws it.  Use them
# as  lc rgb c_gru , or from a chapter's word list as
#   lc rgb value(word(series_lc, i + 1))   with series_lc = "c_gru c_lstm".
# Cells (their default: PyTorch's initialisation), Okabe-Ito hues:
c_rnn     = '#E69F00'   # orange        tanh RNN
c_gru     = '#0072B2'   # blue          GRU (PyTorch, reset-after)
c_gru_cho = '#56B4E9'   # sky blue      GRU of Cho et al. (reset-before)
c_lstm    = '#D55E00'   # vermillion    LSTM
c_seed    = '#009E73'   # bluish green  the article's seed cell
c_mgu     = '#CC79A7'   # purple        minimal gated unit
# A keep-gate bias b (b_z for the GRU, b_f for the LSTM and the seed
# cell): the cell's hue, light at b = 0, mid at b = 2, dark at b = 4.
c_gru_b0  = '#7FC1EE'
c_gru_b2  = '#3A5FCD'
c_gru_b4  = '#0B1F4F'
c_lstm_b0 = '#F7A46B'
c_lstm_b2 = '#C24A00'
c_lstm_b4 = '#5E2100'
c_seed_b0 = '#7ED8B5'
c_seed_b2 = '#00845F'
c_seed_b4 = '#00382A'
# A light GRU blue for the raw points under a GRU curve (every batch of
# a noisy learning curve, chapter 9); not a keep-gate bias.
c_gru_light = '#9EC5E3'
# The LSTM with forget bias 1 (Jozefowicz et al. 2015; chapter 8), darker
# than PyTorch's draw around 0; at the GRU's parameter count (H = 27 for
# H = 32) the same colour, drawn dashed.
c_lstm_f1 = '#8C2D04'
# ... and at the GRU's parameter count a rose of its own, dashed too, so
# that its band is not told from the H = 32 one by the dash alone.
c_lstm_f1_pc = '#CC6677'
# The tanh RNN with W_hh rescaled to largest singular value lambda_1
# (chapter 7), Paul Tol's hues, cool (vanishing) to wine (exploding):
c_rnn_l05 = '#88CCEE'   # lambda_1 = 0.5  cyan
c_rnn_l09 = '#44AA99'   # lambda_1 = 0.9  teal
c_rnn_l1  = '#999933'   # lambda_1 = 1    olive
c_rnn_l15 = '#EE3377'   # lambda_1 = 1.5  magenta (Tol's vibrant; not
                        # c_lstm_f1_pc's rose, which chapter 8 uses)
c_rnn_l3  = '#882255'   # lambda_1 = 3    wine
# Training runs of one tanh RNN (chapter 7 §7, lambda_1 = 3): run
# colours, none of them another cell's.  Not clipped: wine, the
# lambda_1 = 3 RNN's own; clipped: indigo; a lower lr: purple.
c_run_noclip = '#882255'
c_run_clip   = '#332288'
c_run_lowlr  = '#AA4499'
c_run_value  = '#DDAA33'   # ochre: clipped by value (chapter 6)
# References and bounds: black (c_ref) or grey (c_ref2), thin and dashed.
c_ref     = '#000000'
c_ref2    = '#999999'

# ---- frame, grid, key -------------------------------------------------
set border 3 back lw 1 lc rgb '#404040'
set tics nomirror out scale 0.6
set grid back lw 1 lc rgb '#dddddd' dt solid
set key top right opaque spacing 1.15 samplen 2.5 box lc rgb '#cccccc'
font_title = sprintf(",%d", grl_fs + 4)
font_normal = sprintf(",%d", grl_fs)
font_small = sprintf(",%d", grl_fs - 3)
set title font font_title offset 0,-0.3
set xlabel offset 0,0.3
set format y "%g"
set format x "%g"
set samples 500
set datafile commentschars "#"

# ---- macros -------------------------------------------------------------
log_x = "set logscale x; set format x '10^{%L}'; set mxtics 10"
log_y = "set logscale y; set format y '10^{%L}'; set mytics 10"

# viridis, a perceptually uniform map for values in [0,1]
heat_unit = "set palette defined (0 '#440154', 0.14 '#46327e', 0.29 '#365c8d', 0.43 '#277f8e', 0.57 '#1fa187', 0.71 '#4ac16d', 0.86 '#a0da39', 1 '#fde725'); set cbrange [0:1]; set cbtics 0.25"
# blue - white - red for signed values
heat_signed = "set palette defined (-1 '#2166ac', -0.5 '#67a9cf', 0 '#f7f7f7', 0.5 '#ef8a62', 1 '#b2182b')"
heat_axes = "set autoscale xfix; set autoscale yfix; unset grid; set tics out; set border 15 front lw 1; set key off"

# ---- numerical derivatives (chapter 5): one colour per method ----------
# A method has the same colour in every chart that draws it; the two
# relative errors of chapter 5's floor chart have their own.
c_m_forward   = '#E69F00'   # orange        forward difference
c_m_central   = '#0072B2'   # blue          central difference
c_m_gsl       = '#CC79A7'   # purple        gsl_deriv_central
c_m_complex   = '#009E73'   # bluish green  complex step
c_rel_plain   = '#D55E00'   # vermillion    plain |a-n|/(|a|+|n|)
c_rel_floored = '#44AA99'   # teal          floored |a-n|/max(|a|+|n|, floor)
