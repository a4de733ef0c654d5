# tests/local.mk -- the TAP harness and every test of the library and the
# command (the chapters' tests are in chapters/local.mk).  Every test speaks
# TAP through Automake's tap-driver.sh: compiled tests have no extension
# (LOG_DRIVER), shell tests end in .sh (SH_LOG_DRIVER).  `# PASS:` counts
# assertions.  A test directory with a build of its own (e.g. tests/fuzz/)
# keeps its rules in its own local.mk, included from Makefile.am.
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	GRULAB='$(abs_top_builddir)/src/grulab'; export GRULAB; \
	GNUPLOT='$(GNUPLOT)'; export GNUPLOT; \
	CC='$(CC)'; export CC; MAKE='$(MAKE)'; export MAKE; \
	OPENMP_CFLAGS='$(OPENMP_CFLAGS)'; export OPENMP_CFLAGS; \
	SAN_FLAGS='$(SAN_FLAGS)'; export SAN_FLAGS; \
	APP_CFLAGS='$(APP_CFLAGS)'; APP_LIBS='$(APP_LIBS)'; export APP_CFLAGS APP_LIBS; \
	PKG_CONFIG='$(PKG_CONFIG)'; export PKG_CONFIG; \
	GRL_MEMCHECK='$(GRL_MEMCHECK)'; export GRL_MEMCHECK; \
	if test -n "$$GRL_MEMCHECK"; then \
	  GRULAB='$(abs_top_srcdir)/tests/memcheck/grulab'; \
	  VALGRIND='$(VALGRIND)'; export VALGRIND; \
	  MEMCHECK_CHAPTERS='$(MEMCHECK_CHAPTERS)'; export MEMCHECK_CHAPTERS; \
	fi;

AM_CPPFLAGS += -I$(top_srcdir)/tests
check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h
TAP_LDADD = tests/libtap.a src/lib/libgrulab.la $(GRL_LIBS)
EXTRA_DIST += tests/tap.sh

# ---- Foundation: activations, strict numbers, the tensor format ----------
# vmath: the array forms of sigma and tanh (the cells' vector kernels).
check_PROGRAMS += tests/lib/activation tests/lib/vmath tests/lib/parse tests/lib/tensor
tests_lib_activation_LDADD = $(TAP_LDADD)
tests_lib_vmath_LDADD = $(TAP_LDADD)
tests_lib_parse_LDADD = $(TAP_LDADD)
tests_lib_tensor_LDADD = $(TAP_LDADD)
TESTS += tests/lib/activation tests/lib/vmath tests/lib/parse tests/lib/tensor

# ---- The cells, the sequence driver and BPTT -------------------------------
# golden: forward and backward against PyTorch's golden vectors (written
# by tests/reference/make-golden.py).  naive: the sequence driver against
# the naive reference.
golden_files = \
	tests/data/golden-gru-T1B1I1H1.txt \
	tests/data/golden-gru-T7B3I5H4.txt \
	tests/data/golden-gru-T23B2I3H6.txt \
	tests/data/golden-gru-cho-T1B1I1H1.txt \
	tests/data/golden-gru-cho-T7B3I5H4.txt \
	tests/data/golden-gru-cho-T23B2I3H6.txt \
	tests/data/golden-rnn-T1B1I1H1.txt \
	tests/data/golden-rnn-T7B3I5H4.txt \
	tests/data/golden-rnn-T23B2I3H6.txt \
	tests/data/golden-lstm-T1B1I1H1.txt \
	tests/data/golden-lstm-T7B3I5H4.txt \
	tests/data/golden-lstm-T23B2I3H6.txt \
	tests/data/golden-seed-T1B1I1H1.txt \
	tests/data/golden-seed-T7B3I5H4.txt \
	tests/data/golden-seed-T23B2I3H6.txt \
	tests/data/golden-mgu-T1B1I1H1.txt \
	tests/data/golden-mgu-T7B3I5H4.txt \
	tests/data/golden-mgu-T23B2I3H6.txt
