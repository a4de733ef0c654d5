/* affine.c -- the affine map of a batch of rows, y = x W^T + b, and its
 * mirror.  Every matrix product of the library is one of these: the
 * hoisted input projections, each step's recurrent product, the readout.
 *
 *   y  (B, n)   x  (B, m)   W  (n, m)   b  (n) or NULL
 *
 * One level-3 call each way: the batch is the GEMM's row dimension.  The
 * fast backend (backend.h) may run a product faster; what is left is the
 * CBLAS call written here. */
#include <config.h>
#include "grulab.h"
#include "affine.h"
#include "backend.h"
#include "openblas.h"

#include <gsl/gsl_blas.h>
#include <string.h>

/* Every product here runs on ONE OpenBLAS thread: OpenBLAS splits a
 * product between its threads in ways that change the order of the sums
 * (doc/performance.md, "Threads").  So that a seed gives the same bytes
 * at any thread count, the library's parallelism is its own and fixed:
 * the sequence driver's batch blocks, the gradient check's entries, a
 * chapter's independent runs. */

/* The bias rows of y: y = b (beta 0) or beta*y + b; the product then adds
 * on top with beta 1. */
static double bias_rows(gsl_matrix *y, double beta, const gsl_vector *b)
{
  if (!b)
    return beta;
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
  return 1.0;
}

void grl_affine_forward_on(const grl_backend *be, enum grl_weight which,
                           size_t j0, size_t j1, gsl_matrix *y, double beta,
                           const gsl_matrix *x, const gsl_matrix *W,
                           const gsl_vector *b)
{
  /* Each row of y starts as b (beta == 0: whatever y held is not read)
   * or as beta*y + b; then the product adds on top with beta 1. */
  beta = bias_rows(y, beta, b);
  if (!grl_fast_forward(be, which, j0, j1, y, beta, x))
    return;
  int was = grl_blas_one_thread();
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x, W, beta, y);
  grl_blas_threads_restore(was);
}

void grl_affine_dx_on(const grl_backend *be, enum grl_weight which,
                      size_t r0, size_t r1, gsl_matrix *dx, double beta,
                      const gsl_matrix *dy, const gsl_matrix *W)
{
  if (!grl_fast_dx(be, which, r0, r1, dx, beta, dy, W))
    return;
  int was = grl_blas_one_thread();
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dy, W, beta, dx);
  grl_blas_threads_restore(was);
}

void grl_affine_bias_grad_on(const grl_backend *be, gsl_vector *db,
                             const gsl_matrix *dy)
{
  if (be && !grl_fast_bias_grad(db, dy))
    return;
  /* row after row: the same order of additions on any machine */
  for (size_t r = 0; r < dy->size1; r++) {
    const double *restrict row = dy->data + r * dy->tda;
    for (size_t j = 0; j < dy->size2; j++)
      db->data[j * db->stride] += row[j];
  }
}

/* ---- the public calls: the backend outside a driver ------------------- */

void grl_affine_forward(gsl_matrix *y, double beta, const gsl_matrix *x,
                        const gsl_matrix *W, const gsl_vector *b)
{
  grl_affine_forward_on(NULL, GRL_W_ANY, 0, 0, y, beta, x, W, b);
}

void grl_affine_bias_grad(gsl_vector *db, const gsl_matrix *dy)
{
  grl_affine_bias_grad_on(grl_fast_default(), db, dy);
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
    grl_affine_bias_grad(db, dy);
  if (dx)
    grl_affine_dx_on(grl_fast_default(), GRL_W_ANY, 0, 0, dx, beta_x, dy, W);
  grl_blas_threads_restore(was);
}

/* ---- a step's recurrent products -------------------------------------- */

/* Gate blocks [k0, k1) of W_h (G*H, H): rows [k0*H, k1*H). */
static _gsl_matrix_const_view gate_rows(const grl_const_views *p, size_t k0,
                                        size_t k1)
{
  const gsl_matrix *Wh = &p->Wh.matrix;
  const size_t H = Wh->size2;
  return gsl_matrix_const_submatrix(Wh, k0 * H, 0, (k1 - k0) * H, H);
}

/* forward: a = beta*a + h W_h[k0:k1]^T + b */
void grl_recurrent_forward(gsl_matrix *y, double beta, const gsl_matrix *h,
                           const grl_const_views *p, size_t k0, size_t k1,
                           const gsl_vector *b)
{
  const size_t H = p->Wh.matrix.size2;
  gsl_matrix_const_view W = gate_rows(p, k0, k1);
  if (p->rmask) {
    /* variational dropout: the product reads h * mask */
    for (size_t r = 0; r < h->size1; r++) {
      const double *hr = h->data + r * h->tda,
                   *mr = p->rmask->data + r * p->rmask->tda;
      double *wr = p->rwork->data + r * p->rwork->tda;
      for (size_t j = 0; j < H; j++)
        wr[j] = hr[j] * mr[j];
    }
    h = p->rwork;
  }
  grl_affine_forward_on(p->backend, GRL_W_HH, k0 * H, k1 * H, y, beta, h,
                        &W.matrix, b);
}

/* forward was a = h W_h[k0:k1]^T + b, so dh = beta*dh + da W_h[k0:k1] */
void grl_recurrent_backward(gsl_matrix *dh, double beta, const gsl_matrix *da,
                            const grl_const_views *p, size_t k0, size_t k1)
{
  const size_t H = p->Wh.matrix.size2;
  gsl_matrix_const_view W = gate_rows(p, k0, k1);
  if (p->rmask) {
    /* forward read h * mask: dh = beta*dh + (da W) * mask */
    grl_affine_dx_on(p->backend, GRL_W_HH, k0 * H, k1 * H, p->rwork, 0.0, da,
                     &W.matrix);
    for (size_t r = 0; r < dh->size1; r++) {
      const double *wr = p->rwork->data + r * p->rwork->tda,
                   *mr = p->rmask->data + r * p->rmask->tda;
      double *dr = dh->data + r * dh->tda;
      for (size_t j = 0; j < H; j++)
        dr[j] = (beta == 0.0 ? 0.0 : beta * dr[j]) + wr[j] * mr[j];
    }
    return;
  }
  grl_affine_dx_on(p->backend, GRL_W_HH, k0 * H, k1 * H, dh, beta, da,
                   &W.matrix);
}

const char *grl_products_name(void)
{
  return grl_fast_name();
}

const char *grl_blas_kernels(void)
{
#ifdef GRL_HAVE_OPENBLAS
  return openblas_get_corename();
#else
  return NULL;
#endif
}

void grl_blas_set_one_thread(void)
{
  (void)grl_blas_one_thread();
}
