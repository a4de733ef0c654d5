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


static const char *const gate_names[] = {"i", "f", "g", "o"};

static void lstm_forward(const grl_views *p, const gsl_matrix *xp,
                         const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                         gsl_matrix *h, gsl_matrix *c, gsl_matrix *cache,
                         gsl_matrix *work)
{
  size_t B = h->size1, H = h->size2;
  /* a = xp + h_prev Wh^T + bh: all four gates' pre-activations, (B, 4H). */
  gsl_matrix *a = work;
  gsl_matrix_memcpy(a, xp);
  grl_affine_forward(a, 1.0, h_prev, &p->Wh.matrix, &p->bh.vector);
  for (size_t b = 0; b < B; b++) {
    const double *ar = a->data + b * a->tda, *cp = c_prev->data + b * c_prev->tda;
    double *cr = cache->data + b * cache->tda;
    double *hr = h->data + b * h->tda, *cn = c->data + b * c->tda;
    for (size_t j = 0; j < H; j++) {
      double i = grl_sigmoid(ar[j]);           /* i = sigma(a_i) */
      double f = grl_sigmoid(ar[H + j]);       /* f = sigma(a_f) */
      double g = grl_tanh(ar[2 * H + j]);      /* g = tanh(a_g)  */
      double o = grl_sigmoid(ar[3 * H + j]);   /* o = sigma(a_o) */
      /* c' = f * c + i * g */
      cn[j] = f * cp[j] + i * g;
      /* h' = o * tanh(c') */
      double tc = grl_tanh(cn[j]);
      hr[j] = o * tc;
      cr[j] = i; cr[H + j] = f; cr[2 * H + j] = g; cr[3 * H + j] = o;
      cr[4 * H + j] = tc;
    }
  }
}

static void lstm_backward(const grl_views *p, grl_views *dp,
                          const gsl_matrix *dh, const gsl_matrix *dc,
                          const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                          const gsl_matrix *h, const gsl_matrix *c,
                          const gsl_matrix *cache, gsl_matrix *dxp,
                          gsl_matrix *dh_prev, gsl_matrix *dc_prev,
                          gsl_matrix *work)
{
  (void)h; (void)c; (void)work;
  size_t B = dh->size1, H = dh->size2;
  for (size_t b = 0; b < B; b++) {
    const double *gh = dh->data + b * dh->tda, *gc = dc->data + b * dc->tda;
    const double *cp = c_prev->data + b * c_prev->tda;
    const double *cr = cache->data + b * cache->tda;
    double *da = dxp->data + b * dxp->tda, *dcp = dc_prev->data + b * dc_prev->tda;
    for (size_t j = 0; j < H; j++) {
      double i = cr[j], f = cr[H + j], g = cr[2 * H + j], o = cr[3 * H + j];
      double tc = cr[4 * H + j];
      /* forward was h' = o * tanh(c'): do = dh * tanh(c'), and c' gets
       * dh * o * (1 - tanh^2 c') on top of what flows in from step t+1 */
      double d_o = gh[j] * tc;
      double dct = gc[j] + gh[j] * o * grl_dtanh(tc);
      /* forward was c' = f*c + i*g: df = dc'*c, di = dc'*g, dg = dc'*i,
       * dc_prev = dc'*f */
      double di = dct * g, df = dct * cp[j], dg = dct * i;
      dcp[j] = dct * f;
      /* through the squashes: sigma' = s(1-s), tanh' = 1-t^2 */
      da[j] = di * grl_dsigmoid(i);
      da[H + j] = df * grl_dsigmoid(f);
      da[2 * H + j] = dg * grl_dtanh(g);
      da[3 * H + j] = d_o * grl_dsigmoid(o);
    }
  }
  /* forward was a = xp + h_prev Wh^T + bh; both sides see da = dxp:
   *   dWh += da^T h_prev,  dbh += 1^T da,  dh_prev = da Wh */
  grl_affine_backward(dxp, h_prev, &p->Wh.matrix, &dp->Wh.matrix,
                      &dp->bh.vector, dh_prev, 0.0);
}

const grl_cell grl_cell_lstm = {
  .name = "lstm",
  .title = "LSTM (PyTorch nn.LSTM): c' = f*c + i*g, h' = o*tanh(c')",
  .G = 4, .has_c = 1, .K = 5, .W = 4,
  .ngate = 4, .gate_names = gate_names,
  .layout = grl_layout_pytorch, .bind = grl_bind_pytorch,
  .forward = lstm_forward, .backward = lstm_backward,
  .naive = grl_naive_lstm, .naive_c = grl_naive_lstm_c,
};