check_PROGRAMS += tests/lib/golden tests/lib/naive
tests_lib_golden_LDADD = $(TAP_LDADD)
tests_lib_naive_LDADD = $(TAP_LDADD)
TESTS += tests/lib/golden tests/lib/naive
# golden-layers: stacked layers (PyTorch's num_layers) against the vectors
# of tests/reference/make-golden-layers.py, forward and BPTT to 1e-12.
golden_layer_files = \
	tests/data/golden-rnn-T1B1I1H1L2.txt \
	tests/data/golden-rnn-T7B3I5H4L2.txt \
	tests/data/golden-rnn-T6B2I3H5L3.txt \
	tests/data/golden-gru-T1B1I1H1L2.txt \
	tests/data/golden-gru-T7B3I5H4L2.txt \
	tests/data/golden-gru-T6B2I3H5L3.txt \
	tests/data/golden-gru-cho-T1B1I1H1L2.txt \
	tests/data/golden-gru-cho-T7B3I5H4L2.txt \
	tests/data/golden-gru-cho-T6B2I3H5L3.txt \
	tests/data/golden-lstm-T1B1I1H1L2.txt \
	tests/data/golden-lstm-T7B3I5H4L2.txt \
	tests/data/golden-lstm-T6B2I3H5L3.txt \
	tests/data/golden-seed-T1B1I1H1L2.txt \
	tests/data/golden-seed-T7B3I5H4L2.txt \
	tests/data/golden-seed-T6B2I3H5L3.txt \
	tests/data/golden-mgu-T1B1I1H1L2.txt \
	tests/data/golden-mgu-T7B3I5H4L2.txt \
	tests/data/golden-mgu-T6B2I3H5L3.txt
check_PROGRAMS += tests/lib/golden-layers
tests_lib_golden_layers_SOURCES = tests/lib/golden-layers.c tests/lib/golden_util.h
tests_lib_golden_SOURCES = tests/lib/golden.c tests/lib/golden_util.h
tests_lib_golden_layers_LDADD = $(TAP_LDADD)
TESTS += tests/lib/golden-layers
# golden-dropout: dropout with torch's masks, forward and BPTT, against
# tests/reference/make-golden-dropout.py.
golden_dropout_files = \
	tests/data/golden-dropout-rnn-standard.txt \
	tests/data/golden-dropout-rnn-variational.txt \
	tests/data/golden-dropout-gru-standard.txt \
	tests/data/golden-dropout-gru-variational.txt \
	tests/data/golden-dropout-gru-cho-standard.txt \
	tests/data/golden-dropout-gru-cho-variational.txt \
	tests/data/golden-dropout-lstm-standard.txt \
	tests/data/golden-dropout-lstm-variational.txt \
	tests/data/golden-dropout-seed-standard.txt \
	tests/data/golden-dropout-seed-variational.txt \
	tests/data/golden-dropout-mgu-standard.txt \
	tests/data/golden-dropout-mgu-variational.txt
check_PROGRAMS += tests/lib/golden-dropout
tests_lib_golden_dropout_SOURCES = tests/lib/golden-dropout.c
tests_lib_golden_dropout_LDADD = $(TAP_LDADD)
TESTS += tests/lib/golden-dropout
EXTRA_DIST += $(golden_dropout_files) tests/reference/make-golden-dropout.py
# dropout: the masks, inverted scaling (evaluation unchanged), same bytes.
check_PROGRAMS += tests/lib/dropout
tests_lib_dropout_LDADD = $(TAP_LDADD)
TESTS += tests/lib/dropout
EXTRA_DIST += $(golden_layer_files) tests/reference/make-golden-layers.py

# ---- The library as installed: make install, then the example and a chapter
# built against the prefix alone.
TESTS += tests/lib/install.sh
EXTRA_DIST += tests/lib/install.sh

# ---- PyTorch both ways: python/grulab_torch.py reads and writes the model
# files (SKIPs without torch).
TESTS += tests/lib/torch-roundtrip.sh
EXTRA_DIST += tests/lib/torch-roundtrip.sh tests/lib/torch-roundtrip.py
grulabpythondir = $(pkgdatadir)/python
dist_grulabpython_DATA = python/grulab_torch.py
EXTRA_DIST += $(golden_files) tests/reference/make-golden.py \
	tests/reference/make-golden-mgu.py \
	tests/reference/ch01-step.py

