/* affine.c -- the affine map of a batch of rows, y = x W^T + b, and its
 * mirror.  Every matrix product of the library is one of these: the
 * hoisted input projections, each step's recurrent product, the readout.
 *
 *   y  (B, n)   x  (B, m)   W  (n, m)   b  (n) or NULL
 *
 * One level-3 call each way: the batch is the GEMM's row dimension. */
#include <config.h>
#include "grulab.h"

#include <gsl/gsl_blas.h>

/* y = beta*y + x W^T + 1 b^T */
void grl_affine_forward(gsl_matrix *y, double beta, const gsl_matrix *x,
                        const gsl_matrix *W, const gsl_vector *b)
{
  if (b) {
    for (size_t r = 0; r < y->size1; r++) {
      gsl_vector_view row = gsl_matrix_row(y, r);
      if (beta == 0.0)
        gsl_vector_memcpy(&row.vector, b);
      else {
        if (beta != 1.0)
          gsl_vector_scale(&row.vector, beta);
        gsl_vector_add(&row.vector, b);
      }
    }
    beta = 1.0;
  }
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x, W, beta, y);
}

/* forward was y = x W^T + b, so
 *   dW += dy^T x (if dW),  db += 1^T dy (if db),  dx = beta_x*dx + dy W (if dx) */
void grl_affine_backward(const gsl_matrix *dy, const gsl_matrix *x,
                         const gsl_matrix *W, gsl_matrix *dW, gsl_vector *db,
                         gsl_matrix *dx, double beta_x)
{
  if (dW)
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dy, x, 1.0, dW);
  if (db)
    for (size_t r = 0; r < dy->size1; r++)
      for (size_t j = 0; j < dy->size2; j++)
        db->data[j * db->stride] += dy->data[r * dy->tda + j];
  if (dx)
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dy, W, beta_x, dx);
}
