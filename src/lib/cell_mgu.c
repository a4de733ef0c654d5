/* cell_mgu.c -- the minimal gated unit (Zhou et al. 2016): one gate f
 * that both resets what the candidate reads and updates the state.
 * Gate blocks f, n; PyTorch's tensor names (PyTorch has no MGU:
 * tests/reference/make-golden-mgu.py checks this cell).
 *
 *   f  = sigma(W_if x + b_if + W_hf h + b_hf)
 *   n  = tanh(W_in x + b_in + W_hn (f * h) + b_hn)    reset before
 *   h' = (1 - f) * h + f * n
 *
 * f is the fraction of h REPLACED: 1 - f is kept (keep_sign -1).
 * Cache per row (K = 3 blocks of H): f, n, fh = f * h. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static const char *const gate_names[] = {"f", "n"};

static void mgu_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  gsl_matrix_view af = grl_cols(s->work, 0, 1, H);   /* (B, H) W_hf h + b_hf */
  gsl_matrix_view an = grl_cols(s->work, 1, 2, H);   /* (B, H) W_hn fh + b_hn */
  gsl_matrix_view fh = grl_cols(s->cache, 2, 3, H);  /* (B, H) f * h */
  gsl_vector_const_view bf = grl_gates(&p->bh.vector, 0, 1, H),
                        bn = grl_gates(&p->bh.vector, 1, 2, H);
  grl_recurrent_forward(&af.matrix, 0.0, s->h_prev, p, 0, 1, &bf.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xp = grl_crow(s->xp, b), *a = grl_row(&af.matrix, b);
    const double *h = grl_crow(s->h_prev, b);
    double *f = grl_row(s->cache, b), *g = grl_row(&fh.matrix, b);
    /* f = sigma(W_if x + b_if + W_hf h + b_hf) */
    for (size_t j = 0; j < H; j++)
      f[j] = xp[j] + a[j];
    grl_sigmoid_n(f, f, H);
    for (size_t j = 0; j < H; j++)
      g[j] = f[j] * h[j];
  }
  grl_recurrent_forward(&an.matrix, 0.0, &fh.matrix, p, 1, 2, &bn.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xp = grl_crow(s->xp, b), *a = grl_row(&an.matrix, b);
    const double *h = grl_crow(s->h_prev, b);
    double *f = grl_row(s->cache, b), *n = f + H, *out = grl_row(s->h, b);
    /* n = tanh(W_in x + b_in + W_hn (f * h) + b_hn) */
    for (size_t j = 0; j < H; j++)
      n[j] = xp[H + j] + a[j];
    grl_tanh_n(n, n, H);
    /* h' = (1 - f) * h + f * n */
    for (size_t j = 0; j < H; j++)
      out[j] = (1.0 - f[j]) * h[j] + f[j] * n[j];
  }
}

static void mgu_backward(grl_step_grad *d, const grl_step *s,
                         const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  gsl_matrix_view daf = grl_cols(d->dxp, 0, 1, H);   /* (B, H) dL/da_f */
  gsl_matrix_view dan = grl_cols(d->dxp, 1, 2, H);   /* (B, H) dL/da_n */
  gsl_matrix_view dfh = grl_cols(s->work, 0, 1, H);  /* (B, H) dL/d(f*h) */
  /* forward was h' = (1 - f) * h + f * n and n = tanh(a_n), so
   *   dn = dh*f,  da_n = dn*(1-n^2),  dh_prev = dh*(1-f) (direct path) */
  for (size_t b = 0; b < B; b++) {
    const double *g = grl_crow(d->dh, b), *c = grl_crow(s->cache, b);
    double *dx = grl_row(d->dxp, b), *dhp = grl_row(d->dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      dx[H + j] = g[j] * c[j] * grl_dtanh(c[H + j]);
      dhp[j] = g[j] * (1.0 - c[j]);
    }
  }
  /* forward was a_n = xp_n + (f*h) W_hn^T + b_hn, so d(f*h) = da_n W_hn */
  grl_recurrent_backward(&dfh.matrix, 0.0, &dan.matrix, p, 1, 2);
  /* forward was h' = (1-f)*h + f*n, fh = f*h, f = sigma(a_f), so
   *   df = dh*(n-h) + d(fh)*h,  da_f = df*f*(1-f),  dh_prev += d(fh)*f */
  for (size_t b = 0; b < B; b++) {
    const double *g = grl_crow(d->dh, b), *c = grl_crow(s->cache, b);
    const double *h = grl_crow(s->h_prev, b), *dg = grl_row(&dfh.matrix, b);
    double *dx = grl_row(d->dxp, b), *dhp = grl_row(d->dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      dx[j] = (g[j] * (c[H + j] - h[j]) + dg[j] * h[j]) * grl_dsigmoid(c[j]);
      dhp[j] += dg[j] * c[j];
    }
  }
  /* forward was a_f = xp_f + h W_hf^T + b_hf, so dh_prev += da_f W_hf */
  grl_recurrent_backward(d->dh_prev, 1.0, &daf.matrix, p, 0, 1);
}

/* dW_hf += dA_f^T H, dW_hn += dA_n^T (F*H), f*h from cache block 2 */
static void mgu_backward_weights(grl_views *dp, const gsl_matrix *dA,
                                 const gsl_matrix *Hprev,
                                 const gsl_matrix *cache)
{
  grl_backward_weights_reset(dp, dA, Hprev, cache, 1, 2);
}

const grl_cell grl_cell_mgu = {
  .name = "mgu",
  .title = "minimal gated unit (Zhou et al. 2016): h' = (1-f)*h + f*tanh(W_in x + W_hn (f*h) + b)",
  .G = 2, .has_c = 0, .K = 3, .scratch = 2,
  .ngate = 2, .gate_names = gate_names,
  .keep_gate = 0, .keep_sign = -1,
  .layout = grl_layout_pytorch,
  .forward = mgu_forward, .backward = mgu_backward,
  .backward_weights = mgu_backward_weights,
  .naive = grl_naive_mgu, .naive_c = grl_naive_mgu_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* mgu.  gates = f, n; f is needed for all units before any n. */
void NAIVE(mgu)(GRL_NAIVE_ARGS)
{
  (void)c_prev; (void)c;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  SCALAR *f = gates, *n = gates + H;
  for (size_t j = 0; j < H; j++)
    f[j] = SIG(PRE_X(0, j) + PRE_H(0, j));   /* f = sigma(...) */
  for (size_t j = 0; j < H; j++) {
    /* n = tanh(W_in x + b_in + W_hn (f * h) + b_hn) */
    n[j] = TANH(PRE_RESET(1, j, f));
    /* h' = (1 - f) * h + f * n */
    h[j] = (1.0 - f[j]) * h_prev[j] + f[j] * n[j];
  }
}

#endif
