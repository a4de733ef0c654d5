# chapters/notebook/local.mk -- `make notebook`: the chapters woven into an
# offline HTML book (chapters/weave.py does the weaving).
#
#   make notebook          every chapter's run at its default size (shared
#                          with `make plots`, plots/local.mk), its charts
#                          rendered to SVG, notebook/index.html and
#                          notebook/chNN-slug.html, each chapter's source as
#                          notebook/src/chNN-slug.c.html, and each page
#                          printed to notebook/pdf/chNN-slug.pdf (headless
#                          chromium); it builds src/grulab, which the pages'
#                          exercises use
#   make notebook QUICK=1  the same from --quick runs (plots-quick/), in
#                          notebook-quick/, without PDFs: a preview in
#                          seconds whose pages say that their numbers are not
#                          the chapters' results
#   PDF=0 / PDF=1          leave the PDFs out / print them (the default
#                          without QUICK=1)
#   make notebook-chNN     one chapter's page (make notebook-ch07 QUICK=1)
#
# Only what changed is done again: a chapter runs again when its program
# changed, a page is woven again when its run, its source or the weaver
# changed, and a PDF is printed again only when its page's text, style or
# charts changed.  Needs python3, pandoc, gnuplot and chromium (the PDFs
# are printed with chromium-headless-shell when it is installed): the
# weaver names the Debian package of whichever is missing.
NBDIR = notebook$(QUICK_SUFFIX)
PDF = $(if $(QUICK_SUFFIX),0,1)
NB_QUICK = $(RUN_QUICK)
NB_DEPS = $(srcdir)/chapters/weave.py $(srcdir)/chapters/notebook/template.html \
	$(srcdir)/chapters/notebook/notebook.css $(CHART_TEMPLATES)
NB_STAMPS = $(CHAPTER_NAMES:%=$(NBDIR)/.stamp/%)
NB_DIGESTS = $(CHAPTER_NAMES:%=$(NBDIR)/.digest/%)
NB_PAGES = $(CHAPTER_NAMES:%=$(NBDIR)/%.html)
# (QUICK=1: the plain source; the highlighted listing takes the longest)
NB_SOURCE_PAGES = $(CHAPTER_NAMES:%=$(NBDIR)/src/%.c$(if $(QUICK_SUFFIX),,.html))
NB_PDFS = $(if $(filter 1,$(PDF)),$(CHAPTER_NAMES:%=$(NBDIR)/pdf/%.pdf))
NB_PDF_STAMP = $(if $(NB_PDFS),$(NBDIR)/pdf/.stamp)
WEAVE_OPTS = --srcdir '$(abs_top_srcdir)' --out $(NBDIR) $(NB_QUICK)
.SECONDARY: $(NB_STAMPS) $(NB_DIGESTS)

# A page: woven when its run, source or the weaver changed, or a lab file
# (whose Prerequisites put its link on the page; the stamp);
# NAME.html and .digest/NAME (its text, style and charts, for the PDF) are
# rewritten only when they change.
$(NBDIR)/.stamp/%: $(RUNDIR)/%.run $(srcdir)/chapters/%.c $(NB_DEPS) \
	$(wildcard $(srcdir)/lab/[0-9][0-9]-*.c)
	@$(MKDIR_P) $(NBDIR)/.stamp
	@echo "  WEAVE    $(NBDIR)/$*.html"
	@$(WEAVE) page $(WEAVE_OPTS) --rundir $(RUNDIR) $* $(CHAPTER_NAMES) \
	  && touch $@
# (Two rules: one rule making both would date both as remade.)
$(NBDIR)/%.html: $(NBDIR)/.stamp/%
	@:
$(NBDIR)/.digest/%: $(NBDIR)/.stamp/%
	@:
$(NBDIR)/src/%.c.html $(NBDIR)/src/%.c: $(srcdir)/chapters/%.c $(NB_DEPS)
	@$(WEAVE) source $(WEAVE_OPTS) $* && touch $@
