# src/local.mk -- the layers of src/, one folder each:
#   src/include/  libgrulab's public headers (installed)
#   src/lib/      libgrulab: the numerics library (installed)
#   src/fast/     the library's fast backend (SIMD kernels, ...)
#   src/app/      application support the command and the chapters share:
#                 the option layer, the stop flag, the thread policy
#   src/cli/      the grulab command
lib_LTLIBRARIES += src/lib/libgrulab.la
# The public headers, installed in $(includedir)/grulab (pkg-config's
# Cflags point there, so a program writes #include "grulab.h").
grulabincludedir = $(includedir)/grulab
grulabinclude_HEADERS = src/include/grulab.h src/include/grl_gradcheck.h \
	src/include/grl_train.h src/include/grl_text.h

# The cells, in teaching order: one line each, src/lib/cell_<id>.c
# defining grl_cell_<id>.  The one list: make writes grl_cells.h from it
# (GRL_CELL(id) lines), from which the registry (grl_cell_all), the
# externs and the naive steps' declarations come, and grl_cells_naive.h
# (an #include of every cell file), through which naive_double.c and
# naive_complex.c compile each cell's naive step.
grl_cells =
grl_cells += src/lib/cell_rnn
grl_cells += src/lib/cell_gru
grl_cells += src/lib/cell_gru_cho
grl_cells += src/lib/cell_lstm
grl_cells += src/lib/cell_seed
grl_cells += src/lib/cell_mgu

src/include/grl_cells.h: $(top_srcdir)/src/local.mk
	$(AM_V_GEN)$(MKDIR_P) src/include && { \
	  echo '/* grl_cells.h -- written by make from grl_cells in src/local.mk.'; \
	  echo ' * The cells in teaching order: GRL_CELL(id) is grl_cell_<id>, defined'; \
	  echo ' * in src/lib/cell_<id>.c.  No include guard: the includer defines'; \
	  echo ' * GRL_CELL to make what it needs from the list. */'; \
	  for c in $(grl_cells); do echo "GRL_CELL($${c##*/cell_})"; done; \
	} >$@-t && mv $@-t $@
src/lib/grl_cells_naive.h: $(top_srcdir)/src/local.mk
	$(AM_V_GEN)$(MKDIR_P) src/lib && { \
	  echo '/* grl_cells_naive.h -- written by make from grl_cells in'; \
	  echo ' * src/local.mk: every cell file, read by naive_double.c and'; \
	  echo ' * naive_complex.c for the naive step it keeps under GRL_NAIVE_PASS. */'; \
	  for c in $(grl_cells); do echo "#include \"$${c##*/}.c\""; done; \
	} >$@-t && mv $@-t $@
BUILT_SOURCES += src/include/grl_cells.h src/lib/grl_cells_naive.h
nodist_grulabinclude_HEADERS = src/include/grl_cells.h
CLEANFILES += src/include/grl_cells.h src/lib/grl_cells_naive.h
src_lib_libgrulab_la_SOURCES = \
	src/lib/error.c \
	src/lib/clock.c \
	src/lib/file.h \
	src/lib/file.c \
	src/lib/activation.c \
	src/lib/affine.h \
	src/lib/affine.c \
	src/lib/backend.h \
	src/lib/parse.h \
	src/lib/parse.c \
	src/lib/tensor.c \
	src/lib/outfile.c \
	src/lib/model.c \
	src/lib/cell_impl.h \
	src/lib/openblas.h \
	src/lib/naive_scalar.h \
	src/lib/naive_seq.h \
	src/lib/naive_double.c \
	src/lib/naive_complex.c \
	$(grl_cells:=.c) \
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
	src/lib/text_overlap.c \
	src/lib/keys.h \
	src/lib/keys.c \
	src/lib/ngram.c \
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

# The fast backend (backend.h): libxsmm products, batch blocks, SLEEF's
# sigma, tanh and softmax.  configure --disable-fast leaves it out, and
# backend_none.c takes its place: the plain path alone.
if GRL_FAST
noinst_LTLIBRARIES += src/fast/libfast.la
src_fast_libfast_la_SOURCES = src/fast/fast.h src/fast/kernels.c \
	src/fast/plan.c src/fast/vmath.h src/fast/vmath.c
src_fast_libfast_la_CPPFLAGS = $(LIB_CPPFLAGS)
# (the convenience libraries link with their own LDFLAGS, not AM_LDFLAGS:
# its -static-libtool-libs, meant for the programs, would fill them with
# the objects that are not position-independent, which the shared
# libgrulab cannot take once the sanitizers are in)
src_fast_libfast_la_LDFLAGS = $(SAN_FLAGS)
src_lib_libgrulab_la_LIBADD += src/fast/libfast.la
else
src_lib_libgrulab_la_SOURCES += src/lib/backend_none.c
endif
# The SLEEF kernels: one source compiled for AVX2 and for AVX-512, chosen
# at run time (src/fast/vmath.c); the rest of the library stays generic x86-64.
if GRL_SLEEF
noinst_LTLIBRARIES += src/fast/libvmath_avx2.la src/fast/libvmath_avx512.la
src_fast_libvmath_avx2_la_SOURCES = src/fast/vmath.h src/fast/vmath_simd.c
src_fast_libvmath_avx2_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_fast_libvmath_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -mfma
src_fast_libvmath_avx512_la_SOURCES = src/fast/vmath.h src/fast/vmath_simd.c
src_fast_libvmath_avx512_la_CPPFLAGS = $(LIB_CPPFLAGS) $(SLEEF_CFLAGS)
src_fast_libvmath_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f
src_fast_libvmath_avx2_la_LDFLAGS = $(SAN_FLAGS)
src_fast_libvmath_avx512_la_LDFLAGS = $(SAN_FLAGS)
src_fast_libfast_la_LIBADD = src/fast/libvmath_avx2.la src/fast/libvmath_avx512.la
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
src_grulab_CPPFLAGS = $(PUBLIC_CPPFLAGS) -I$(top_srcdir)/src/app
src_grulab_LDADD = src/app/libapp.a src/lib/libgrulab.la $(GRL_LIBS) $(APP_LIBS)

# The option layer over getopt_long, for the command and the chapters.
noinst_LIBRARIES += src/app/libapp.a
src_app_libapp_a_SOURCES = src/app/grl_opt.h src/app/opt.c src/app/grl_stop.h \
	src/app/grl_blascore.h src/app/blascore.c \
	src/app/grl_progress.h src/app/progress.c \
	src/app/grl_compress.h src/app/compress.c \
	src/app/grl_gcreport.h src/app/gcreport.c
src_app_libapp_a_CPPFLAGS = $(PUBLIC_CPPFLAGS) $(APP_CFLAGS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/grulab.pc
DISTCLEANFILES += src/grulab.pc
EXTRA_DIST += src/lib/grulab.pc.in

# Benchmarks against PyTorch and the scaling grid (run by hand, not by
# make check; README "Performance").
EXTRA_DIST += bench/vs-pytorch.sh bench/torch_gru.py bench/scaling.sh \
	bench/compare.sh bench/blas-kernels.sh
