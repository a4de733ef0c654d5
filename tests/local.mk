# tests/local.mk -- the TAP harness.  Every test speaks TAP through
# Automake's tap-driver.sh: compiled tests have no extension (LOG_DRIVER),
# shell tests end in .sh (SH_LOG_DRIVER).  `# PASS:` counts assertions.
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	GRULAB='$(abs_top_builddir)/src/grulab'; export GRULAB; \
	GNUPLOT='$(GNUPLOT)'; export GNUPLOT;

check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h
TAP_LDADD = tests/libtap.a src/libgrulab.la $(GRL_LIBS)

# Foundation: activations and the tensor format.
check_PROGRAMS += tests/activation tests/vmath tests/tensor tests/parse
tests_activation_LDADD = $(TAP_LDADD)
tests_vmath_LDADD = $(TAP_LDADD)
tests_tensor_LDADD = $(TAP_LDADD)
tests_parse_LDADD = $(TAP_LDADD)
TESTS += tests/activation tests/vmath tests/tensor tests/parse tests/cli-basics.sh

# The option layer of the command and the chapters (src/opt/).
check_PROGRAMS += tests/opt
tests_opt_LDADD = tests/libtap.a src/opt/libopt.a src/libgrulab.la $(GRL_LIBS)
TESTS += tests/opt
EXTRA_DIST += tests/cli-basics.sh tests/tap.sh tests/reference/ch01-step.py

include tests/driver.mk
include tests/cells.mk
include tests/gradcheck.mk
include tests/train.mk
