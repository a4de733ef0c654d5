/* cell_naive.h -- the naive reference step of every cell: plain loops over
 * the elements, the way the early chapters write them out.  The BLAS path
 * (cell_*.c) must agree with it to ~1e-13; tests check that.
 *
 * It is written ONCE over a scalar type and compiled twice (the way GSL
 * builds its float/double/complex variants from templates):
 *   naive_double.c   SCALAR = double            names grl_naive_gru, ...
 *   naive_complex.c  SCALAR = double _Complex   names grl_naive_gru_c, ...
 * The complex build powers the complex-step derivative: every operation
 * here is analytic (no abs, no conj, no comparisons on values except to
 * pick an overflow-free formula), so Im f(x + ih)/h = f'(x) + O(h^2).
 *
 * The including file defines:
 *   SCALAR        the element type
 *   SFX(name)     the exported name for this type
 *   S_EXP, S_TANH exp and tanh for SCALAR
 *   S_RE(x)       the real part (used only to choose a stable branch)   */

#include "cell_impl.h"
#include <stdlib.h>
#include <string.h>

/* sigma(a) = 1/(1+e^{-a}), or e^a/(1+e^a) for Re a < 0 (no overflow). */
static inline SCALAR SFX(sig)(SCALAR a)
{
  if (S_RE(a) >= 0)
    return 1.0 / (1.0 + S_EXP(-a));
  SCALAR e = S_EXP(a);
  return e / (1.0 + e);
}

/* Row j of a row-major (rows, cols) weight at offset off, dotted with v. */
static inline SCALAR SFX(dot)(const SCALAR *theta, size_t off, size_t j,
                              size_t cols, const SCALAR *v)
{
  const SCALAR *w = theta + off + j * cols;
  SCALAR s = 0;
  for (size_t k = 0; k < cols; k++)
    s += w[k] * v[k];
  return s;
}

/* ---- PyTorch-layout cells: W_ih (G*H, I), W_hh (G*H, H), b_ih, b_hh ---- */

/* Pre-activation of gate block g, unit j, input side and recurrent side:
 *   ax = W_i?[j] . x + b_i?[j],   ah = W_h?[j] . h + b_h?[j] */
#define PRE_X(g, j) (SFX(dot)(theta, P[P_WIH].offset, (g) * H + (j), I, x) \
                     + theta[P[P_BIH].offset + (g) * H + (j)])
#define PRE_H(g, j) (SFX(dot)(theta, P[P_WHH].offset, (g) * H + (j), H, h_prev) \
                     + theta[P[P_BHH].offset + (g) * H + (j)])

/* gru, PyTorch reset-after.  gates = r, z, n. */
void SFX(grl_naive_gru)(const grl_model *m, const SCALAR *theta,
                        const SCALAR *x, const SCALAR *h_prev,
                        const SCALAR *c_prev, SCALAR *h, SCALAR *c,
                        SCALAR *gates)
{
  (void)c_prev; (void)c;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++) {
    /* r = sigma(W_ir x + b_ir + W_hr h + b_hr) */
    SCALAR r = SFX(sig)(PRE_X(0, j) + PRE_H(0, j));
    /* z = sigma(W_iz x + b_iz + W_hz h + b_hz) */
    SCALAR z = SFX(sig)(PRE_X(1, j) + PRE_H(1, j));
    /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) */
    SCALAR n = S_TANH(PRE_X(2, j) + r * PRE_H(2, j));
    /* h' = (1 - z) * n + z * h */
    h[j] = (1.0 - z) * n + z * h_prev[j];
    gates[j] = r; gates[H + j] = z; gates[2 * H + j] = n;
  }
}

/* gru-cho, Cho et al. reset-before.  gates = r, z, n; r is needed for all
 * units before any n, so r and z are computed first. */
void SFX(grl_naive_gru_cho)(const grl_model *m, const SCALAR *theta,
                            const SCALAR *x, const SCALAR *h_prev,
                            const SCALAR *c_prev, SCALAR *h, SCALAR *c,
                            SCALAR *gates)
{
  (void)c_prev; (void)c;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  SCALAR *r = gates, *z = gates + H, *n = gates + 2 * H;
  for (size_t j = 0; j < H; j++) {
    r[j] = SFX(sig)(PRE_X(0, j) + PRE_H(0, j));   /* r = sigma(...) */
    z[j] = SFX(sig)(PRE_X(1, j) + PRE_H(1, j));   /* z = sigma(...) */
  }
  for (size_t j = 0; j < H; j++) {
    /* n = tanh(W_in x + b_in + W_hn (r * h) + b_hn) */
    const SCALAR *w = theta + P[P_WHH].offset + (2 * H + j) * H;
    SCALAR a = PRE_X(2, j) + theta[P[P_BHH].offset + 2 * H + j];
    for (size_t k = 0; k < H; k++)
      a += w[k] * (r[k] * h_prev[k]);
    n[j] = S_TANH(a);
    /* h' = (1 - z) * n + z * h */
    h[j] = (1.0 - z[j]) * n[j] + z[j] * h_prev[j];
  }
}

