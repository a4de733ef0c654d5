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
#include <limits.h>
#include <string.h>
#ifdef GRL_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

/* Every product here runs on ONE OpenBLAS thread.  OpenBLAS splits a
 * product between its threads in ways that change the order of the sums
 * behind some entries: measured (2026-12-01, OpenBLAS 0.3.21), a weight
 * gradient (96 x 2500 by 2500 x 32) gave other bytes on 2 threads than
 * on 1 with its SkylakeX, Haswell and Prescott kernels alike, and a
 * readout (2048 x 64 by 64 x 94) with its SkylakeX kernels.  So that a seed gives the same
 * bytes at any thread count, the library's parallelism is its own and
 * fixed: the sequence driver's batch blocks (seq.c), the gradient check's
 * entries, a chapter's independent runs. */
/* ---- small products: libxsmm's JIT kernels ---------------------------
 * OpenBLAS packs both operands of every product into its own layout
 * before it multiplies.  In the time loop the same W is packed again at
 * every step, and for a small W that packing is a large share of the
 * product.  libxsmm generates a kernel for the exact shape, once, and
 * reads the operands where they are.  Measured on the project's machine
 * (2026-12-01, one thread, OpenBLAS 0.3.21 with its SkylakeX kernels,
 * libxsmm 1.17, microseconds per product):
 *
 *   x (M, K) times W (K, N)       OpenBLAS   libxsmm
 *   (25, 32) (32, 96)                  3.7       1.8   adding task, a step
 *                                                      (B = 50: 2 blocks)
 *   (16, 128) (128, 384)              44.0      23.4   medium bench, a step
 *   (16, 384) (384, 128)              50.9      22.4     (B = 32: 2 blocks)
 *   (3200, 64) (64, 384)            2807      2233     medium bench, X Wx^T
 *   (3200, 384) (384, 64)           2994      2045     medium bench, dX
 *   (16, 256) (256, 768)             173.3     115.9
 *   (32, 256) (256, 768)             241.7     235.8
 *   (32, 768) (768, 256)             264.1     225.5
 *   (32, 512) (512, 1536)           1106      2747     large bench, a step
 *   (32, 1536) (1536, 512)          1153      2027       (B = 64: 2 blocks)
 *
 * libxsmm was clearly faster for every W of up to 128 x 384 entries at
 * any row count tried; at 256 x 768 it depends on the rows (even at 32,
 * faster at 16); at 512 x 1536 OpenBLAS is two to three times faster.  So
 * a product goes to libxsmm when W has at most GRL_SMALL_KN entries (a
 * 256 x 384 W), however many rows x has: each step's recurrent product
 * at the sizes a lesson or the medium bench uses, and the hoisted input
 * projections and dX over all T*B rows when Wx is that small.  A larger
 * W_hh goes to the same kernels in column panels (below), any other
 * larger W to the CBLAS.  libxsmm's kernels take no
 * transposed operand, so the forward product x W^T needs W^T itself
 * (grl_affine_forward_t), and the weight gradients dy^T x stay with the
 * CBLAS.  A kernel runs on the calling thread alone, and the same kernel
 * for the same shape: the same bytes on any number of threads. */
enum { GRL_SMALL_KN = 256 * 384 };

int grl_affine_small(size_t M, size_t K, size_t N)
{
#ifdef GRL_HAVE_LIBXSMM
  return M > 0 && M <= INT_MAX && K > 0 && N > 0 && K * N <= GRL_SMALL_KN;
#else
  (void)M; (void)K; (void)N;
  return 0;
#endif
}

const char *grl_affine_small_lib(void)
{
#ifdef GRL_HAVE_LIBXSMM
  return "libxsmm " LIBXSMM_VERSION;
#else
  return NULL;
#endif
}

