# src/local.mk -- libgrulab and the grulab command.
lib_LTLIBRARIES += src/libgrulab.la
include_HEADERS = src/grulab.h src/grl_gradcheck.h src/grl_train.h src/grl_chart.h \
	src/grl_text.h
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
	src/gradcheck.c \
	src/gradcheck_report.c \
	src/readout.c \
	src/loss.c \
	src/optim.c \
	src/task.c \
	src/text.c \
	src/train.c \
	src/gradnorm.c \
	src/chart.c \
	src/lesson.c
src_libgrulab_la_LIBADD = $(GRL_LIBS)
src_libgrulab_la_LDFLAGS = -version-info 0:0:0 $(OPENMP_CFLAGS)

bin_PROGRAMS += src/grulab
src_grulab_SOURCES = \
	src/cli.h \
	src/cli.c \
	src/cmd_tensor.c \
	src/cmd_gradcheck.c \
	src/cmd_train.c \
	src/cmd_text.c
src_grulab_LDADD = src/libgrulab.la $(GRL_LIBS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/grulab.pc
DISTCLEANFILES += src/grulab.pc
EXTRA_DIST += src/grulab.pc.in
