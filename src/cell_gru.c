/* cell_gru.c -- the gated recurrent unit as PyTorch's nn.GRU computes it
 * (the cuDNN "reset-after" convention).  Gate blocks r, z, n.
 *
 *   r  = sigma(W_ir x + b_ir + W_hr h + b_hr)          reset gate
 *   z  = sigma(W_iz x + b_iz + W_hz h + b_hz)          update gate
 *   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate
 *   h' = (1 - z) * n + z * h
 *
 * z is the fraction of h_prev KEPT: z = 1 copies the old state through,
 * z = 0 replaces it by the candidate n.  "Reset-after": r multiplies the
 * recurrent product W_hn h + b_hn after the matrix product; Cho et al.
 * reset h before it (cell_gru_cho.c).
 *
 * Cache per row (K = 4 blocks of H): r, z, n, hn = W_hn h + b_hn. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"


static const char *const gate_names[] = {"r", "z", "n"};

static void gru_forward(const grl_views *p, const gsl_matrix *xp,
                        const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                        gsl_matrix *h, gsl_matrix *c, gsl_matrix *cache,
                        gsl_matrix *work)
{
  (void)c_prev; (void)c;
  size_t B = h->size1, H = h->size2;
  /* hp = h_prev Wh^T + bh: the batch's recurrent product, one dgemm. */
  gsl_matrix *hp = work;                                   /* (B, 3H) */
  grl_affine_forward(hp, 0.0, h_prev, &p->Wh.matrix, &p->bh.vector);

  for (size_t b = 0; b < B; b++) {
    const double *xr = xp->data + b * xp->tda;             /* (3H) */
    const double *hr = hp->data + b * hp->tda;             /* (3H) */
    const double *hpr = h_prev->data + b * h_prev->tda;    /* (H)  */
    double *cr = cache->data + b * cache->tda;             /* (4H) r z n hn */
    double *out = h->data + b * h->tda;                    /* (H)  */
    for (size_t j = 0; j < H; j++) {
      /* r = sigma(W_ir x + b_ir + W_hr h + b_hr) */
      double r = grl_sigmoid(xr[j] + hr[j]);
      /* z = sigma(W_iz x + b_iz + W_hz h + b_hz) */
      double z = grl_sigmoid(xr[H + j] + hr[H + j]);
      /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) */
      double hn = hr[2 * H + j];
      double n = grl_tanh(xr[2 * H + j] + r * hn);
      /* h' = (1 - z) * n + z * h */
      out[j] = (1.0 - z) * n + z * hpr[j];
      cr[j] = r; cr[H + j] = z; cr[2 * H + j] = n; cr[3 * H + j] = hn;
    }
  }
}

static void gru_backward(const grl_views *p, grl_views *dp,
                         const gsl_matrix *dh, const gsl_matrix *dc,
                         const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                         const gsl_matrix *h, const gsl_matrix *c,
                         const gsl_matrix *cache, gsl_matrix *dxp,
                         gsl_matrix *dh_prev, gsl_matrix *dc_prev,
                         gsl_matrix *work)
{
  (void)dc; (void)c_prev; (void)h; (void)c; (void)dc_prev;
  size_t B = dh->size1, H = dh->size2;
  gsl_matrix *dhp = work;          /* (B, 3H) dL/d(h_prev Wh^T + bh) */
  for (size_t b = 0; b < B; b++) {
    const double *g = dh->data + b * dh->tda;
    const double *hpr = h_prev->data + b * h_prev->tda;
    const double *cr = cache->data + b * cache->tda;
    double *dx = dxp->data + b * dxp->tda;
    double *dr_ = dhp->data + b * dhp->tda;
    double *dhpr = dh_prev->data + b * dh_prev->tda;
    for (size_t j = 0; j < H; j++) {
      double r = cr[j], z = cr[H + j], n = cr[2 * H + j], hn = cr[3 * H + j];
      /* forward was h' = (1-z)*n + z*h, so
       *   dn = dh*(1-z),  dz = dh*(h - n),  dh_prev += dh*z (direct path) */
      double dn = g[j] * (1.0 - z);
      double dz = g[j] * (hpr[j] - n);
      dhpr[j] = g[j] * z;
      /* n = tanh(a_n), a_n = xp_n + r*hn:  da_n = dn*(1-n^2);
       * the input side sees da_n, the recurrent side da_n*r, and dr = da_n*hn */
      double dan = dn * grl_dtanh(n);
      double dr = dan * hn;
      /* z = sigma(a_z): da_z = dz*z*(1-z);  r = sigma(a_r): da_r = dr*r*(1-r) */
      double daz = dz * grl_dsigmoid(z);
      double dar = dr * grl_dsigmoid(r);
      dx[j] = dar; dx[H + j] = daz; dx[2 * H + j] = dan;
      dr_[j] = dar; dr_[H + j] = daz; dr_[2 * H + j] = dan * r;
    }
  }
  /* forward was hp = h_prev Wh^T + bh, so
   *   dWh += dhp^T h_prev,  dbh += 1^T dhp,  dh_prev += dhp Wh */
  grl_affine_backward(dhp, h_prev, &p->Wh.matrix, &dp->Wh.matrix,
                      &dp->bh.vector, dh_prev, 1.0);
}

const grl_cell grl_cell_gru = {
  .name = "gru",
  .title = "GRU, PyTorch/cuDNN reset-after: n = tanh(W_in x + b_in + r*(W_hn h + b_hn))",
  .G = 3, .has_c = 0, .K = 4, .W = 3,
  .ngate = 3, .gate_names = gate_names,
  .layout = grl_layout_pytorch, .bind = grl_bind_pytorch,
  .forward = gru_forward, .backward = gru_backward,
  .naive = grl_naive_gru, .naive_c = grl_naive_gru_c,
};