/* ---- larger products: the same kernels on W in column panels --------
 * Above GRL_SMALL_KN, one kernel over all of W loses to OpenBLAS: it
 * walks W^T down its columns, 8*N bytes apart, and at N = 1536 that
 * stride is a multiple of 4096 (our reading: the columns compete for the
 * same cache sets).  Panels of W^T's columns taken where they lie were as
 * slow (19 to 26 GFLOP/s at the large step); cut into panels of P
 * columns, each copied to a contiguous (K, P) block, a kernel per panel
 * multiplies at the machine's rate.  The copy is made once per pass
 * (seq.c), not at every step.  Measured as above (microseconds):
 *
 *   x (M, K) times W (K, N)       OpenBLAS   panels of 16
 *   (32, 512) (512, 1536)            992        687    large bench, a step
 *   (32, 1536) (1536, 512)          1137        688
 *   (64, 512) (512, 1536)           1710       1307
 *   (32, 256) (256, 768)             247        155
 *   (16, 256) (256, 768)             161         80
 *   (1, 512) (512, 1536)             287        225
 *   (32, 1024) (1024, 3072)         4091       2933
 *   (3200, 512) (512, 1536)        69149      68083    (rows in blocks of 64)
 *
 * Panels of 8 columns ran at about 60% of that rate, 32 and more at 75
 * to 90%.  Over all T*B rows at once (the last line) OpenBLAS is as fast
 * and packs W once, so the panels serve each step's product only. */
enum { GRL_PANEL = 16 };

size_t grl_affine_panel_width(size_t K, size_t N, size_t unit)
{
#ifdef GRL_HAVE_LIBXSMM
  if (K * N > GRL_SMALL_KN && unit % GRL_PANEL == 0 && N % unit == 0)
    return GRL_PANEL;
#else
  (void)K; (void)N; (void)unit;
#endif
  return 0;
}

grl_wpanels grl_wpanels_plain(const gsl_matrix *A)
{
  return (grl_wpanels){.data = A->data, .K = A->size1, .P = A->size2,
                       .npanel = 1, .ld = A->tda, .stride = 0};
}

grl_wpanels grl_wpanels_pack(double *buf, const gsl_matrix *A, size_t P,
                             int transpose)
{
  const size_t K = transpose ? A->size2 : A->size1,
               N = transpose ? A->size1 : A->size2;
  for (size_t j = 0; j < N; j += P) {
    double *panel = buf + j * K;                /* (K, P), row stride P */
    for (size_t k = 0; k < K; k++)
      for (size_t q = 0; q < P; q++)
        panel[k * P + q] = transpose ? A->data[(j + q) * A->tda + k]
                                     : A->data[k * A->tda + j + q];
  }
  return (grl_wpanels){.data = buf, .K = K, .P = P, .npanel = N / P,
                       .ld = P, .stride = K * P};
}

grl_wpanels grl_wpanels_cols(const grl_wpanels *w, size_t j0, size_t j1)
{
  grl_wpanels v = *w;
  if (w->npanel == 1) {
    v.data += j0;
    v.P = j1 - j0;
  } else {
    v.data += j0 / w->P * w->stride;
    v.npanel = (j1 - j0) / w->P;
  }
  return v;
}

grl_wpanels grl_wpanels_rows(const grl_wpanels *w, size_t k0, size_t k1)
{
  grl_wpanels v = *w;
  v.data += k0 * w->ld;
  v.K = k1 - k0;
  return v;
}

#ifdef GRL_HAVE_LIBXSMM
/* Row-major c (M, N) = beta*c + a (M, K) w (K, N), beta 0 or 1, panel by
 * panel.  libxsmm is column-major, where row-major c is c^T = w^T a^T: a
 * panel's kernel is the one for (P, M, K) with the panel as its first
 * operand.  Returns 0 when it ran, -1 when a size is beyond libxsmm's
 * int or there is no kernel for the shape (the caller then uses the
 * CBLAS). */
static int panel_gemm(size_t M, const double *a, size_t lda,
                      const grl_wpanels *w, double beta, double *c,
                      size_t ldc)
{
  if (M > INT_MAX || w->K > INT_MAX || w->P > INT_MAX || lda > INT_MAX
      || ldc > INT_MAX || w->ld > INT_MAX)
    return -1;
  const libxsmm_blasint la = (libxsmm_blasint)w->ld,
                        lb = (libxsmm_blasint)lda, lc = (libxsmm_blasint)ldc;
  const double alpha = 1.0;
  const int flags = LIBXSMM_GEMM_FLAG_NONE;
  libxsmm_dmmfunction f = libxsmm_dmmdispatch(
    (libxsmm_blasint)w->P, (libxsmm_blasint)M, (libxsmm_blasint)w->K, &la,
    &lb, &lc, &alpha, &beta, &flags, NULL);
  if (!f)
    return -1;
  for (size_t j = 0; j < w->npanel; j++)
    f(w->data + j * w->stride, a, c + j * w->P);
  return 0;
}
#endif

