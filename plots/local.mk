# plots/local.mk -- the shared style and the rendering rules.
#
#   make plots   runs every chapter at its default size, each writing its
#                charts plots/chNN-NAME.dat and .gp (and its printed lesson
#                to plots/chNN-slug.txt), then renders every chart script
#                plots/chNN-*.gp to PNG (pngcairo, 1280x800) and PDF
#                (pdfcairo), with the shared style plots/style.gp.
#
# Chapters never run gnuplot; this rule does.  A chapter's chNN-NAME.gp is
# small: it loads style.gp, sets the variables that vary with the run, and
# loads the chart's fixed script plots/templates/TEMPLATE.gp, the file a
# lecturer edits.  style.gp reads grl_term ('png' or 'pdf') and grl_output
# to choose the terminal.  Both are found through gnuplot's loadpath (the
# source tree's plots/), so VPATH builds render from the build tree.
# A chart that makes gnuplot print anything on stderr fails the rule.
#
# Every template must be listed here, or `make distcheck` (whose chapter
# tests render every chart) cannot find it.
EXTRA_DIST += plots/style.gp \
	plots/templates/ch01-activations.gp \
	plots/templates/ch01-stable-forms.gp \
	plots/templates/ch02-memory.gp \
	plots/templates/ch02-gates.gp \
	plots/templates/ch02-trajectories.gp \
	plots/templates/ch03-seed-gates.gp \
	plots/templates/ch03-sign-flip.gp \
	plots/templates/ch03-tanh-gates.gp \
	plots/templates/ch03-gru-vs-cho.gp \
	plots/templates/ch04-grad-norm.gp \
	plots/templates/ch05-v-curve.gp \
	plots/templates/ch05-per-tensor.gp \
	plots/templates/ch05-floor.gp \
	plots/templates/ch06-descent.gp \
	plots/templates/ch06-valley.gp \
	plots/templates/ch06-optimisers.gp \
	plots/templates/ch06-batch-noise.gp \
	plots/templates/ch06-clipping.gp \
	plots/templates/ch06-adding.gp \
	plots/templates/ch07-lag.gp \
	plots/templates/ch07-jacobians.gp \
	plots/templates/ch07-clipping.gp \
	plots/templates/ch08-learning-curves.gp \
	plots/templates/ch08-lag-trained.gp \
	plots/templates/ch09-learning-curve.gp \
	plots/templates/ch09-text.gp \
	plots/templates/ch09-gates.gp

PLOTDIR = $(abs_top_builddir)/plots
GNUPLOT_RENDER = $(GNUPLOT) -e "set loadpath '$(abs_top_srcdir)/plots'"

.PHONY: plots
if HAVE_GNUPLOT
plots: $(CHAPTERS)
	@$(MKDIR_P) plots
	@for c in $(CHAPTERS); do \
	  name=`basename $$c`; \
	  echo "  CHAPTER  $$c --outdir plots (lesson in plots/$$name.txt)"; \
	  ./$$c --outdir '$(PLOTDIR)' >plots/$$name.txt \
	    || { echo "make plots: $$c failed; see plots/$$name.txt" >&2; exit 1; }; \
	done
	@cd plots && for gp in ch[0-9][0-9]-*.gp; do \
	  base=`basename $$gp .gp`; \
	  for t in png pdf; do \
	    echo "  GNUPLOT  plots/$$base.$$t"; \
	    $(GNUPLOT_RENDER) -e "grl_term='$$t'; grl_output='$$base.$$t'" \
	      $$gp 2>$$base.$$t.err; rc=$$?; \
	    if test $$rc != 0 || test -s $$base.$$t.err; then \
	      cat $$base.$$t.err >&2; rm -f $$base.$$t.err; \
	      echo "make plots: gnuplot failed or warned on plots/$$gp" >&2; \
	      exit 1; \
	    fi; \
	    rm -f $$base.$$t.err; \
	  done; \
	done
	@echo "make plots: charts in $(PLOTDIR)"
else
plots:
	@echo "make plots: gnuplot was not found when configure ran." >&2; \
	echo "  Install it (Debian: apt-get install gnuplot-nox) and run configure again." >&2; \
	exit 1
endif

# Charts are build products; the shared style.gp is not (in an in-tree
# build plots/ is also the source directory), hence the chNN- patterns.
CLEANFILES += plots/ch[0-9][0-9]-*.dat plots/ch[0-9][0-9]-*.gp \
	plots/ch[0-9][0-9]-*.png plots/ch[0-9][0-9]-*.pdf \
	plots/ch[0-9][0-9]-*.txt plots/ch[0-9][0-9]-*.err
