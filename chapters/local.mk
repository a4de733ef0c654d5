# chapters/local.mk -- one program per lesson, built by `make` into
# chapters/chNN-slug from chapters/chNN-slug.c.  A chapter compiles on its
# own against libgrulab and the chapters' helpers in chapters/lib/ (lesson
# output and options, grl_lesson.h; the chart writer, grl_chart.h) with
# the option layer (src/app/), which are not installed.
#
# GRL_PLOTDIR makes a chapter's default --outdir the build tree's plots/
# directory (see grl_lesson_begin in chapters/lib/grl_lesson.h).
#
# CHAPTERS is the book's one list of chapters, in reading order: the
# programs, their tests (CHAPTER_CHECKS), the runs that `make plots` and
# `make notebook` share, the notebook's pages and `make check-valgrind`
# all come from it.  To add chapter chNN-slug: add chapters/chNN-slug
# here, and write chapters/chNN-slug.c (with its exercises[] beside its
# grl_lesson_info) and tests/chapters/chNN-slug.sh (two lines, like the
# others).
CHAPTERS = \
	chapters/ch01-gates \
	chapters/ch02-hidden-state \
	chapters/ch03-article-cell \
	chapters/ch04-bptt \
	chapters/ch05-gradient-checks \
	chapters/ch06-learning \
	chapters/ch07-vanishing \
	chapters/ch08-long-memory \
	chapters/ch09-reading-text \
	chapters/ch10-claims
CHAPTER_NAMES = $(notdir $(CHAPTERS))
CHAPTER_CHECKS = $(patsubst %,tests/%.sh,$(CHAPTERS))

noinst_PROGRAMS += $(CHAPTERS)
AM_CPPFLAGS += -I$(top_srcdir)/chapters/lib -I$(top_srcdir)/src/app \
	-DGRL_PLOTDIR='"$(abs_top_builddir)/plots"'
CHAPTER_LDADD = chapters/lib/libchapter.a src/app/libapp.a src/lib/libgrulab.la \
	$(GRL_LIBS) $(APP_LIBS)
LDADD = $(CHAPTER_LDADD)

# The chapters' helpers: a library of their own, not installed.
noinst_LIBRARIES += chapters/lib/libchapter.a
chapters_lib_libchapter_a_SOURCES = \
	chapters/lib/grl_lesson.h \
	chapters/lib/lesson.c \
	chapters/lib/grl_chart.h \
	chapters/lib/chart.c

# The chapter tests: each runs its chapter with --quick and checks its
# charts (tests/chapters/chapter.sh).  tests/chapters/chart tests the chart writer itself.
check_PROGRAMS += tests/chapters/chart
tests_chapters_chart_LDADD = tests/libtap.a $(CHAPTER_LDADD)
TESTS += tests/chapters/chart tests/chapters/xref.sh tests/chapters/solutions.sh
# (Through $(eval): automake would otherwise expand CHAPTER_CHECKS itself,
# and cannot.  `make check TESTS=...` still runs only the tests named.)
# (chapter 10's is in TESTS at the top of Makefile.am: the longest tests
# run first)
$(eval TESTS += $(filter-out tests/chapters/ch10-claims.sh,$(CHAPTER_CHECKS)))

# Each chapter's --quick run, once, for every test that reads it: its own
# test, the notebook's (the book woven from all of them), the
# cross-references' and the exercises' (tests/chapters/quick-run.sh says
# what it leaves).  Made with the test programs, before any test starts
# (check_DATA; chapter 10's, the longest, first); a chapter that fails is
# the tests' news.  (No test's .log depends on them: make -j2 would then
# start those tests after every test that depends on nothing.)
QUICK_RUNS = $(CHAPTER_NAMES:%=tests/chapters/quick/%.rc)
check_DATA = tests/chapters/quick/ch10-claims.rc $(QUICK_RUNS)
$(QUICK_RUNS): tests/chapters/quick/%.rc: chapters/%$(EXEEXT)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/chapters/quick-run.sh chapters/$* tests/chapters/quick
clean-local: clean-quick-runs
clean-quick-runs:
	-rm -rf tests/chapters/quick
.PHONY: clean-quick-runs
EXTRA_DIST += tests/chapters/chapter.sh tests/chapters/quick-run.sh $(CHAPTER_CHECKS) \
	tests/chapters/xref.sh tests/chapters/xref.py tests/chapters/solutions.sh