$(NBDIR)/pdf/%.pdf: $(NBDIR)/.digest/%
	@echo "  PDF      $@"
	@$(WEAVE) pdf $(NBDIR)/$*.html $@
# make notebook's PDFs: each page's whose digest changed ($?) or whose PDF
# is missing, all printed by one Chromium (weave.py pdf takes pairs): a
# Chromium's start costs more than most pages' printing.  (A stamp that
# remakes itself when one of FILES is missing: $(call if_missing,FILES).)
if_missing = $(if $(filter-out $(wildcard $(1)),$(1)),pdf-missing)
.PHONY: pdf-missing
.SECONDARY: $(CHAPTER_NAMES:%=$(NBDIR)/pdf/%.pdf)
nb_stale = $(foreach n,$(CHAPTER_NAMES),$(if $(or $(filter $(NBDIR)/.digest/$n,$?),$(if $(wildcard $(NBDIR)/pdf/$n.pdf),,1)),$(NBDIR)/$n.html $(NBDIR)/pdf/$n.pdf))
$(NBDIR)/pdf/.stamp: $(NB_DIGESTS) $(call if_missing,$(NB_PDFS))
	@$(MKDIR_P) $(NBDIR)/pdf
	@$(call print_stale,$(nb_stale))
	@touch $@
# The lab's files (lab/local.mk's LAB_FILE_NAMES), a page each: its prose,
# its code with the blanks, and what the grader says of it as handed out.
NB_LAB_PAGES = $(LAB_FILE_NAMES:%.c=$(NBDIR)/lab/%.html)
.SECONDARY: $(LAB_FILE_NAMES:%.c=$(NBDIR)/lab/%.report)
$(NBDIR)/lab/%.report: $(srcdir)/lab/%.c tests/lab/grade-blank$(EXEEXT) \
	  lab/blank/stamp
	@$(MKDIR_P) $(NBDIR)/lab
	@tests/lab/grade-blank$(EXEEXT) --report --src '$(abs_top_builddir)/lab/blank' \
	  --lab $(firstword $(subst -, ,$*)) | sed 's|$(abs_top_builddir)/lab/blank|lab|' \
	  >$@.tmp && mv $@.tmp $@
$(NBDIR)/lab/%.html: $(srcdir)/lab/%.c $(NBDIR)/lab/%.report $(NB_DEPS)
	@echo "  WEAVE    $@"
	@$(WEAVE) lab $(WEAVE_OPTS) --report $(NBDIR)/lab/$*.report $* && touch $@
# The contents: every chapter's title, prerequisites and goals, the lab,
# and a link to each PDF that exists (so it follows the PDFs).
$(NBDIR)/index.html: $(CHAPTERS:%=$(srcdir)/%.c) $(LAB_FILES:%=$(srcdir)/%) \
	  $(srcdir)/chapters/notebook/index.md $(NB_DEPS) $(NB_PDF_STAMP)
	@echo "  WEAVE    $@"
	@$(WEAVE) index $(WEAVE_OPTS) --labs "$(LAB_FILE_NAMES)" \
	  $(CHAPTER_NAMES) && touch $@

.PHONY: notebook notebook-tools
notebook-tools:
	@command -v $(PYTHON3) >/dev/null 2>&1 || { \
	  echo "make notebook: $(PYTHON3) is missing; install the Debian package 'python3' (apt-get install python3), or run ./bootstrap" >&2; \
	  exit 1; }
	@$(WEAVE) check-tools $(if $(NB_PDFS),--pdf)
