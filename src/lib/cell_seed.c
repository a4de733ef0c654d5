/* cell_seed.c -- the cell that grulab's source article calls a "GRU"
 * (its sections 2 and 3.3, quoted with a translation in doc/article.md),
 * implemented as its equations say.  With v = [h_{t-1}; x_t], h first:
 *
 *   f   = sigma(W_f v + b_f)                 "forget gate"
 *   i   = sigma(W_i v + b_i)                 "input gate"
 *   o   = sigma(W_o v + b_o)                 "output gate"
 *   h_t = f * h_{t-1} + i * tanh(W_c v + b_c)
 *
 * What is wrong with it, as a GRU:
 *  - A GRU (Cho et al. 2014) has two gates, reset r and update z, and
 *    COUPLES keeping and writing: h' = z*h + (1-z)*n.  This cell has three
 *    independent gates: it is an LSTM without its cell state (f and i play
 *    the LSTM's forget and input gates, directly on h).
 *  - Nothing reads o.  It is computed (and cached, so charts can show it),
 *    but h_t does not depend on it, so dL/dW_o and dL/db_o are EXACTLY zero.
 *  - The article's numpy code uses tanh for all gates, and does not run:
 *    np.concatenate((h_prev, x), axis=1) on two 1-D arrays raises AxisError.
 *    This cell follows the equations (sigmoid gates), not the code.
 *
 * Parameters: weight_f, weight_i, weight_o, weight_c, each (H, H+I), are
 * stored stacked as one (4H, H+I) block so that the driver sees the usual
 * Wx = columns [H, H+I) and Wh = columns [0, H); then bias_f, ... (4H).
 * There is no separate recurrent bias.
 * Cache per row (K = 4 blocks of H): f, i, o, c~ = tanh(W_c v + b_c). */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static const char *const gate_names[] = {"f", "i", "o", "c~"};

static void seed_layout(grl_model *m)
{
  static const char *const wname[] = {"weight_f", "weight_i", "weight_o", "weight_c"};
  static const char *const bname[] = {"bias_f", "bias_i", "bias_o", "bias_c"};
  size_t H = m->hidden_size, V = H + m->input_size;
  for (size_t k = 0; k < 4; k++) {
    grl_param *w = &m->param[m->nparam++];
    *w = (grl_param){.name = wname[k], .ndim = 2, .rows = H, .cols = V,
                     .offset = k * H * V};
    grl_param *b = &m->param[m->nparam++];
    *b = (grl_param){.name = bname[k], .ndim = 1, .rows = H, .cols = 1,
                     .offset = 4 * H * V + k * H};
  }
  m->ncell = 4 * H * V + 4 * H;
  /* The driver's views: Wh = columns [0, H) of the stacked (4H, H+I)
   * weight (acts on h), Wx = columns [H, H+I) (acts on x), bx = the four
   * biases; no recurrent bias. */
  m->view.Wh = (grl_slot){0, 4 * H, H, V};
  m->view.Wx = (grl_slot){H, 4 * H, m->input_size, V};
  m->view.bx = (grl_slot){4 * H * V, 4 * H, 1, 1};
  m->view.has_bh = 0;
}

static void seed_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  /* a = W v + b = (W[:, H:] x + b) + W[:, :H] h = xp + h_prev W_h^T */
  gsl_matrix *a = s->work;                               /* (B, 4H) */
  gsl_matrix_memcpy(a, s->xp);
  grl_recurrent_forward(a, 1.0, s->h_prev, p, 0, 4, NULL);
  for (size_t b = 0; b < B; b++) {
    const double *ar = grl_crow(a, b);                   /* (4H) */
    const double *hp = grl_crow(s->h_prev, b);           /* (H)  */
    double *cr = grl_row(s->cache, b);                   /* (4H) f i o c~ */
    double *out = grl_row(s->h, b);                      /* (H)  */
    double *f = cr, *i = cr + H, *ct = cr + 3 * H;
    /* f = sigma(W_f v + b_f), i = sigma(W_i v + b_i),
     * o = sigma(W_o v + b_o) (unread): one array of 3H */
    grl_sigmoid_n(f, ar, 3 * H);
    /* c~ = tanh(W_c v + b_c) */
    grl_tanh_n(ct, ar + 3 * H, H);
    /* h_t = f * h_{t-1} + i * c~ */
    for (size_t j = 0; j < H; j++)
      out[j] = f[j] * hp[j] + i[j] * ct[j];
  }
}

static void seed_backward(grl_step_grad *d, const grl_step *s,
                          const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  for (size_t b = 0; b < B; b++) {
    const double *g = grl_crow(d->dh, b), *hp = grl_crow(s->h_prev, b);
    const double *cr = grl_crow(s->cache, b);            /* (4H) f i o c~ */
    double *da = grl_row(d->dxp, b), *dhp = grl_row(d->dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      double f = cr[j], i = cr[H + j], ct = cr[3 * H + j];
      /* forward was h_t = f * h_{t-1} + i * c~, so df = dh*h_{t-1},
       * di = dh*c~, dc~ = dh*i, dh_prev = dh*f (direct path); then through
       * sigma' = s(1-s) and tanh' = 1-t^2 */
      da[j] = g[j] * hp[j] * grl_dsigmoid(f);
      da[H + j] = g[j] * ct * grl_dsigmoid(i);
      /* nothing reads o, so its gradient is exactly zero */
      da[2 * H + j] = 0.0;
      da[3 * H + j] = g[j] * i * grl_dtanh(ct);
      dhp[j] = g[j] * f;
    }
  }
  /* forward was a = xp + h_prev W_h^T (W_h = the h-columns of W); da is
   * also dhp, for the driver's dW_h, and  dh_prev += da W_h */
  grl_recurrent_backward(d->dh_prev, 1.0, d->dxp, p, 0, 4);
}

const grl_cell grl_cell_seed = {
  .name = "seed",
  .title = "the article's cell: h = f*h + i*tanh(W_c[h;x] + b_c), o unread",
  .G = 4, .has_c = 0, .K = 4, .scratch = 4,
  .ngate = 4, .gate_names = gate_names,
  .keep_gate = 0, .keep_sign = 1,
  .layout = seed_layout,
  .forward = seed_forward, .backward = seed_backward,
  .backward_weights = grl_backward_weights_hh,
  .naive = grl_naive_seed, .naive_c = grl_naive_seed_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* seed, the article's cell: v = [h; x], weights (H, H+I) stacked f, i, o, c
 * in one (4H, H+I) block, then biases (4H).  gates = f, i, o, c~. */
void NAIVE(seed)(GRL_NAIVE_ARGS)
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
    SCALAR f = SIG(a[0]), i = SIG(a[1]), o = SIG(a[2]);
    SCALAR ct = TANH(a[3]);
    /* h_t = f * h_{t-1} + i * tanh(W_c v + b_c);  o is computed, unread */
    h[j] = f * h_prev[j] + i * ct;
    gates[j] = f; gates[H + j] = i; gates[2 * H + j] = o; gates[3 * H + j] = ct;
  }
}

#endif
