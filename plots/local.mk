# plots/local.mk -- the chapters' runs, and their charts as PNG and PDF.
#
#   make plots            every chapter's run at its default size, and its
#                         charts rendered to PNG (pngcairo, 1280x800) and
#                         PDF (pdfcairo), all in plots/
#   make plots QUICK=1    the same from --quick runs, in plots-quick/
#   make plots-chNN       one chapter's charts (make plots-ch07)
#   make run-chNN         one chapter's run alone
#
# One run of a chapter feeds both `make plots` (PNG, PDF) and `make
# notebook` (SVG, chapters/notebook/local.mk): neither runs a chapter the
# other has run.  A run is plots/chNN-slug.run (the lesson with the
# notebook's markers), plots/chNN-slug.txt (the lesson as printed) and
# plots/chNN-CHART.dat and .gp for each chart; it is done again when the
# chapter's program changed since.  chapters/weave.py runs the chapter
# and renders its charts; it needs python3.
#
# Chapters never run gnuplot; this rule does.  A chapter's chNN-NAME.gp is
# small: it loads style.gp, sets the variables that vary with the run, and
# loads the chart's fixed script plots/templates/TEMPLATE.gp, the file a
# lecturer edits.  style.gp reads grl_term ('png', 'pdf' or 'svg') and
# grl_output to choose the terminal.  Both are found through gnuplot's
# loadpath (the source tree's plots/), so VPATH builds render from the
# build tree.  A chart that makes gnuplot print anything on stderr fails
# the rule.
EXTRA_DIST += plots/style.gp plots/templates

PYTHON3 = python3
WEAVE = $(PYTHON3) $(abs_top_srcdir)/chapters/weave.py
# QUICK=1: --quick runs, in folders of their own (plots-quick/,
# notebook-quick/), so that a preview never overwrites the full book.
QUICK_SUFFIX = $(if $(filter 1,$(QUICK)),-quick)
RUN_QUICK = $(if $(QUICK_SUFFIX),--quick)
RUNDIR = plots$(QUICK_SUFFIX)
RUNS = $(CHAPTER_NAMES:%=$(RUNDIR)/%.run)
PLOT_STAMPS = $(CHAPTER_NAMES:%=$(RUNDIR)/%.plots)
CHART_TEMPLATES = $(srcdir)/plots/style.gp $(wildcard $(srcdir)/plots/templates/*.gp)
# The chapter chNN-slug of a target's stem NN, or a one-line error.
CHAPTER_OF = $(or $(filter ch$*-%,$(CHAPTER_NAMES)),$(error no chapter ch$* (the chapters are $(CHAPTER_NAMES))))
# Kept although they are only steps to other files.
.SECONDARY: $(RUNS) $(PLOT_STAMPS)

$(RUNDIR)/%.run: chapters/%$(EXEEXT)
	@$(WEAVE) run chapters/$*$(EXEEXT) $(RUNDIR) $(RUN_QUICK)

$(RUNDIR)/%.plots: $(RUNDIR)/%.run $(CHART_TEMPLATES)
	@$(WEAVE) charts --srcdir '$(abs_top_srcdir)' --rundir $(RUNDIR) \
	  --out $(RUNDIR) --term png,pdf $* && touch $@

# One chapter's (chapters/notebook/local.mk turns on GNU make's second
# expansion, where $* is the chapter's number).
run-ch%: $$(RUNDIR)/$$(CHAPTER_OF).run
	@:

.PHONY: plots
if HAVE_GNUPLOT
plots: $(PLOT_STAMPS)
	@echo "make plots: charts in $(RUNDIR)/"
plots-ch%: $$(RUNDIR)/$$(CHAPTER_OF).plots
	@echo "make plots: chapter $*'s charts in $(RUNDIR)/"
else
NO_GNUPLOT = echo "make plots: gnuplot was not found when configure ran." >&2; \
	echo "  Install it (Debian: apt-get install gnuplot-nox) and run configure again." >&2; \
	exit 1
plots:
	@$(NO_GNUPLOT)
plots-ch%:
	@$(NO_GNUPLOT)
endif

# Charts are build products; the shared style.gp is not (in an in-tree
# build plots/ is also the source directory), hence the chNN- patterns.
CLEANFILES += plots/ch[0-9][0-9]-*.dat plots/ch[0-9][0-9]-*.gp \
	plots/ch[0-9][0-9]-*.png plots/ch[0-9][0-9]-*.pdf \
	plots/ch[0-9][0-9]-*.txt plots/ch[0-9][0-9]-*.err \
	plots/ch[0-9][0-9]-*.run plots/ch[0-9][0-9]-*.plots
clean-local: plots-clean
plots-clean:
	-rm -rf plots-quick
.PHONY: plots-clean
