/* cell_rnn.c -- the plain tanh RNN, as PyTorch's nn.RNN computes it: the
 * baseline that vanishes.
 *
 *   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
 *
 * No gates and no cache: backward needs only h', which the driver keeps. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static void rnn_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  /* a = xp + h_prev W_hh^T + b_hh, built in h itself, then squashed */
  gsl_matrix_memcpy(s->h, s->xp);
  grl_recurrent_forward(s->h, 1.0, s->h_prev, p, 0, 1, &p->bh.vector);
  for (size_t b = 0; b < B; b++) {
    double *h = grl_row(s->h, b);                    /* (H) a, then h' */
    /* h' = tanh(a) */
    grl_tanh_n(h, h, H);
  }
}

static void rnn_backward(grl_step_grad *d, const grl_step *s,
                         const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  for (size_t b = 0; b < B; b++) {
    const double *dh = grl_crow(d->dh, b), *h = grl_crow(s->h, b);
    double *da = grl_row(d->dxp, b);                 /* (H) dL/da */
    for (size_t j = 0; j < H; j++)
      /* forward was h' = tanh(a), so da = dh * (1 - h'^2) */
      da[j] = dh[j] * grl_dtanh(h[j]);
  }
  /* forward was a = xp + h_prev W_hh^T + b_hh: both parts see da (dxp is
   * also dhp, from which the driver makes dW_hh and db_hh), and
   *   dh_prev = da W_hh */
  grl_recurrent_backward(d->dh_prev, 0.0, d->dxp, p, 0, 1);
}

const grl_cell grl_cell_rnn = {
  .name = "rnn",
  .title = "tanh RNN (PyTorch nn.RNN): h' = tanh(W_ih x + b_ih + W_hh h + b_hh)",
  .G = 1, .has_c = 0, .K = 0, .scratch = 0,
  .ngate = 0, .gate_names = NULL,
  .keep_gate = 0, .keep_sign = 0,
  .layout = grl_layout_pytorch,
  .forward = rnn_forward, .backward = rnn_backward,
  .backward_weights = grl_backward_weights_hh,
  .naive = grl_naive_rnn, .naive_c = grl_naive_rnn_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* rnn: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).  No gates. */
void NAIVE(rnn)(GRL_NAIVE_ARGS)
{
  (void)c_prev; (void)c; (void)gates;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++)
    h[j] = TANH(PRE_X(0, j) + PRE_H(0, j));
}

#endif