/* rnn: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).  No gates. */
void SFX(grl_naive_rnn)(const grl_model *m, const SCALAR *theta,
                        const SCALAR *x, const SCALAR *h_prev,
                        const SCALAR *c_prev, SCALAR *h, SCALAR *c,
                        SCALAR *gates)
{
  (void)c_prev; (void)c; (void)gates;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++)
    h[j] = S_TANH(PRE_X(0, j) + PRE_H(0, j));
}

/* lstm, PyTorch.  gates = i, f, g, o. */
void SFX(grl_naive_lstm)(const grl_model *m, const SCALAR *theta,
                         const SCALAR *x, const SCALAR *h_prev,
                         const SCALAR *c_prev, SCALAR *h, SCALAR *c,
                         SCALAR *gates)
{
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++) {
    SCALAR i = SFX(sig)(PRE_X(0, j) + PRE_H(0, j));   /* input gate  */
    SCALAR f = SFX(sig)(PRE_X(1, j) + PRE_H(1, j));   /* forget gate */
    SCALAR g = S_TANH(PRE_X(2, j) + PRE_H(2, j));     /* candidate   */
    SCALAR o = SFX(sig)(PRE_X(3, j) + PRE_H(3, j));   /* output gate */
    /* c' = f * c + i * g;  h' = o * tanh(c') */
    c[j] = f * c_prev[j] + i * g;
    h[j] = o * S_TANH(c[j]);
    gates[j] = i; gates[H + j] = f; gates[2 * H + j] = g; gates[3 * H + j] = o;
  }
}

#undef PRE_X
#undef PRE_H

/* seed, the article's cell: v = [h; x], weights (H, H+I) stacked f, i, o, c
 * in one (4H, H+I) block, then biases (4H).  gates = f, i, o, c~. */
void SFX(grl_naive_seed)(const grl_model *m, const SCALAR *theta,
                         const SCALAR *x, const SCALAR *h_prev,
                         const SCALAR *c_prev, SCALAR *h, SCALAR *c,
                         SCALAR *gates)
{
  (void)c_prev; (void)c;
  size_t I = m->input_size, H = m->hidden_size, V = H + I;
  const SCALAR *bias = theta + 4 * H * V;
  for (size_t j = 0; j < H; j++) {
    SCALAR a[4];
    for (size_t k = 0; k < 4; k++) {
      /* a_k = W_k [h; x] + b_k, h first */
      const SCALAR *w = theta + (k * H + j) * V;
      SCALAR s = bias[k * H + j];
      for (size_t q = 0; q < H; q++)
        s += w[q] * h_prev[q];
      for (size_t q = 0; q < I; q++)
        s += w[H + q] * x[q];
      a[k] = s;
    }
    SCALAR f = SFX(sig)(a[0]), i = SFX(sig)(a[1]), o = SFX(sig)(a[2]);
    SCALAR ct = S_TANH(a[3]);
    /* h_t = f * h_{t-1} + i * tanh(W_c v + b_c);  o is computed, unread */
    h[j] = f * h_prev[j] + i * ct;
    gates[j] = f; gates[H + j] = i; gates[2 * H + j] = o; gates[3 * H + j] = ct;
  }
}

/* ---- A whole sequence, one row at a time -------------------------------- */

int SFX(grl_naive_forward)(const grl_model *m, size_t T, size_t B,
                           const SCALAR *theta, const SCALAR *x,
                           const SCALAR *h0, const SCALAR *c0, SCALAR *out,
                           SCALAR *hT, SCALAR *cT, SCALAR *gates)
{
  const grl_cell *cell = m->cell;
  size_t I = m->input_size, H = m->hidden_size;
  size_t NG = cell->ngate ? cell->ngate * H : H;
  /* h, c, their next values, and a gate row: allocated once, not per step. */
  SCALAR *buf = malloc((4 * H + NG) * sizeof *buf);
  if (!buf)
    return grl_fail(GRL_ENOMEM, "naive forward: out of memory (H=%zu)", H);
  SCALAR *h = buf, *hn = buf + H, *c = buf + 2 * H, *cn = buf + 3 * H;
  SCALAR *g = buf + 4 * H;
  for (size_t b = 0; b < B; b++) {
    for (size_t j = 0; j < H; j++) {
      h[j] = h0 ? h0[b * H + j] : 0;
      c[j] = c0 ? c0[b * H + j] : 0;
    }
    for (size_t t = 0; t < T; t++) {
      size_t row = t * B + b;
      SCALAR *gr = gates ? gates + row * NG : g;
      SFX_step(m, theta, x + row * I, h, c, hn, cn, gr);
      memcpy(h, hn, H * sizeof *h);
      memcpy(c, cn, H * sizeof *c);
      if (out)
        memcpy(out + row * H, h, H * sizeof *h);
    }
    if (hT)
      memcpy(hT + b * H, h, H * sizeof *h);
    if (cT && cell->has_c)
      memcpy(cT + b * H, c, H * sizeof *c);
  }
  free(buf);
  return GRL_OK;
}
