# chapters/notebook/local.mk -- `make notebook`: the chapters woven into an
# offline HTML book with PDF handouts (chapters/weave.py does the weaving).
#
#   make notebook          runs every chapter once at its default size (a
#                          chapter whose source and binary did not change
#                          since its last run is not run again), renders
#                          its charts to SVG, weaves notebook/index.html and
#                          notebook/chNN-slug.html, and prints the handouts
#                          notebook/pdf/chNN-slug.pdf (headless chromium).
#   make notebook QUICK=1  the same from --quick runs, in seconds; every page
#                          says that its numbers are not the chapter's results.
#
# The runs are kept in notebook/run/ (notebook/run-quick/ for QUICK=1): one
# NAME.txt (the output, with the weaver's markers) and NAME/ (the charts'
# data) per chapter.  Needs python3, pandoc, gnuplot and chromium: the
# weaver names the Debian package of whichever is missing.
NOTEBOOK_CHAPTERS = \
	ch01-gates \
	ch02-hidden-state \
	ch03-article-cell \
	ch04-bptt \
	ch05-gradient-checks \
	ch07-vanishing \
	ch08-long-memory \
	ch09-reading-text

PYTHON3 = python3
WEAVE = $(PYTHON3) $(abs_top_srcdir)/chapters/weave.py
# QUICK=1 -> "-quick" and "--quick"; unset -> "" (a suffix substitution).
NB_RUNDIR = notebook/run$(QUICK:1=-quick)
NB_QUICK = $(QUICK:1=--quick)
NB_RUN = $(WEAVE) run

# One rule per chapter: its run depends on its binary and its source.
$(NB_RUNDIR)/ch01-gates.txt: chapters/ch01-gates$(EXEEXT) $(srcdir)/chapters/ch01-gates.c
	@$(NB_RUN) chapters/ch01-gates$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch02-hidden-state.txt: chapters/ch02-hidden-state$(EXEEXT) $(srcdir)/chapters/ch02-hidden-state.c
	@$(NB_RUN) chapters/ch02-hidden-state$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch03-article-cell.txt: chapters/ch03-article-cell$(EXEEXT) $(srcdir)/chapters/ch03-article-cell.c
	@$(NB_RUN) chapters/ch03-article-cell$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch04-bptt.txt: chapters/ch04-bptt$(EXEEXT) $(srcdir)/chapters/ch04-bptt.c
	@$(NB_RUN) chapters/ch04-bptt$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch05-gradient-checks.txt: chapters/ch05-gradient-checks$(EXEEXT) $(srcdir)/chapters/ch05-gradient-checks.c
	@$(NB_RUN) chapters/ch05-gradient-checks$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch07-vanishing.txt: chapters/ch07-vanishing$(EXEEXT) $(srcdir)/chapters/ch07-vanishing.c
	@$(NB_RUN) chapters/ch07-vanishing$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch08-long-memory.txt: chapters/ch08-long-memory$(EXEEXT) $(srcdir)/chapters/ch08-long-memory.c
	@$(NB_RUN) chapters/ch08-long-memory$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)
$(NB_RUNDIR)/ch09-reading-text.txt: chapters/ch09-reading-text$(EXEEXT) $(srcdir)/chapters/ch09-reading-text.c
	@$(NB_RUN) chapters/ch09-reading-text$(EXEEXT) $(NB_RUNDIR) $(NB_QUICK)

NB_RUNS = \
	$(NB_RUNDIR)/ch01-gates.txt \
	$(NB_RUNDIR)/ch02-hidden-state.txt \
	$(NB_RUNDIR)/ch03-article-cell.txt \
	$(NB_RUNDIR)/ch04-bptt.txt \
	$(NB_RUNDIR)/ch05-gradient-checks.txt \
	$(NB_RUNDIR)/ch07-vanishing.txt \
	$(NB_RUNDIR)/ch08-long-memory.txt \
	$(NB_RUNDIR)/ch09-reading-text.txt

.PHONY: notebook notebook-tools
notebook-tools:
	@command -v $(PYTHON3) >/dev/null 2>&1 || { \
	  echo "make notebook: $(PYTHON3) is missing; install the Debian package 'python3' (apt-get install python3), or run ./bootstrap" >&2; \
	  exit 1; }
	@$(WEAVE) check-tools --pdf
notebook: notebook-tools
	@$(MAKE) $(AM_MAKEFLAGS) $(NB_RUNS)
	@$(WEAVE) book --srcdir '$(abs_top_srcdir)' --rundir $(NB_RUNDIR) \
	  --out notebook $(NB_QUICK) --pdf $(NOTEBOOK_CHAPTERS)

clean-local: notebook-clean
notebook-clean:
	-rm -rf notebook
.PHONY: notebook-clean

EXTRA_DIST += chapters/weave.py chapters/notebook/template.html \
	chapters/notebook/notebook.css chapters/notebook/index.md

# The notebook's tests: the woven book's content, and every page in a real
# browser (both weave their own book from --quick runs in a temporary
# directory, with tests/notebook/notebook-setup.sh).
AM_TESTS_ENVIRONMENT += \
	NOTEBOOK_CHAPTERS='$(NOTEBOOK_CHAPTERS)'; export NOTEBOOK_CHAPTERS; \
	PYTHON3='$(PYTHON3)'; export PYTHON3;
TESTS += tests/chapters/exercises.sh tests/notebook/notebook.sh tests/notebook/notebook-browser.sh
EXTRA_DIST += tests/chapters/exercises.sh tests/notebook/notebook.sh tests/notebook/notebook-browser.sh \
	tests/notebook/notebook-setup.sh tests/notebook/notebook_check.py tests/notebook/notebook_browser.py \
	tests/notebook/tap.py
