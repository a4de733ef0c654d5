/* cell_lstm.c -- the long short-term memory cell as PyTorch's nn.LSTM
 * computes it.  Gate blocks i, f, g, o; a cell state c beside h.
 *
 *   i  = sigma(W_ii x + b_ii + W_hi h + b_hi)      input gate
 *   f  = sigma(W_if x + b_if + W_hf h + b_hf)      forget gate (c kept)
 *   g  = tanh (W_ig x + b_ig + W_hg h + b_hg)      candidate
 *   o  = sigma(W_io x + b_io + W_ho h + b_ho)      output gate
 *   c' = f * c + i * g
 *   h' = o * tanh(c')
 *
 * Cache per row (K = 5 blocks of H): i, f, g, o, tanh(c'). */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static const char *const gate_names[] = {"i", "f", "g", "o"};

static void lstm_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  /* a = xp + h_prev W_h^T + b_h: all four gates' pre-activations */
  gsl_matrix *a = s->work;                               /* (B, 4H) */
  gsl_matrix_memcpy(a, s->xp);
  grl_recurrent_forward(a, 1.0, s->h_prev, p, 0, 4, &p->bh.vector);
  for (size_t b = 0; b < B; b++) {
    const double *ar = grl_crow(a, b);                   /* (4H) a_i a_f a_g a_o */
    const double *cp = grl_crow(s->c_prev, b);           /* (H)  */
    double *cr = grl_row(s->cache, b);                   /* (5H) i f g o tanh(c') */
    double *hr = grl_row(s->h, b), *cn = grl_row(s->c, b);
    double *i = cr, *f = cr + H, *g = cr + 2 * H, *o = cr + 3 * H;
    double *tc = cr + 4 * H;
    grl_sigmoid_n(i, ar, 2 * H);                  /* i = sigma(a_i), f = sigma(a_f) */
    grl_tanh_n(g, ar + 2 * H, H);                 /* g = tanh(a_g)  */
    grl_sigmoid_n(o, ar + 3 * H, H);              /* o = sigma(a_o) */
    /* c' = f * c + i * g */
    for (size_t j = 0; j < H; j++)
      cn[j] = f[j] * cp[j] + i[j] * g[j];
    /* h' = o * tanh(c') */
    grl_tanh_n(tc, cn, H);
    for (size_t j = 0; j < H; j++)
      hr[j] = o[j] * tc[j];
  }
}

static void lstm_backward(grl_step_grad *d, const grl_step *s,
                          const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  for (size_t b = 0; b < B; b++) {
    const double *gh = grl_crow(d->dh, b), *gc = grl_crow(d->dc, b);
    const double *cp = grl_crow(s->c_prev, b);           /* (H)  */
    const double *cr = grl_crow(s->cache, b);            /* (5H) i f g o tanh(c') */
    double *da = grl_row(d->dxp, b);                     /* (4H) */
    double *dcp = grl_row(d->dc_prev, b);                /* (H)  */
    for (size_t j = 0; j < H; j++) {
      double i = cr[j], f = cr[H + j], g = cr[2 * H + j], o = cr[3 * H + j];
      double tc = cr[4 * H + j];
      /* forward was h' = o * tanh(c'), so do = dh * tanh(c'), and c' gets
       * dh * o * (1 - tanh^2 c') on top of what flows in from step t+1 */
      double d_o = gh[j] * tc;
      double dct = gc[j] + gh[j] * o * grl_dtanh(tc);
      /* forward was c' = f * c + i * g, so
       *   df = dc'*c,  di = dc'*g,  dg = dc'*i,  dc_prev = dc'*f */
      double di = dct * g, df = dct * cp[j], dg = dct * i;
      dcp[j] = dct * f;
      /* forward was i, f, o = sigma(a), g = tanh(a), so
       *   da = d(gate) * s(1-s), or d(gate) * (1-t^2) */
      da[j] = di * grl_dsigmoid(i);
      da[H + j] = df * grl_dsigmoid(f);
      da[2 * H + j] = dg * grl_dtanh(g);
      da[3 * H + j] = d_o * grl_dsigmoid(o);
    }
  }
  /* forward was a = xp + h_prev W_h^T + b_h; both sides see da = dxp (also
   * dhp, for the driver's dW_h and db_h), so  dh_prev = da W_h */
  grl_recurrent_backward(d->dh_prev, 0.0, d->dxp, p, 0, 4);
}

const grl_cell grl_cell_lstm = {
  .name = "lstm",
  .title = "LSTM (PyTorch nn.LSTM): c' = f*c + i*g, h' = o*tanh(c')",
  .G = 4, .has_c = 1, .K = 5, .scratch = 4,
  .ngate = 4, .gate_names = gate_names,
  .keep_gate = 1, .keep_sign = 1,
  .layout = grl_layout_pytorch,
  .forward = lstm_forward, .backward = lstm_backward,
  .backward_weights = grl_backward_weights_hh,
  .naive = grl_naive_lstm, .naive_c = grl_naive_lstm_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* lstm, PyTorch.  gates = i, f, g, o. */
void NAIVE(lstm)(GRL_NAIVE_ARGS)
{
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++) {
    SCALAR i = SIG(PRE_X(0, j) + PRE_H(0, j));   /* input gate  */
    SCALAR f = SIG(PRE_X(1, j) + PRE_H(1, j));   /* forget gate */
    SCALAR g = TANH(PRE_X(2, j) + PRE_H(2, j));     /* candidate   */
    SCALAR o = SIG(PRE_X(3, j) + PRE_H(3, j));   /* output gate */
    /* c' = f * c + i * g;  h' = o * tanh(c') */
    c[j] = f * c_prev[j] + i * g;
    h[j] = o * TANH(c[j]);
    gates[j] = i; gates[H + j] = f; gates[2 * H + j] = g; gates[3 * H + j] = o;
  }
}

#endif
