/* grl_blascore.h -- run OpenBLAS's kernels for the CPU it is on.  For the
 * grulab command and the chapters; not installed, and not in libgrulab:
 * the library never re-executes its host program.
 *
 * OpenBLAS built with DYNAMIC_ARCH (Debian's is) picks its kernels when it
 * is loaded, by the CPU's family and model.  A model newer than the
 * library falls back to "Prescott", the SSE3 kernels: Debian 12's OpenBLAS
 * 0.3.21 does this on Intel's Emerald Rapids (family 6, model 207), where
 * its square dgemm then runs at about a quarter of the AVX-512 kernels'
 * rate (upstream added the model in a later release).  The library reads
 * OPENBLAS_CORETYPE only while it loads, so the one remedy inside a
 * program is to run itself again with that variable set:
 *
 *   grl_blas_core_fix(argv);     first thing in main()
 *
 * It does that only when all of these hold, and otherwise returns at once:
 *   - the BLAS is OpenBLAS and reports the "Prescott" fallback;
 *   - OPENBLAS_CORETYPE is not set (a user's choice, any choice, stands:
 *     OPENBLAS_CORETYPE=Prescott keeps the fallback);
 *   - the CPU, with the operating system's support, runs AVX-512
 *     (F, DQ, BW, VL: "SkylakeX") or else AVX2 with FMA ("Haswell");
 *   - the program is not running under valgrind, which would stop
 *     following it across the exec.
 * If the exec fails the program goes on, on the fallback kernels.  The
 * results stay deterministic: a run on the same machine, with the same
 * --seed, gives the same bytes. */
#ifndef GRULAB_GRL_BLASCORE_H
#define GRULAB_GRL_BLASCORE_H

/* Re-execute /proc/self/exe with argv when the conditions above hold. */
void grl_blas_core_fix(char **argv);

/* The kernel family OpenBLAS runs ("SkylakeX", "Prescott", ...), or NULL
 * when the BLAS is not OpenBLAS; and whether grl_blas_core_fix chose it
 * (1) rather than OpenBLAS or the user (0). */
const char *grl_blas_core(int *chosen_by_grulab);

#endif
