# chapters/local.mk -- one program per lesson, built by `make` into
# chapters/chNN-slug from chapters/chNN-slug.c.  A chapter compiles on its
# own against libgrulab and the chapters' helpers in chapters/lib/ (lesson
# output and options, grl_lesson.h; the chart writer, grl_chart.h) with
# the option layer (src/app/), which are not installed.
#
# GRL_PLOTDIR makes a chapter's default --outdir the build tree's plots/
# directory (see grl_lesson_begin in chapters/lib/grl_lesson.h).
#
# To add a chapter chNN-slug:
#   1. add chapters/chNN-slug to CHAPTERS below;
#   2. add tests/chNN-slug.sh (a copy of another chapter's, two lines) to
#      CHAPTER_CHECKS.  `make plots` and `make check` then pick it up;
#   3. add it to the notebook: NOTEBOOK_CHAPTERS, NB_RUNS and its run rule
#      (two lines, like the others) in chapters/notebook/local.mk, and give
#      it an exercises[] block (3 to 5) beside its grl_lesson_info.
CHAPTERS = \
	chapters/ch01-gates \
	chapters/ch02-hidden-state \
	chapters/ch03-article-cell \
	chapters/ch04-bptt \
	chapters/ch05-gradient-checks \
	chapters/ch06-learning \
	chapters/ch07-vanishing \
	chapters/ch08-long-memory \
	chapters/ch09-reading-text
CHAPTER_CHECKS = \
	tests/chapters/ch01-gates.sh \
	tests/chapters/ch02-hidden-state.sh \
	tests/chapters/ch03-article-cell.sh \
	tests/chapters/ch04-bptt.sh \
	tests/chapters/ch05-gradient-checks.sh \
	tests/chapters/ch06-learning.sh \
	tests/chapters/ch07-vanishing.sh \
	tests/chapters/ch08-long-memory.sh \
	tests/chapters/ch09-reading-text.sh

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
TESTS += tests/chapters/chart $(CHAPTER_CHECKS)
EXTRA_DIST += tests/chapters/chapter.sh $(CHAPTER_CHECKS)
