# tests/memcheck/local.mk -- `make check-valgrind`: every chapter's --quick
# run (tests/memcheck/chapters.sh) and the CLI tests ($(MEMCHECK_CLI), with
# $GRULAB run through tests/memcheck/grulab) under valgrind's memcheck,
# then tests/memcheck/report.sh, one TAP assertion per program run: any
# error, or a definite or indirect leak, fails.  Known false alarms are in
# tests/memcheck/grulab.supp, each with its reason.  The TAP summary goes
# to tests/memcheck/test-suite.log.  Without valgrind it says so and
# exits 0.  (Automake's harness, like AX_VALGRIND_CHECK's, wraps the test
# programs; ours are shell scripts, so the programs they start are wrapped.)
# Chapter 9's --quick reads only the first 64 KiB of its text, so that it
# takes a minute or two under memcheck, not a quarter of an hour.  The
# interrupt tests wait for the program's own handler (valgrind catches
# every signal first: tests/tap.sh's bg_catches reads valgrind's trace),
# and a run a test ends on purpose by a signal's default action has only
# its leaks excused (tests/memcheck/report.sh says when).
# Chapter 10's --quick trains 63 small nets: under memcheck, which
# serialises the threads, it ran for over twenty minutes without ending,
# so it is left out here.  Its library paths were run under memcheck by
# hand when they were written (stacked layers and both dropouts), and
# chapter 9 covers the text task in this pass.
MEMCHECK_CHAPTERS = $(filter-out ch10-claims,$(CHAPTER_NAMES))
MEMCHECK_CLI = tests/cli/basics.sh tests/cli/cells.sh tests/cli/gradcheck.sh \
	tests/cli/train.sh tests/cli/threads.sh tests/cli/text.sh \
	tests/cli/interrupt.sh
MEMCHECK_TESTS = tests/memcheck/chapters.sh $(MEMCHECK_CLI) tests/memcheck/report.sh
GRL_MEMCHECK =
EXTRA_DIST += tests/memcheck/run tests/memcheck/grulab tests/memcheck/grulab.supp \
	tests/memcheck/chapters.sh tests/memcheck/report.sh

# The report reads what the others wrote.
tests/memcheck/report.log: tests/memcheck/chapters.log $(MEMCHECK_CLI:.sh=.log)

check-valgrind: all
	@if test -z "$(VALGRIND)"; then \
	  echo "make check-valgrind: valgrind was not found, so nothing was checked (install valgrind, then ./configure)"; \
	  exit 0; \
	fi; \
	rm -rf tests/memcheck/logs && $(MKDIR_P) tests/memcheck/logs && \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(MEMCHECK_TESTS)' \
	  TEST_SUITE_LOG=tests/memcheck/test-suite.log \
	  GRL_MEMCHECK='$(abs_top_builddir)/tests/memcheck/logs' \
	  MEMCHECK_CHAPTERS='$(MEMCHECK_CHAPTERS)'

clean-local: clean-memcheck
clean-memcheck:
	rm -rf tests/memcheck/logs tests/memcheck/test-suite.log

.PHONY: check-valgrind clean-memcheck