/* c = beta*c + a w on the kernels when the build has them, w is given and
 * beta is 0 or 1: 0 when it ran, -1 when the caller must use the CBLAS. */
static int kernel_product(size_t M, const double *a, size_t lda,
                          const grl_wpanels *w, double beta, double *c,
                          size_t ldc)
{
#ifdef GRL_HAVE_LIBXSMM
  if (w && w->data && (beta == 0.0 || beta == 1.0))
    return panel_gemm(M, a, lda, w, beta, c, ldc);
#else
  (void)M; (void)a; (void)lda; (void)w; (void)beta; (void)c; (void)ldc;
#endif
  return -1;
}

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

/* y = beta*y + x W^T + 1 b^T; given WT, W^T as a kernel operand (the
 * caller chose it: grl_affine_small, grl_affine_panel_width), the
 * product runs on libxsmm, else on the CBLAS. */
void grl_affine_forward_t(gsl_matrix *y, double beta, const gsl_matrix *x,
                          const gsl_matrix *W, const grl_wpanels *WT,
                          const gsl_vector *b)
{
  /* Each row of y starts as b (beta == 0: whatever y held is not read)
   * or as beta*y + b; then the product adds on top with beta 1. */
  beta = bias_rows(y, beta, b);
  if (!kernel_product(x->size1, x->data, x->tda, WT, beta, y->data, y->tda))
    return;
  int was = grl_blas_one_thread();
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x, W, beta, y);
  grl_blas_threads_restore(was);
}

void grl_affine_forward(gsl_matrix *y, double beta, const gsl_matrix *x,
                        const gsl_matrix *W, const gsl_vector *b)
{
  grl_affine_forward_t(y, beta, x, W, NULL, b);
}

/* db += 1^T dy, row after row (the same order of additions on any
 * machine).  A block of ACC columns at a time, its sums held in
 * registers for all the rows: summed into db itself, each row's add
 * waited on the store of the one before.  (Since then the driver sums
 * each step's few rows as it goes, seq.c, and only other callers sum a
 * whole record here.) */
enum { ACC = 16 };

void grl_affine_bias_grad(gsl_vector *db, const gsl_matrix *dy)
{
  const size_t n = dy->size2, bs = db->stride, R = dy->size1;
  double *restrict d = db->data;
  size_t j0 = 0;
  if (bs == 1)
    for (; j0 + ACC <= n; j0 += ACC) {
      double acc[ACC];
#pragma GCC unroll 16
      for (size_t j = 0; j < ACC; j++)
        acc[j] = d[j0 + j];
      for (size_t r = 0; r < R; r++) {
        const double *restrict row = dy->data + r * dy->tda + j0;
#pragma GCC unroll 16
        for (size_t j = 0; j < ACC; j++)
          acc[j] += row[j];
      }
#pragma GCC unroll 16
      for (size_t j = 0; j < ACC; j++)
        d[j0 + j] = acc[j];
    }
  for (size_t r = 0; r < R; r++) {
    const double *restrict row = dy->data + r * dy->tda;
    for (size_t j = j0; j < n; j++)
      d[j * bs] += row[j];
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
    grl_affine_bias_grad(db, dy);
  if (dx) {
    /* dx (B, m) = dy (B, n) W (n, m): no transpose, so a small one (each
     * step's dh_prev) runs on a kernel of its own */
    const grl_wpanels w = grl_wpanels_plain(W);
    if (!grl_affine_small(dy->size1, dy->size2, dx->size2)
        || kernel_product(dy->size1, dy->data, dy->tda, &w, beta_x, dx->data,
                          dx->tda))
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dy, W, beta_x, dx);
  }
  grl_blas_threads_restore(was);
}

void grl_affine_dx(gsl_matrix *dx, double beta, const gsl_matrix *dy,
                   const gsl_matrix *W, const grl_wpanels *Wk)
{
  if (kernel_product(dy->size1, dy->data, dy->tda, Wk, beta, dx->data,
                     dx->tda))
    grl_affine_backward(dy, NULL, W, NULL, NULL, dx, beta);
}
