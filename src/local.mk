# src/local.mk -- libgrulab (src/) and the grulab command (src/cli/).
lib_LTLIBRARIES += src/libgrulab.la
include_HEADERS = src/grulab.h src/grl_gradcheck.h src/grl_train.h src/grl_text.h
src_libgrulab_la_SOURCES = \
	src/error.c \
	src/activation.c \
	src/affine.c \
	src/parse.c \
	src/tensor.c \
	src/outfile.c \
	src/model.c \
	src/cell_impl.h \
	src/openblas.h \
	src/cell_naive.h \
	src/naive_double.c \
	src/naive_complex.c \
	src/cell_gru.c \
	src/cell_gru_cho.c \
	src/cell_rnn.c \
	src/cell_lstm.c \
	src/cell_seed.c \
	src/seq.c \
	src/gradcheck_impl.h \
	src/gradcheck_problem.c \
	src/gradcheck_eval.c \
	src/gradcheck.c \
	src/gradcheck_sweep.c \
	src/gradcheck_report.c \
	src/readout.c \
	src/loss.c \
	src/optim.c \
	src/task.c \
	src/text.c \
	src/gradcheck_text.c \
	src/train.c \
	src/session.c \
	src/gradnorm.c
src_libgrulab_la_CPPFLAGS = $(LIB_CPPFLAGS)
src_libgrulab_la_LIBADD = $(GRL_LIBS)

# The SLEEF kernels: one source compiled for AVX2 and for AVX-512, chosen
# at run time (activation.c); the rest of the library stays generic x86-64.
if GRL_SLEEF
noinst_LTLIBRARIES += src/libvmath_avx2.la src/libvmath_avx512.la
src_libvmath_avx2_la_SOURCES = src/vmath.h src/vmath_simd.c
src_libvmath_avx2_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_libvmath_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -mfma
src_libvmath_avx512_la_SOURCES = src/vmath.h src/vmath_simd.c
src_libvmath_avx512_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_libvmath_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f
src_libgrulab_la_LIBADD += src/libvmath_avx2.la src/libvmath_avx512.la
endif
src_libgrulab_la_LDFLAGS = -version-info 0:0:0 $(OPENMP_CFLAGS)

bin_PROGRAMS += src/grulab
src_grulab_SOURCES = \
	src/cli/cli.h \
	src/cli/cli.c \
	src/cli/cmd_init.c \
	src/cli/cmd_forward_backward.c \
	src/cli/cmd_bench.c \
	src/cli/cmd_gradcheck.c \
	src/cli/cmd_train.c \
	src/cli/cmd_gradnorm.c \
	src/cli/cmd_text.c
src_grulab_CPPFLAGS = $(LIB_CPPFLAGS) -I$(top_srcdir)/src/opt
src_grulab_LDADD = src/opt/libopt.a src/libgrulab.la $(GRL_LIBS)

# The option layer over getopt_long, for the command and the chapters.
noinst_LIBRARIES += src/opt/libopt.a
src_opt_libopt_a_SOURCES = src/opt/grl_opt.h src/opt/opt.c src/opt/grl_stop.h \
	src/opt/grl_blascore.h src/opt/blascore.c
src_opt_libopt_a_CPPFLAGS = $(LIB_CPPFLAGS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/grulab.pc
DISTCLEANFILES += src/grulab.pc
EXTRA_DIST += src/grulab.pc.in

# Benchmarks against PyTorch and the scaling grid (run by hand, not by
# make check; README "Performance").
EXTRA_DIST += bench/vs-pytorch.sh bench/torch_gru.py bench/scaling.sh
