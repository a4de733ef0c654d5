# src/local.mk -- the layers of src/, one folder each:
#   src/include/  libgrulab's public headers (installed)
#   src/lib/      libgrulab: the numerics library (installed)
#   src/fast/     the library's fast backend (SIMD kernels, ...)
#   src/app/      application support the command and the chapters share:
#                 the option layer, the stop flag, the thread policy
#   src/cli/      the grulab command
lib_LTLIBRARIES += src/lib/libgrulab.la
include_HEADERS = src/include/grulab.h src/include/grl_gradcheck.h \
	src/include/grl_train.h src/include/grl_text.h
src_lib_libgrulab_la_SOURCES = \
	src/lib/error.c \
	src/lib/clock.c \
	src/lib/file.h \
	src/lib/file.c \
	src/lib/activation.c \
	src/lib/affine.c \
	src/lib/parse.h \
	src/lib/parse.c \
	src/lib/tensor.c \
	src/lib/outfile.c \
	src/lib/model.c \
	src/lib/cell_impl.h \
	src/lib/openblas.h \
	src/lib/cell_naive.h \
	src/lib/naive_double.c \
	src/lib/naive_complex.c \
	src/lib/cell_gru.c \
	src/lib/cell_gru_cho.c \
	src/lib/cell_rnn.c \
	src/lib/cell_lstm.c \
	src/lib/cell_seed.c \
	src/lib/seq.c \
	src/lib/gradcheck_loss.h \
	src/lib/gradcheck.c \
	src/lib/gradcheck_problem.c \
	src/lib/gradcheck_seq.c \
	src/lib/gradcheck_sweep.c \
	src/lib/gradcheck_fn.c \
	src/lib/readout.c \
	src/lib/loss.c \
	src/lib/optim.c \
	src/lib/task.c \
	src/lib/task_source.c \
	src/lib/text.c \
	src/lib/text_baseline.c \
	src/lib/text_loss.c \
	src/lib/text_source.c \
	src/lib/text_eval.c \
	src/lib/text_sample.c \
	src/lib/gradcheck_text.c \
	src/lib/train.c \
	src/lib/session.c \
	src/lib/gradnorm.c
src_lib_libgrulab_la_CPPFLAGS = $(LIB_CPPFLAGS)
src_lib_libgrulab_la_LIBADD = $(GRL_LIBS)

# The SLEEF kernels: one source compiled for AVX2 and for AVX-512, chosen
# at run time (activation.c); the rest of the library stays generic x86-64.
if GRL_SLEEF
noinst_LTLIBRARIES += src/fast/libvmath_avx2.la src/fast/libvmath_avx512.la
src_fast_libvmath_avx2_la_SOURCES = src/fast/vmath.h src/fast/vmath_simd.c
src_fast_libvmath_avx2_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_fast_libvmath_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -mfma
src_fast_libvmath_avx512_la_SOURCES = src/fast/vmath.h src/fast/vmath_simd.c
src_fast_libvmath_avx512_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_fast_libvmath_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f
src_lib_libgrulab_la_LIBADD += src/fast/libvmath_avx2.la src/fast/libvmath_avx512.la
endif
src_lib_libgrulab_la_LDFLAGS = -version-info 0:0:0 $(OPENMP_CFLAGS)

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
	src/cli/cmd_sample.c
src_grulab_CPPFLAGS = $(LIB_CPPFLAGS) -I$(top_srcdir)/src/app
src_grulab_LDADD = src/app/libapp.a src/lib/libgrulab.la $(GRL_LIBS) $(APP_LIBS)

# The option layer over getopt_long, for the command and the chapters.
noinst_LIBRARIES += src/app/libapp.a
src_app_libapp_a_SOURCES = src/app/grl_opt.h src/app/opt.c src/app/grl_stop.h \
	src/app/grl_blascore.h src/app/blascore.c \
	src/app/grl_progress.h src/app/progress.c \
	src/app/grl_compress.h src/app/compress.c \
	src/app/grl_gcreport.h src/app/gcreport.c
src_app_libapp_a_CPPFLAGS = $(LIB_CPPFLAGS) $(APP_CFLAGS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/grulab.pc
DISTCLEANFILES += src/grulab.pc
EXTRA_DIST += src/lib/grulab.pc.in

# Benchmarks against PyTorch and the scaling grid (run by hand, not by
# make check; README "Performance").
EXTRA_DIST += bench/vs-pytorch.sh bench/torch_gru.py bench/scaling.sh
