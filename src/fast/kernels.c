/* kernels.c -- the fast backend's products: libxsmm's JIT kernels for the
 * products OpenBLAS runs slowly, and the bias sums in registers.
 *
 * OpenBLAS packs both operands of every product into its own layout
 * before it multiplies; in the time loop the same W is packed again at
 * every step, and for a small W that packing is a large share of the
 * product.  libxsmm generates a kernel for the exact shape, once, and
 * reads the operands where they are.  A kernel runs on the calling thread
 * alone, and the same kernel for the same shape: the same bytes on any
 * number of threads.  The measurements behind the thresholds are in
 * doc/performance.md ("Kernels"). */
#include <config.h>
#include "fast.h"

#include <limits.h>
#include <string.h>
#ifdef GRL_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

/* A product goes to one kernel when W has at most this many entries (a
 * 256 x 384 W), however many rows x has: above it OpenBLAS was faster. */
enum { GRL_SMALL_KN = 256 * 384 };

/* A larger W_hh goes to the kernels cut into panels of this many columns,
 * each copied to a contiguous (K, P) block once per pass: one kernel over
 * all of W walks it 8*N bytes apart, and lost to OpenBLAS. */
enum { GRL_PANEL = 16 };

int grl_fast_small(size_t M, size_t K, size_t N)
{
#ifdef GRL_HAVE_LIBXSMM
  return M > 0 && M <= INT_MAX && K > 0 && N > 0 && K * N <= GRL_SMALL_KN;
#else
  (void)M; (void)K; (void)N;
  return 0;
#endif
}

size_t grl_fast_panel_width(size_t K, size_t N, size_t unit)
{
#ifdef GRL_HAVE_LIBXSMM
  if (K * N > GRL_SMALL_KN && unit % GRL_PANEL == 0 && N % unit == 0)
    return GRL_PANEL;
#else
  (void)K; (void)N; (void)unit;
#endif
  return 0;
}

const char *grl_fast_name(void)
{
#ifdef GRL_HAVE_LIBXSMM
  return "libxsmm " LIBXSMM_VERSION;
#else
  return NULL;
#endif
}

/* ---- operands ----------------------------------------------------------- */

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

/* The operand's columns [j0, j1) (panel boundaries, or any columns of a
 * one-panel operand), and its rows [k0, k1). */
static grl_wpanels wpanels_cols(const grl_wpanels *w, size_t j0, size_t j1)
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

static grl_wpanels wpanels_rows(const grl_wpanels *w, size_t k0, size_t k1)
{
  grl_wpanels v = *w;
  v.data += k0 * w->ld;
  v.K = k1 - k0;
  return v;
}

/* ---- the product ------------------------------------------------------- */

/* Row-major c (M, N) = beta*c + a (M, K) w (K, N), panel by panel, beta 0
 * or 1.  libxsmm is column-major, where row-major c is c^T = w^T a^T: a
 * panel's kernel is the one for (P, M, K) with the panel as its first
 * operand.  0 when it ran; -1 when a size is beyond libxsmm's int, beta
 * is neither 0 nor 1, or there is no kernel for the shape. */
static int product(size_t M, const double *a, size_t lda,
                   const grl_wpanels *w, double beta, double *c, size_t ldc)
{
#ifdef GRL_HAVE_LIBXSMM
  if (!w->data || (beta != 0.0 && beta != 1.0) || M > INT_MAX
      || w->K > INT_MAX || w->P > INT_MAX || lda > INT_MAX || ldc > INT_MAX
      || w->ld > INT_MAX)
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
#else
  (void)M; (void)a; (void)lda; (void)w; (void)beta; (void)c; (void)ldc;
  return -1;
#endif
}

/* The default backend: nothing laid out, so only the products whose
 * operand needs no layout (dx = dy W on W as it is) reach the kernels. */
static const struct grl_backend default_backend = {.nblock = 1};

const grl_backend *grl_fast_default(void) { return &default_backend; }

int grl_fast_forward(const grl_backend *be, enum grl_weight which,
                     size_t j0, size_t j1, gsl_matrix *y, double beta,
                     const gsl_matrix *x)
{
  if (!be)
    return -1;
  const grl_wpanels *w = which == GRL_W_HH ? &be->WhT
                       : which == GRL_W_IH ? &be->WxTp : NULL;
  if (!w || !w->data)
    return -1;
  const grl_wpanels v = wpanels_cols(w, j0, j1);
  return product(x->size1, x->data, x->tda, &v, beta, y->data, y->tda);
}

int grl_fast_dx(const grl_backend *be, enum grl_weight which, size_t r0,
                size_t r1, gsl_matrix *dx, double beta, const gsl_matrix *dy,
                const gsl_matrix *W)
{
  if (!be)
    return -1;
  /* W_hh laid out in panels for the pass */
  if (which == GRL_W_HH && be->Whk.data) {
    const grl_wpanels v = wpanels_rows(&be->Whk, r0, r1);
    if (!product(dy->size1, dy->data, dy->tda, &v, beta, dx->data, dx->tda))
      return 0;
  }
  /* no transpose in dx = dy W, so a small W runs as it is */
  if (!grl_fast_small(dy->size1, dy->size2, dx->size2))
    return -1;
  const grl_wpanels w = grl_wpanels_plain(W);
  return product(dy->size1, dy->data, dy->tda, &w, beta, dx->data, dx->tda);
}

/* ---- bias sums ----------------------------------------------------------
 * db += 1^T dy, a block of ACC columns at a time, its sums held in
 * registers for all the rows (summed into db itself, each row's add
 * waited on the store of the one before).  The rows are added in order,
 * so the bits are the plain loop's. */
enum { ACC = 16 };

int grl_fast_bias_grad(gsl_vector *db, const gsl_matrix *dy)
{
  const size_t n = dy->size2, R = dy->size1;
  if (db->stride != 1)
    return -1;
  double *restrict d = db->data;
  size_t j0 = 0;
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
      d[j] += row[j];
  }
  return 0;
}
