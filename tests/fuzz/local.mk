# tests/fuzz/local.mk -- `make fuzz [FUZZ_SECONDS=N]`: the readers of
# user files (tests/fuzz/fuzz-readers.c) under libFuzzer, with ASan and
# UBSan, for N seconds (default 60), starting from the seed corpus in
# tests/fuzz/corpus/.  A crash, a leak or an input slower than
# FUZZ_TIMEOUT seconds stops it with a non-zero status; the input that did
# it is kept in tests/fuzz/artifacts/ and printed (od -c) to the log.
# Without clang (configure looks for it) it says so and exits 0.
#
# The fuzz build is its own: clang compiles the library's sources and the
# harness together with -fsanitize=fuzzer, whatever compiler built the
# rest, and without OpenMP (the readers do not use it).
FUZZ_SECONDS = 60
FUZZ_TIMEOUT = 10
FUZZ_BIN = tests/fuzz/fuzz-readers
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
# glibc defines CMPLX (gradcheck's complex step) only for GCC >= 4.7;
# clang has the same builtin under the same name.
FUZZ_CPPFLAGS = '-DCMPLX(x,y)=__builtin_complex((double)(x),(double)(y))'
FUZZ_RUN_FLAGS = -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	-rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
EXTRA_DIST += tests/fuzz/fuzz-readers.c tests/fuzz/corpus
# The fuzz build compiles the library's sources itself, on the plain path
# (backend_none.c): the readers it fuzzes run no product.
FUZZ_LIB_SRCS = $(src_lib_libgrulab_la_SOURCES)
if GRL_FAST
FUZZ_LIB_SRCS += src/lib/backend_none.c
endif

fuzz:
	@if test -z "$(FUZZ_CC)"; then \
	  echo "make fuzz: clang was not found, so nothing was fuzzed (install clang and libclang-rt-14-dev, then ./configure)"; \
	  exit 0; \
	fi; \
	probe=tests/fuzz/probe.$$$$; mkdir -p tests/fuzz; \
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >$$probe.c; \
	if ! $(FUZZ_CC) -fsanitize=fuzzer $$probe.c -o $$probe >/dev/null 2>&1; then \
	  rm -f $$probe $$probe.c; \
	  echo "make fuzz: $(FUZZ_CC) cannot build a libFuzzer program, so nothing was fuzzed (install libclang-rt-14-dev or your clang's runtime)"; \
	  exit 0; \
	fi; \
	rm -f $$probe $$probe.c; \
	srcs=; \
	for f in $(FUZZ_LIB_SRCS); do \
	  case $$f in *.c) srcs="$$srcs $(top_srcdir)/$$f" ;; esac; \
	done; \
	echo "  FUZZCC   $(FUZZ_BIN)"; \
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CPPFLAGS) -I$(top_builddir) $(LIB_CPPFLAGS) \
	  -o $(FUZZ_BIN) $(top_srcdir)/tests/fuzz/fuzz-readers.c $$srcs $(GRL_LIBS) || exit 1; \
	rm -rf tests/fuzz/work tests/fuzz/artifacts; \
	mkdir -p tests/fuzz/work tests/fuzz/artifacts; \
	echo "make fuzz: $(FUZZ_SECONDS) s from the seeds in $(top_srcdir)/tests/fuzz/corpus"; \
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(FUZZ_BIN) $(FUZZ_RUN_FLAGS) -artifact_prefix=tests/fuzz/artifacts/ \
	  tests/fuzz/work $(top_srcdir)/tests/fuzz/corpus; rc=$$?; \
	for a in tests/fuzz/artifacts/*; do \
	  test -f "$$a" || continue; \
	  echo "make fuzz: reproducer $$a ($$(wc -c <"$$a") bytes), as od -c:"; \
	  od -c "$$a" | head -n 200; \
	  echo "make fuzz: reproduce with: $(FUZZ_BIN) $$a"; \
	done; \
	if test $$rc = 0; then echo "make fuzz: no crash, leak or timeout in $(FUZZ_SECONDS) s"; \
	else echo "make fuzz: FAILED (libFuzzer exit $$rc)"; fi; \
	exit $$rc

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/work tests/fuzz/artifacts $(FUZZ_BIN)

.PHONY: fuzz clean-fuzz
