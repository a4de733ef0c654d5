/* cell_gru_cho.c -- the GRU of Cho et al. (2014), "reset-before" (Keras
 * reset_after=False).  The same parameters, r and z as cell_gru.c; only
 * the candidate differs: the reset gate scales h BEFORE the matrix product.
 *
 *   r  = sigma(W_ir x + b_ir + W_hr h + b_hr)
 *   z  = sigma(W_iz x + b_iz + W_hz h + b_hz)          z = fraction of h kept
 *   n  = tanh(W_in x + b_in + W_hn (r * h) + b_hn)     <- reset before
 *   h' = (1 - z) * n + z * h
 *
 * The price: the n block's recurrent product needs r first, so each step
 * makes two dgemms (r,z blocks from h, then n block from r*h).
 * Cache per row (K = 4 blocks of H): r, z, n, rh = r * h. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"


static const char *const gate_names[] = {"r", "z", "n"};

/* Rows [k*H, (k+1)*H) of a stacked (3H, n) weight, or entries of a bias. */
static gsl_matrix_view wrows(gsl_matrix *W, size_t k0, size_t k1, size_t H)
{
  return gsl_matrix_submatrix(W, k0 * H, 0, (k1 - k0) * H, W->size2);
}
static gsl_vector_view brows(gsl_vector *v, size_t k0, size_t k1, size_t H)
{
  return gsl_vector_subvector(v, k0 * H, (k1 - k0) * H);
}
static gsl_matrix_view cols(gsl_matrix *a, size_t k0, size_t k1, size_t H)
{
  return gsl_matrix_submatrix(a, 0, k0 * H, a->size1, (k1 - k0) * H);
}

static void cho_forward(const grl_views *p, const gsl_matrix *xp,
                        const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                        gsl_matrix *h, gsl_matrix *c, gsl_matrix *cache,
                        gsl_matrix *work)
{
  (void)c_prev; (void)c;
  size_t B = h->size1, H = h->size2;
  grl_views *q = (grl_views *)p;
  gsl_matrix_view Wrz = wrows(&q->Wh.matrix, 0, 2, H), Wn = wrows(&q->Wh.matrix, 2, 3, H);
  gsl_vector_view brz = brows(&q->bh.vector, 0, 2, H), bn = brows(&q->bh.vector, 2, 3, H);
  gsl_matrix_view hrz = cols(work, 0, 2, H);     /* (B, 2H) W_h{r,z} h + b_h{r,z} */
  gsl_matrix_view hn = cols(work, 2, 3, H);      /* (B, H)  W_hn (r*h) + b_hn      */
  gsl_matrix_view rh = cols(cache, 3, 4, H);     /* (B, H)  r * h                  */

  grl_affine_forward(&hrz.matrix, 0.0, h_prev, &Wrz.matrix, &brz.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xr = xp->data + b * xp->tda, *hr = hrz.matrix.data + b * work->tda;
    const double *hpr = h_prev->data + b * h_prev->tda;
    double *cr = cache->data + b * cache->tda;
    for (size_t j = 0; j < H; j++) {
      /* r = sigma(W_ir x + b_ir + W_hr h + b_hr) */
      cr[j] = grl_sigmoid(xr[j] + hr[j]);
      /* z = sigma(W_iz x + b_iz + W_hz h + b_hz) */
      cr[H + j] = grl_sigmoid(xr[H + j] + hr[H + j]);
      /* reset before: rh = r * h */
      cr[3 * H + j] = cr[j] * hpr[j];
    }
  }
  grl_affine_forward(&hn.matrix, 0.0, &rh.matrix, &Wn.matrix, &bn.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xr = xp->data + b * xp->tda, *hnr = hn.matrix.data + b * work->tda;
    const double *hpr = h_prev->data + b * h_prev->tda;
    double *cr = cache->data + b * cache->tda, *out = h->data + b * h->tda;
    for (size_t j = 0; j < H; j++) {
      /* n = tanh(W_in x + b_in + W_hn (r*h) + b_hn) */
      double n = grl_tanh(xr[2 * H + j] + hnr[j]);
      double z = cr[H + j];
      /* h' = (1 - z) * n + z * h */
      out[j] = (1.0 - z) * n + z * hpr[j];
      cr[2 * H + j] = n;
    }
  }
}

