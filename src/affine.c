/* affine.c -- the affine map of a batch of rows, y = x W^T + b, and its
 * mirror.  Every matrix product of the library is one of these: the
 * hoisted input projections, each step's recurrent product, the readout.
 *
 *   y  (B, n)   x  (B, m)   W  (n, m)   b  (n) or NULL
 *
 * One level-3 call each way: the batch is the GEMM's row dimension. */
#include <config.h>
#include "grulab.h"
#include "openblas.h"

#include <gsl/gsl_blas.h>
#include <string.h>

/* Every product here runs on ONE OpenBLAS thread.  OpenBLAS splits a
 * product between its threads in ways that change the order of the sums
 * behind some entries: measured (2026-12-01, OpenBLAS 0.3.21), a weight
 * gradient (96 x 2500 by 2500 x 32) gave other bytes on 2 threads than
 * on 1 with its SkylakeX, Haswell and Prescott kernels alike, and a
 * readout (2048 x 64 by 64 x 94) with its SkylakeX kernels.  So that a seed gives the same
 * bytes at any thread count, the library's parallelism is its own and
 * fixed: the sequence driver's batch blocks (seq.c), the gradient check's
 * entries, a chapter's independent runs. */
/* y = beta*y + x W^T + 1 b^T */
void grl_affine_forward(gsl_matrix *y, double beta, const gsl_matrix *x,
                        const gsl_matrix *W, const gsl_vector *b)
{
  if (b) {
    /* Each row of y starts as b (beta == 0: whatever y held is not read)
     * or as beta*y + b; then the product adds on top with beta 1. */
    const size_t n = y->size2, bs = b->stride;
    const double *bd = b->data;
    for (size_t r = 0; r < y->size1; r++) {
      double *restrict yr = y->data + r * y->tda;
      if (beta == 0.0 && bs == 1)
        memcpy(yr, bd, n * sizeof *yr);
      else if (beta == 0.0)
        for (size_t j = 0; j < n; j++)
          yr[j] = bd[j * bs];
      else
        for (size_t j = 0; j < n; j++)
          yr[j] = beta * yr[j] + bd[j * bs];
    }
    beta = 1.0;
  }
  int was = grl_blas_one_thread();
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x, W, beta, y);
  grl_blas_threads_restore(was);
}

/* db += 1^T dy, row after row (the same order of additions on any
 * machine); the inner loop runs over a contiguous row. */
static void add_rows(gsl_vector *db, const gsl_matrix *dy)
{
  const size_t n = dy->size2, bs = db->stride;
  double *restrict d = db->data;
  for (size_t r = 0; r < dy->size1; r++) {
    const double *restrict row = dy->data + r * dy->tda;
    if (bs == 1) {
#pragma omp simd
      for (size_t j = 0; j < n; j++)
        d[j] += row[j];
    } else {
      for (size_t j = 0; j < n; j++)
        d[j * bs] += row[j];
    }
  }
}

/* forward was y = x W^T + b, so
 *   dW += dy^T x (if dW),  db += 1^T dy (if db),  dx = beta_x*dx + dy W (if dx) */
void grl_affine_backward(const gsl_matrix *dy, const gsl_matrix *x,
                         const gsl_matrix *W, gsl_matrix *dW, gsl_vector *db,
                         gsl_matrix *dx, double beta_x)
{
  int was = grl_blas_one_thread();
  if (dW)
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dy, x, 1.0, dW);
  if (db)
    add_rows(db, dy);
  if (dx)
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dy, W, beta_x, dx);
  grl_blas_threads_restore(was);
}
