# chapters/local.mk -- one program per lesson, built by `make` into
# chapters/chNN-slug.  A chapter compiles on its own against libgrulab.
#
# GRL_PLOTDIR makes a chapter's default --outdir the build tree's plots/
# directory (see grl_lesson_begin in src/grl_chart.h).
#
# To add a chapter chNN-slug:
#   1. add chapters/chNN-slug to CHAPTERS below;
#   2. add its three lines (_SOURCES, _CPPFLAGS, _LDADD) like the others;
#   3. add tests/chNN-slug.sh (a copy of another chapter's, two lines) to
#      CHAPTER_CHECKS.  `make plots` and `make check` then pick it up.
CHAPTERS = \
	chapters/ch01-gates \
	chapters/ch02-hidden-state \
	chapters/ch03-article-cell \
	chapters/ch04-bptt \
	chapters/ch05-gradient-checks \
	chapters/ch06-vanishing \
	chapters/ch07-long-memory \
	chapters/ch08-reading-text
CHAPTER_CHECKS = \
	tests/ch01-gates.sh \
	tests/ch02-hidden-state.sh \
	tests/ch03-article-cell.sh \
	tests/ch04-bptt.sh \
	tests/ch05-gradient-checks.sh \
	tests/ch06-vanishing.sh \
	tests/ch07-long-memory.sh \
	tests/ch08-reading-text.sh

noinst_PROGRAMS += $(CHAPTERS)
CHAPTER_CPPFLAGS = $(AM_CPPFLAGS) -DGRL_PLOTDIR='"$(abs_top_builddir)/plots"'
CHAPTER_LDADD = src/libgrulab.la $(GRL_LIBS)

chapters_ch01_gates_SOURCES = chapters/ch01-gates.c
chapters_ch01_gates_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch01_gates_LDADD = $(CHAPTER_LDADD)
chapters_ch02_hidden_state_SOURCES = chapters/ch02-hidden-state.c
chapters_ch02_hidden_state_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch02_hidden_state_LDADD = $(CHAPTER_LDADD)
chapters_ch03_article_cell_SOURCES = chapters/ch03-article-cell.c
chapters_ch03_article_cell_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch03_article_cell_LDADD = $(CHAPTER_LDADD)
chapters_ch04_bptt_SOURCES = chapters/ch04-bptt.c
chapters_ch04_bptt_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch04_bptt_LDADD = $(CHAPTER_LDADD)
chapters_ch05_gradient_checks_SOURCES = chapters/ch05-gradient-checks.c
chapters_ch05_gradient_checks_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch05_gradient_checks_LDADD = $(CHAPTER_LDADD)

chapters_ch06_vanishing_SOURCES = chapters/ch06-vanishing.c
chapters_ch06_vanishing_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch06_vanishing_LDADD = $(CHAPTER_LDADD)

chapters_ch07_long_memory_SOURCES = chapters/ch07-long-memory.c
chapters_ch07_long_memory_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch07_long_memory_LDADD = $(CHAPTER_LDADD)

chapters_ch08_reading_text_SOURCES = chapters/ch08-reading-text.c
chapters_ch08_reading_text_CPPFLAGS = $(CHAPTER_CPPFLAGS)
chapters_ch08_reading_text_LDADD = $(CHAPTER_LDADD)

# The chapter tests: each runs its chapter with --quick and checks its
# charts (tests/chapter.sh).  tests/chart tests the chart writer itself.
check_PROGRAMS += tests/chart
tests_chart_LDADD = $(TAP_LDADD)
TESTS += tests/chart $(CHAPTER_CHECKS)
EXTRA_DIST += tests/chapter.sh $(CHAPTER_CHECKS)
