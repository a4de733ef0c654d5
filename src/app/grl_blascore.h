/* grl_blascore.h -- run OpenBLAS's best kernels for the CPU it is on.  For the grulab command and the chapters; not installed,
 * and not in libgrulab: the library never re-executes its host program.
 *
 * OpenBLAS built with DYNAMIC_ARCH (Debian's is) picks its kernels when it
 * is loaded, by the CPU's family and model.  A model newer than the
 * library gets older kernels than the CPU runs: Debian 12's OpenBLAS
 * 0.3.21 falls back to its SSE3 "Prescott" kernels on Intel's Emerald
 * Rapids, and runs its AVX2 "Haswell"/"Zen" kernels on AMD's AVX-512 EPYCs
 * (Zen 4), where its AVX-512 "SkylakeX" kernels multiply 1.6 to 1.8 times
 * faster (doc/performance.md, "BLAS kernels").  The library reads
 * OPENBLAS_CORETYPE only while it loads, so the one remedy inside a
 * program is to run itself again with that variable set:
 *
 *   grl_blas_core_fix(argv);     first thing in main()
 *
 * It does that only when all of these hold, and otherwise returns at once:
 *   - the BLAS is OpenBLAS and its kernels are of a lower family than the
 *     best this CPU runs: AVX-512 (F, DQ, BW, VL) "SkylakeX", else AVX2
 *     with FMA "Haswell" (families, lowest first: SSE, AVX, AVX2, AVX-512;
 *     a kernel name it does not know is left alone);
 *   - OPENBLAS_CORETYPE is not set (a user's choice, any choice, stands:
 *     OPENBLAS_CORETYPE=Prescott keeps the fallback);
 *   - the program is not running under valgrind, which would stop
 *     following it across the exec.
 * If the exec fails the program goes on, on OpenBLAS's kernels.  The
 * results stay deterministic: a run on the same machine, with the same
 * --seed, gives the same bytes. */
#ifndef GRULAB_GRL_BLASCORE_H
#define GRULAB_GRL_BLASCORE_H

/* Re-execute /proc/self/exe with argv when the conditions above hold. */
void grl_blas_core_fix(char **argv);

/* The kernel family OpenBLAS runs ("SkylakeX", "Zen", ...), or NULL when
 * the BLAS is not OpenBLAS; *chosen_from, when grl_blas_core_fix chose
 * it, the family OpenBLAS had picked itself, else NULL. */
const char *grl_blas_core(const char **chosen_from);

/* The best kernel family this CPU runs ("SkylakeX", "Haswell"), or NULL
 * (not x86-64, or no AVX2); and whether the kernels running are below
 * it (1), at it (0), or cannot be ranked (-1: another BLAS, an unknown
 * kernel name). */
const char *grl_blas_best_core(void);
int grl_blas_below_best(void);

#endif
