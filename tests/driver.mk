# tests/driver.mk -- the sequence driver against the naive reference.
check_PROGRAMS += tests/naive
tests_naive_LDADD = $(TAP_LDADD)
TESTS += tests/naive
