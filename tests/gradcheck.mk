# tests/gradcheck.mk -- gradient checks (issue 4).
# gradcheck: every cell x every method, T=50, the seed cell's exact zeros,
# injected errors (tamper hook, a broken copy of the gru cell), threads,
# sampling, the floor and the step sweep.  cli-gradcheck.sh: grulab
# gradcheck's exit statuses, last line, --method all, --sweep, --params,
# and the I=5 H=7 T=30 B=3 acceptance runs for all five cells.
check_PROGRAMS += tests/gradcheck
tests_gradcheck_LDADD = $(TAP_LDADD)
TESTS += tests/gradcheck tests/cli-gradcheck.sh
EXTRA_DIST += tests/cli-gradcheck.sh tests/bench-gradcheck.sh