# ---- Gradient checks ----------------------------------------------------------
# Every cell x every method, T=50, the seed cell's exact zeros, injected
# errors (tamper hook, a broken copy of the gru cell), threads, sampling,
# the floor and the step sweep.
check_PROGRAMS += tests/lib/gradcheck
tests_lib_gradcheck_LDADD = tests/libtap.a src/app/libapp.a src/lib/libgrulab.la $(GRL_LIBS)
TESTS += tests/lib/gradcheck
EXTRA_DIST += tests/cli/bench-gradcheck.sh

# ---- Readouts, losses, optimisers, tasks, training, gradnorm ---------------
check_PROGRAMS += tests/lib/optim tests/lib/task tests/lib/train tests/lib/gradnorm
tests_lib_optim_LDADD = $(TAP_LDADD)
tests_lib_task_LDADD = $(TAP_LDADD)
tests_lib_train_LDADD = $(TAP_LDADD)
tests_lib_gradnorm_LDADD = $(TAP_LDADD)
TESTS += tests/lib/optim tests/lib/task tests/lib/train tests/lib/gradnorm
# optim: every optimiser step by step, the readout and both losses against
# PyTorch (written by tests/reference/make-optim.py).
optim_files = \
	tests/data/optim-sgd.txt \
	tests/data/optim-momentum.txt \
	tests/data/optim-momentum-mu0.5.txt \
	tests/data/optim-rmsprop.txt \
	tests/data/optim-rmsprop-alpha0.9-eps1e-3.txt \
	tests/data/optim-adam.txt \
	tests/data/optim-adam-b0.8-0.99-eps1e-4.txt \
	tests/data/optim-sgd-wd0.1.txt \
	tests/data/optim-momentum-wd0.05.txt \
	tests/data/optim-rmsprop-wd0.01.txt \
	tests/data/optim-adam-wd0.1.txt \
	tests/data/optim-adamw.txt \
	tests/data/optim-adamw-wd0.3-b0.8-0.99.txt \
	tests/data/optim-adagrad.txt \
	tests/data/optim-adagrad-eps1e-3-wd0.05.txt \
	tests/data/readout-loss.txt
EXTRA_DIST += $(optim_files) tests/reference/make-optim.py

# ---- The grulab command ----------------------------------------------------
# opt: the option layer (src/app/).  cli-basics: grulab itself (--help,
# --version, unknown commands, a full disk).  cli-cells: init, forward,
# backward, bench and their errors.  cli-gradcheck: exit statuses, the
# last line, --method all, --sweep, --params, and the I=5 H=7 T=30 B=3
# acceptance runs for all five cells.  cli-train: train and gradnorm.
# cli-interrupt: train stopped by SIGINT and SIGTERM.  cli-threads: the
# same bytes on 1 and 2 threads.  cli-blas: which BLAS kernels run.
# cli-names: one name per concept, old names, typos, --steps 0, numbers.
# cli-man: grulab(1) renders, installs and covers every --help.
# cli-layers: stacked layers, dropout and weight decay (gradient checks
# of two layers and of fixed dropout masks, same bytes, bad values).
check_PROGRAMS += tests/cli/opt
tests_cli_opt_LDADD = tests/libtap.a src/app/libapp.a src/lib/libgrulab.la $(GRL_LIBS)
CLI_CHECKS = tests/cli/basics.sh tests/cli/cells.sh tests/cli/gradcheck.sh \
	tests/cli/train.sh tests/cli/interrupt.sh tests/cli/threads.sh \
	tests/cli/blas.sh tests/cli/names.sh tests/cli/man.sh \
	tests/cli/model-file.sh tests/cli/layers.sh
TESTS += tests/cli/opt $(CLI_CHECKS)
EXTRA_DIST += $(CLI_CHECKS) tests/cli/ratio-check.awk

# ---- The text task --------------------------------------------------------------
# text: the vocabulary, split, streams, carried state, gather against the
# one-hot GEMM, exact evaluation, baselines, sampling, a text of known
# entropy rate.  cli-text: train --task text, sample and their bad inputs.
check_PROGRAMS += tests/lib/text
tests_lib_text_LDADD = $(TAP_LDADD)
TESTS += tests/lib/text tests/cli/text.sh
EXTRA_DIST += tests/cli/text.sh bench/text-compare.sh bench/text-torch.py \
	tests/data/ngram-wb.txt tests/data/ngram-kn.txt tests/reference/make-ngram.py

# Hardening: `make check-valgrind` and `make fuzz`.
include tests/memcheck/local.mk
include tests/fuzz/local.mk
