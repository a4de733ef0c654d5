/* naive_scalar.h -- the scalar type of a naive pass and what the naive
 * steps write with it (not installed).  No include guard: included once
 * per pass, it defines the pass's names afresh.
 *
 * A cell's naive step is plain loops over the elements of one row, the
 * way the early chapters write them out.  It sits in the cell's file under
 * GRL_NAIVE_PASS, written ONCE over SCALAR, and is compiled twice (the way GSL builds its float/double/complex
 * variants from templates): for double, and for double _Complex, which
 * powers the complex-step derivative.  So every operation in it is
 * analytic: no abs, no conj, no comparison on values except to pick an
 * overflow-free formula; then Im f(x + ih)/h = f'(x) + O(h^2).
 *
 *   SCALAR          double, or double _Complex with GRL_NAIVE_COMPLEX
 *   NAIVE(name)     the pass's name: grl_naive_name or grl_naive_name_c
 *   EXP, TANH       exp and tanh for SCALAR
 *   SIG(a)          sigma(a) = 1/(1+e^{-a}), or e^a/(1+e^a) for Re a < 0
 *   DOT(off, j, cols, v)   row j of the row-major (., cols) weight at
 *                   theta + off, dotted with v
 *   PRE_X(g, j), PRE_H(g, j)   PyTorch's layout (W_ih, W_hh, b_ih, b_hh
 *                   in P[P_WIH..P_BHH]): gate block g's pre-activation
 *                   of unit j, input side W_i?[j].x + b_i?[j] and
 *                   recurrent side W_h?[j].h_prev + b_h?[j]; they read
 *                   theta, x, h_prev, P = m->param, I and H
 *   PRE_RESET(g, j, r)   reset before (gru-cho, mgu): the whole
 *                   pre-activation with the recurrent product on r*h_prev,
 *                   W_i?[j].x + b_i?[j] + b_h?[j] + W_h?[j].(r*h_prev) */
#undef SCALAR
#undef NAIVE
#undef EXP
#undef TANH
#undef S_RE
#ifdef GRL_NAIVE_COMPLEX
#include <complex.h>
#undef I /* complex.h's imaginary unit; grulab uses I for the input size */
#define SCALAR double _Complex
#define NAIVE(name) grl_naive_##name##_c
#define EXP(x) cexp(x)
#define TANH(x) ctanh(x)
#define S_RE(x) creal(x)
#else
#include <math.h>
#define SCALAR double
#define NAIVE(name) grl_naive_##name
#define EXP(x) exp(x)
#define TANH(x) tanh(x)
#define S_RE(x) (x)
#endif

static inline SCALAR NAIVE(sig)(SCALAR a)
{
  if (S_RE(a) >= 0)
    return 1.0 / (1.0 + EXP(-a));
  SCALAR e = EXP(a);
  return e / (1.0 + e);
}

static inline SCALAR NAIVE(dot)(const SCALAR *theta, size_t off, size_t j,
                                size_t cols, const SCALAR *v)
{
  const SCALAR *w = theta + off + j * cols;
  SCALAR s = 0;
  for (size_t k = 0; k < cols; k++)
    s += w[k] * v[k];
  return s;
}

static inline SCALAR NAIVE(dot_gated)(SCALAR a, const SCALAR *w,
                                      const SCALAR *r, const SCALAR *v,
                                      size_t n)
{
  for (size_t k = 0; k < n; k++)
    a += w[k] * (r[k] * v[k]);
  return a;
}

#ifndef SIG
#define SIG(a) NAIVE(sig)(a)
#define DOT(off, j, cols, v) NAIVE(dot)(theta, (off), (j), (cols), (v))
#define PRE_X(g, j) (DOT(P[P_WIH].offset, (g) * H + (j), I, x) \
                     + theta[P[P_BIH].offset + (g) * H + (j)])
#define PRE_H(g, j) (DOT(P[P_WHH].offset, (g) * H + (j), H, h_prev) \
                     + theta[P[P_BHH].offset + (g) * H + (j)])
#define PRE_RESET(g, j, r)                                                    \
  NAIVE(dot_gated)(PRE_X(g, j) + theta[P[P_BHH].offset + (g) * H + (j)],      \
                   theta + P[P_WHH].offset + ((g) * H + (j)) * H, (r),        \
                   h_prev, H)
/* The naive step's parameters, the same for every cell (grl_cell.naive). */
#define GRL_NAIVE_ARGS                                                        \
  const grl_model *m, const SCALAR *theta, const SCALAR *x,                   \
  const SCALAR *h_prev, const SCALAR *c_prev, SCALAR *h, SCALAR *c,          \
  SCALAR *gates
#endif
