/* cell_rnn.c -- the plain tanh RNN, as PyTorch's nn.RNN computes it: the
 * baseline that vanishes.
 *
 *   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
 *
 * No gates and no cache: backward needs only h', which the driver keeps. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"


static void rnn_forward(const grl_views *p, const gsl_matrix *xp,
                        const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                        gsl_matrix *h, gsl_matrix *c, gsl_matrix *cache,
                        gsl_matrix *work)
{
  (void)c_prev; (void)c; (void)cache; (void)work;
  size_t B = h->size1, H = h->size2;
  /* a = xp + h_prev W_hh^T + b_hh, built in h itself, then squashed. */
  gsl_matrix_memcpy(h, xp);
  grl_affine_forward(h, 1.0, h_prev, &p->Wh.matrix, &p->bh.vector);
  /* h' = tanh(a) */
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++)
      h->data[b * h->tda + j] = grl_tanh(h->data[b * h->tda + j]);
}

static void rnn_backward(const grl_views *p, grl_views *dp,
                         const gsl_matrix *dh, const gsl_matrix *dc,
                         const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                         const gsl_matrix *h, const gsl_matrix *c,
                         const gsl_matrix *cache, gsl_matrix *dxp,
                         gsl_matrix *dh_prev, gsl_matrix *dc_prev,
                         gsl_matrix *work)
{
  (void)dc; (void)c_prev; (void)c; (void)cache; (void)dc_prev; (void)work;
  size_t B = dh->size1, H = dh->size2;
  /* forward was h' = tanh(a), so da = dh * (1 - h'^2); a's input and
   * recurrent parts both see da, so dxp doubles as dL/d(recurrent part). */
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++)
      dxp->data[b * dxp->tda + j] =
        dh->data[b * dh->tda + j] * grl_dtanh(h->data[b * h->tda + j]);
  /* forward was a = ... + h_prev W_hh^T + b_hh, so
   *   dW_hh += da^T h_prev,  db_hh += 1^T da,  dh_prev = da W_hh */
  grl_affine_backward(dxp, h_prev, &p->Wh.matrix, &dp->Wh.matrix,
                      &dp->bh.vector, dh_prev, 0.0);
}

const grl_cell grl_cell_rnn = {
  .name = "rnn",
  .title = "tanh RNN (PyTorch nn.RNN): h' = tanh(W_ih x + b_ih + W_hh h + b_hh)",
  .G = 1, .has_c = 0, .K = 0, .W = 0,
  .ngate = 0, .gate_names = NULL,
  .layout = grl_layout_pytorch, .bind = grl_bind_pytorch,
  .forward = rnn_forward, .backward = rnn_backward,
  .naive = grl_naive_rnn, .naive_c = grl_naive_rnn_c,
};