static void cho_backward(const grl_views *p, grl_views *dp,
                         const gsl_matrix *dh, const gsl_matrix *dc,
                         const gsl_matrix *h_prev, const gsl_matrix *c_prev,
                         const gsl_matrix *h, const gsl_matrix *c,
                         const gsl_matrix *cache, gsl_matrix *dxp,
                         gsl_matrix *dh_prev, gsl_matrix *dc_prev,
                         gsl_matrix *work)
{
  (void)dc; (void)c_prev; (void)h; (void)c; (void)dc_prev;
  size_t B = dh->size1, H = dh->size2;
  grl_views *q = (grl_views *)p;
  gsl_matrix_view Wrz = wrows(&q->Wh.matrix, 0, 2, H), Wn = wrows(&q->Wh.matrix, 2, 3, H);
  gsl_matrix_view dWrz = wrows(&dp->Wh.matrix, 0, 2, H), dWn = wrows(&dp->Wh.matrix, 2, 3, H);
  gsl_vector_view dbrz = brows(&dp->bh.vector, 0, 2, H), dbn = brows(&dp->bh.vector, 2, 3, H);
  gsl_matrix_view dan = cols(dxp, 2, 3, H);       /* (B, H)  dL/da_n            */
  gsl_matrix_view drh = cols(work, 3, 4, H);      /* (B, H)  dL/d(r*h)          */
  gsl_matrix_view darz = cols(dxp, 0, 2, H);      /* (B, 2H) dL/da_r, dL/da_z   */
  gsl_matrix_const_view rh = gsl_matrix_const_submatrix(cache, 0, 3 * H, B, H);

  /* Pass 1 -- forward was h' = (1-z)*n + z*h and n = tanh(a_n):
   *   dn = dh*(1-z),  da_n = dn*(1-n^2),  dz = dh*(h - n),  dh_prev = dh*z */
  for (size_t b = 0; b < B; b++) {
    const double *g = dh->data + b * dh->tda, *cr = cache->data + b * cache->tda;
    const double *hpr = h_prev->data + b * h_prev->tda;
    double *dx = dxp->data + b * dxp->tda, *dhpr = dh_prev->data + b * dh_prev->tda;
    for (size_t j = 0; j < H; j++) {
      double z = cr[H + j], n = cr[2 * H + j];
      dx[2 * H + j] = g[j] * (1.0 - z) * grl_dtanh(n);
      dx[H + j] = g[j] * (hpr[j] - n) * grl_dsigmoid(z);   /* da_z */
      dhpr[j] = g[j] * z;
    }
  }
  /* forward was a_n = xp_n + (r*h) W_hn^T + b_hn, so
   *   dW_hn += da_n^T (r*h),  db_hn += 1^T da_n,  d(r*h) = da_n W_hn */
  grl_affine_backward(&dan.matrix, &rh.matrix, &Wn.matrix, &dWn.matrix,
                      &dbn.vector, &drh.matrix, 0.0);
  /* Pass 2 -- rh = r*h: dr = d(rh)*h, dh_prev += d(rh)*r;
   *   r = sigma(a_r): da_r = dr*r*(1-r) */
  for (size_t b = 0; b < B; b++) {
    const double *cr = cache->data + b * cache->tda, *hpr = h_prev->data + b * h_prev->tda;
    const double *d = drh.matrix.data + b * work->tda;
    double *dx = dxp->data + b * dxp->tda, *dhpr = dh_prev->data + b * dh_prev->tda;
    for (size_t j = 0; j < H; j++) {
      double r = cr[j];
      dx[j] = d[j] * hpr[j] * grl_dsigmoid(r);
      dhpr[j] += d[j] * r;
    }
  }
  /* forward was a_{r,z} = xp_{r,z} + h W_h{r,z}^T + b_h{r,z}, so
   *   dW_h{r,z} += da^T h_prev,  db += 1^T da,  dh_prev += da W_h{r,z} */
  grl_affine_backward(&darz.matrix, h_prev, &Wrz.matrix, &dWrz.matrix,
                      &dbrz.vector, dh_prev, 1.0);
}

const grl_cell grl_cell_gru_cho = {
  .name = "gru-cho",
  .title = "GRU, Cho et al. 2014 reset-before: n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)",
  .G = 3, .has_c = 0, .K = 4, .W = 4,
  .ngate = 3, .gate_names = gate_names,
  .layout = grl_layout_pytorch, .bind = grl_bind_pytorch,
  .forward = cho_forward, .backward = cho_backward,
  .naive = grl_naive_gru_cho, .naive_c = grl_naive_gru_cho_c,
};
