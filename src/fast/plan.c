/* plan.c -- the fast backend's plan for one sequence driver: which
 * weights it lays out for the kernels (kernels.c), and how the batch's
 * rows split into blocks that run through the time loop on their own, on
 * two threads when OpenMP has them.
 *
 * The plan depends on the sizes and the build alone, never on the
 * threads: the same bytes at any thread count.  The measurements behind
 * the constants are in doc/performance.md ("Batch blocks"). */
#include <config.h>
#include "fast.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* A batch splits where each block keeps CHUNK_MIN_ROWS rows, or
 * CHUNK_SMALL_ROWS when the blocks' step products run on the kernels: on
 * one thread a split only costs (smaller products), less so on kernels
 * that pack nothing per step. */
#define CHUNK_MIN_ROWS 32
#define CHUNK_SMALL_ROWS 16
#define CHUNK_MAX 2
/* The shortest pass for which W_hh is laid out for the kernels: the copy
 * costs about as much as one 1-row product (sampling runs T = 1). */
#define WHT_MIN_T 8

int grl_fast_seq_alloc(grl_backend **out, size_t T, size_t B, size_t I,
                       size_t H, size_t G)
{
  const size_t GH = G * H;
  grl_backend *be = calloc(1, sizeof *be);
  *out = NULL;
  if (!be)
    return grl_fail(GRL_ENOMEM, "sequence: out of memory");
  be->nblock = B >= 2 * CHUNK_MIN_ROWS
               || (B >= 2 * CHUNK_SMALL_ROWS
                   && (grl_fast_small((B + 1) / 2, H, GH)
                       || (T >= WHT_MIN_T
                           && grl_fast_panel_width(H, GH, H)))) ? CHUNK_MAX : 1;
  /* A step's recurrent product is (rows of a block, H) by (H, G*H): small
   * enough for one kernel, W_hh^T is kept whole for the forward's (the
   * backward's reads W_hh as it is); larger, W_hh^T and W_hh are both cut
   * into column panels. */
  if (T >= WHT_MIN_T)
    be->panel = grl_fast_small((B + be->nblock - 1) / be->nblock, H, GH)
                ? GH : grl_fast_panel_width(H, GH, H);
  int bad = 0;
  for (int k = 0; be->panel && k < (be->panel < GH ? 2 : 1); k++)
    if (!(be->whpk[k] = malloc(GH * H * sizeof(double))))
      bad = 1;
  /* ... and W_ih^T for the input projections of all steps at once */
  if (grl_fast_small(T * B, I, GH) && !(be->WxT = gsl_matrix_alloc(I, GH)))
    bad = 1;
  if (bad) {
    grl_fast_seq_free(be);
    return grl_fail(GRL_ENOMEM, "sequence: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, H);
  }
  const char *lib = grl_fast_name();
  if (be->panel == GH)
    snprintf(be->what, sizeof be->what, "%s: W_hh^T whole; %zu block%s",
             lib, be->nblock, be->nblock > 1 ? "s" : "");
  else if (be->panel)
    snprintf(be->what, sizeof be->what, "%s: W_hh in panels of %zu; %zu "
             "block%s", lib, be->panel, be->nblock, be->nblock > 1 ? "s" : "");
  else
    snprintf(be->what, sizeof be->what, "%s%sCBLAS steps; %zu block%s",
             lib ? lib : "", lib ? ": " : "", be->nblock,
             be->nblock > 1 ? "s" : "");
  *out = be;
  return GRL_OK;
}

void grl_fast_seq_free(grl_backend *be)
{
  if (!be)
    return;
  free(be->whpk[0]);
  free(be->whpk[1]);
  if (be->WxT)
    gsl_matrix_free(be->WxT);
  free(be);
}

void grl_fast_seq_prepare_forward(grl_backend *be, const gsl_matrix *Wx,
                                  const gsl_matrix *Wh)
{
  be->WhT = (grl_wpanels){0};
  be->WxTp = (grl_wpanels){0};
  if (be->panel)
    be->WhT = grl_wpanels_pack(be->whpk[0], Wh, be->panel, 1);
  if (be->WxT) {
    gsl_matrix_transpose_memcpy(be->WxT, Wx);
    be->WxTp = grl_wpanels_plain(be->WxT);
  }
}

void grl_fast_seq_prepare_backward(grl_backend *be, const gsl_matrix *Wh)
{
  be->Whk = (grl_wpanels){0};
  if (be->panel && be->whpk[1])
    be->Whk = grl_wpanels_pack(be->whpk[1], Wh, be->panel, 0);
}

size_t grl_fast_seq_blocks(const grl_backend *be) { return be->nblock; }

const char *grl_fast_seq_describe(const grl_backend *be) { return be->what; }

/* How many threads run the blocks: one, unless OMP_NUM_THREADS asks for
 * more (OpenMP's spinning threads cost far more than they give on a
 * machine whose cores are busy with other work, so more is opt-in); at
 * most one per block, and one inside a parallel region (the gradient
 * check runs entries in parallel already). */
static int block_threads(const grl_backend *be)
{
#ifdef _OPENMP
  if (be->nblock > 1 && !omp_in_parallel() && getenv("OMP_NUM_THREADS")) {
    int n = omp_get_max_threads();
    return n < (int)be->nblock ? n : (int)be->nblock;
  }
#else
  (void)be;
#endif
  return 1;
}

void grl_fast_seq_run(const grl_backend *be, size_t B, grl_rows_fn *rows,
                      void *ctx)
{
  const size_t n = be->nblock;
  int nt = block_threads(be);
  (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
  for (size_t k = 0; k < n; k++)
    rows(ctx, k, k * B / n, (k + 1) * B / n);
}