# print_stale HTML PDF ...: print each pair with one weave.py pdf, each PDF
# named as it is printed; nothing when there is none.
print_stale = set -- $(1); for f; do case $$f in *.pdf) echo "  PDF      $$f";; esac; \
	  done; [ $$\# = 0 ] || $(WEAVE) pdf "$$@"

# (Prerequisites, not a make inside: `make notebook lecture` then builds
# each run once.)
notebook: notebook-tools src/grulab$(EXEEXT) $(NB_PAGES) $(NB_SOURCE_PAGES) \
	  $(NB_LAB_PAGES) $(NB_PDF_STAMP) $(NBDIR)/index.html
	@echo "make notebook: open $(NBDIR)/index.html"
# One chapter's: its files, named from the target (GNU make's second
# expansion, where $* is the chapter's number).
.SECONDEXPANSION:
notebook-ch%: notebook-tools src/grulab$(EXEEXT) $$(NBDIR)/$$(CHAPTER_OF).html \
	  $$(NBDIR)/src/$$(CHAPTER_OF).c$$(if $$(QUICK_SUFFIX),,.html) \
	  $$(if $$(NB_PDFS),$$(NBDIR)/pdf/$$(CHAPTER_OF).pdf)
	@echo "make notebook: open $(NBDIR)/$(CHAPTER_OF).html"

# For lecturers: a handout, a deck of slides and an answer key.
#
#   make handouts          lecture/handouts/chNN-slug.pdf (and .html): the
#                          chapter's prerequisites, goals and equations, its
#                          charts with their titles and takeaways, its
#                          exercises; 2-4 A4 pages
#   make slides            lecture/slides/chNN-slug.html, one self-contained
#                          16:9 file (arrow keys; f for full screen), and .pdf:
#                          a title slide, then a slide per chart with its
#                          title and the takeaway its run measured
#   make answers           lecture/answers.html and .pdf: every exercise with
#                          the answer its chapter computes (--solutions) and
#                          the code that computes it; not in the notebook
#   make lecture           all three
#   make handout-chNN, make slides-chNN    one chapter's
# From the same runs as the notebook and the plots; QUICK=1 writes
# lecture-quick/ from the --quick runs.
LECTDIR = lecture$(QUICK_SUFFIX)
HANDOUT_PDFS = $(CHAPTER_NAMES:%=$(LECTDIR)/handouts/%.pdf)
SLIDE_PDFS = $(CHAPTER_NAMES:%=$(LECTDIR)/slides/%.pdf)
LECT_OPTS = --srcdir '$(abs_top_srcdir)' --rundir $(RUNDIR) $(NB_QUICK)
.SECONDARY: $(HANDOUT_PDFS:.pdf=.html) $(SLIDE_PDFS:.pdf=.html)

$(LECTDIR)/handouts/%.html: $(RUNDIR)/%.run $(srcdir)/chapters/%.c $(NB_DEPS) \
	  $(srcdir)/chapters/notebook/handout.css
	@echo "  WEAVE    $@"
	@$(WEAVE) handout $(LECT_OPTS) --out $(LECTDIR)/handouts $* && touch $@
$(LECTDIR)/slides/%.html: $(RUNDIR)/%.run $(srcdir)/chapters/%.c $(NB_DEPS) \
	  $(srcdir)/chapters/notebook/slides.html
	@echo "  WEAVE    $@"
	@$(WEAVE) slides $(LECT_OPTS) --out $(LECTDIR)/slides $* && touch $@
$(LECTDIR)/handouts/%.pdf: $(LECTDIR)/handouts/%.html
	@echo "  PDF      $@"
	@$(WEAVE) pdf $< $@
$(LECTDIR)/slides/%.pdf: $(LECTDIR)/slides/%.html
	@echo "  PDF      $@"
	@$(WEAVE) pdf $< $@
# make handouts and make slides: every page that changed ($?) or has no
# PDF, printed by one Chromium (as the notebook's, above).
.SECONDARY: $(HANDOUT_PDFS) $(SLIDE_PDFS)
html_stale = $(foreach h,$(filter %.html,$^),$(if $(or $(filter $h,$?),$(if $(wildcard $(h:.html=.pdf)),,1)),$h $(h:.html=.pdf)))
$(LECTDIR)/handouts/.stamp: $(HANDOUT_PDFS:.pdf=.html) $(call if_missing,$(HANDOUT_PDFS))
	@$(call print_stale,$(html_stale))
	@touch $@
$(LECTDIR)/slides/.stamp: $(SLIDE_PDFS:.pdf=.html) $(call if_missing,$(SLIDE_PDFS))
	@$(call print_stale,$(html_stale))
	@touch $@
lecture/answers.html: $(CHAPTERS:%=%$(EXEEXT)) $(CHAPTERS:%=$(srcdir)/%.c) $(NB_DEPS)
	@$(MKDIR_P) lecture
	@echo "  WEAVE    $@"
	@$(WEAVE) answers --srcdir '$(abs_top_srcdir)' --bindir chapters \
	  --out $@ $(CHAPTER_NAMES) && touch $@
lecture/answers.pdf: lecture/answers.html
	@echo "  PDF      $@"
	@$(WEAVE) pdf $< $@

.PHONY: handouts slides answers lecture
handouts: notebook-tools $(LECTDIR)/handouts/.stamp
	@echo "make handouts: $(LECTDIR)/handouts/"
slides: notebook-tools $(LECTDIR)/slides/.stamp
	@echo "make slides: $(LECTDIR)/slides/ (open the .html in a browser, f for full screen)"
answers: notebook-tools lecture/answers.pdf
	@echo "make answers: lecture/answers.html and .pdf, for instructors"
lecture: handouts slides answers
handout-ch%: notebook-tools $$(LECTDIR)/handouts/$$(CHAPTER_OF).pdf
	@echo "make handout: $(LECTDIR)/handouts/$(CHAPTER_OF).pdf"
slides-ch%: notebook-tools $$(LECTDIR)/slides/$$(CHAPTER_OF).pdf
	@echo "make slides: $(LECTDIR)/slides/$(CHAPTER_OF).html and .pdf"

clean-local: notebook-clean
notebook-clean:
	-rm -rf notebook notebook-quick lecture lecture-quick tests/notebook/quick-book
.PHONY: notebook-clean

EXTRA_DIST += chapters/weave.py chapters/notebook/template.html \
	chapters/notebook/notebook.css chapters/notebook/index.md \
	chapters/notebook/handout.css chapters/notebook/slides.html

# The notebook's tests: the woven book's content, and every page in a real
# browser, and the lecture material, from the quick runs that make check
# makes for the tests (chapters/local.mk).
AM_TESTS_ENVIRONMENT += \
	CHAPTER_NAMES='$(CHAPTER_NAMES)'; export CHAPTER_NAMES; \
	LAB_FILE_NAMES='$(LAB_FILE_NAMES)'; export LAB_FILE_NAMES; \
	PYTHON3='$(PYTHON3)'; export PYTHON3;
# (tests/chapters/exercises.sh and these three are in TESTS at the top of
# Makefile.am: the longest tests run first)
# The book they read, woven once from the chapters' quick runs with the
# test programs, before any test starts (tests/notebook/quick-book.sh).
check_DATA += tests/notebook/quick-book/stamp
tests/notebook/quick-book/stamp: $(QUICK_RUNS) $(srcdir)/chapters/weave.py \
		$(srcdir)/chapters/notebook/template.html $(srcdir)/chapters/notebook/notebook.css \
		$(srcdir)/chapters/notebook/index.md $(LAB_FILE_NAMES:%=$(srcdir)/lab/%) \
		$(srcdir)/tests/notebook/quick-book.sh $(srcdir)/tests/notebook/notebook-setup.sh
	$(AM_V_GEN)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  PYTHON3='$(PYTHON3)' GNUPLOT='$(GNUPLOT)' CHAPTER_NAMES='$(CHAPTER_NAMES)' \
	  LAB_FILE_NAMES='$(LAB_FILE_NAMES)' $(SHELL) $(srcdir)/tests/notebook/quick-book.sh
EXTRA_DIST += tests/chapters/exercises.sh tests/notebook/notebook.sh tests/notebook/notebook-browser.sh \
	tests/notebook/notebook-setup.sh tests/notebook/notebook_check.py tests/notebook/notebook_browser.py \
	tests/notebook/tap.py tests/notebook/lecture.sh tests/notebook/lecture_check.py \
	tests/notebook/quick-book.sh
