# tests/text.mk -- the text task (src/text.c) and its commands.
check_PROGRAMS += tests/text
tests_text_LDADD = $(TAP_LDADD)
TESTS += tests/text tests/cli-text.sh
EXTRA_DIST += tests/cli-text.sh
