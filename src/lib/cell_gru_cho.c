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

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static const char *const gate_names[] = {"r", "z", "n"};

static void cho_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  gsl_vector_const_view brz = grl_gates(&p->bh.vector, 0, 2, H);  /* (2H)    */
  gsl_vector_const_view bn = grl_gates(&p->bh.vector, 2, 3, H);   /* (H)     */
  gsl_matrix_view hrz = grl_cols(s->work, 0, 2, H);  /* (B, 2H) W_h{r,z} h + b_h{r,z} */
  gsl_matrix_view hn = grl_cols(s->work, 2, 3, H);   /* (B, H)  W_hn (r*h) + b_hn     */
  gsl_matrix_view rh = grl_cols(s->cache, 3, 4, H);  /* (B, H)  r * h                 */

  grl_recurrent_forward(&hrz.matrix, 0.0, s->h_prev, p, 0, 2, &brz.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xr = grl_crow(s->xp, b);               /* (3H) */
    const double *hr = grl_row(&hrz.matrix, b);          /* (2H) */
    const double *hpr = grl_crow(s->h_prev, b);          /* (H)  */
    double *cr = grl_row(s->cache, b);                   /* (4H) r z n rh */
    /* r = sigma(W_ir x + b_ir + W_hr h + b_hr)
     * z = sigma(W_iz x + b_iz + W_hz h + b_hz), one array of 2H */
    for (size_t j = 0; j < 2 * H; j++)
      cr[j] = xr[j] + hr[j];
    grl_sigmoid_n(cr, cr, 2 * H);
    /* reset before: rh = r * h */
    for (size_t j = 0; j < H; j++)
      cr[3 * H + j] = cr[j] * hpr[j];
  }
  grl_recurrent_forward(&hn.matrix, 0.0, &rh.matrix, p, 2, 3, &bn.vector);
  for (size_t b = 0; b < B; b++) {
    const double *xr = grl_crow(s->xp, b);               /* (3H) */
    const double *hnr = grl_row(&hn.matrix, b);          /* (H)  */
    const double *hpr = grl_crow(s->h_prev, b);          /* (H)  */
    double *cr = grl_row(s->cache, b), *out = grl_row(s->h, b);
    double *z = cr + H, *n = cr + 2 * H;
    /* n = tanh(W_in x + b_in + W_hn (r*h) + b_hn) */
    for (size_t j = 0; j < H; j++)
      n[j] = xr[2 * H + j] + hnr[j];
    grl_tanh_n(n, n, H);
    /* h' = (1 - z) * n + z * h */
    for (size_t j = 0; j < H; j++)
      out[j] = (1.0 - z[j]) * n[j] + z[j] * hpr[j];
  }
}

static void cho_backward(grl_step_grad *d, const grl_step *s,
                         const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  gsl_matrix_view darz = grl_cols(d->dxp, 0, 2, H);    /* (B, 2H) dL/da_r, dL/da_z */
  gsl_matrix_view dan = grl_cols(d->dxp, 2, 3, H);     /* (B, H)  dL/da_n          */
  gsl_matrix_view drh = grl_cols(s->work, 3, 4, H);    /* (B, H)  dL/d(r*h)        */

  /* Pass 1 -- forward was h' = (1 - z) * n + z * h and n = tanh(a_n), so
   *   dn = dh*(1-z),  da_n = dn*(1-n^2),  dz = dh*(h - n),  dh_prev = dh*z,
   * and z = sigma(a_z):  da_z = dz*z*(1-z) */
  for (size_t b = 0; b < B; b++) {
    const double *g = grl_crow(d->dh, b), *cr = grl_crow(s->cache, b);
    const double *hpr = grl_crow(s->h_prev, b);
    double *dx = grl_row(d->dxp, b), *dhpr = grl_row(d->dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      double z = cr[H + j], n = cr[2 * H + j];
      dx[2 * H + j] = g[j] * (1.0 - z) * grl_dtanh(n);
      dx[H + j] = g[j] * (hpr[j] - n) * grl_dsigmoid(z);
      dhpr[j] = g[j] * z;
    }
  }
  /* forward was a_n = xp_n + (r*h) W_hn^T + b_hn, so  d(r*h) = da_n W_hn
   * (dW_hn, db_hn: the driver, from every step's da_n and r*h) */
  grl_recurrent_backward(&drh.matrix, 0.0, &dan.matrix, p, 2, 3);
  /* Pass 2 -- forward was rh = r * h, so dr = d(rh)*h, dh_prev += d(rh)*r;
   * and r = sigma(a_r):  da_r = dr*r*(1-r) */
  for (size_t b = 0; b < B; b++) {
    const double *cr = grl_crow(s->cache, b), *hpr = grl_crow(s->h_prev, b);
    const double *drr = grl_row(&drh.matrix, b);
    double *dx = grl_row(d->dxp, b), *dhpr = grl_row(d->dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      double r = cr[j];
      dx[j] = drr[j] * hpr[j] * grl_dsigmoid(r);
      dhpr[j] += drr[j] * r;
    }
  }
  /* forward was a_{r,z} = xp_{r,z} + h W_h{r,z}^T + b_h{r,z}, so
   *   dh_prev += da_{r,z} W_h{r,z} */
  grl_recurrent_backward(d->dh_prev, 1.0, &darz.matrix, p, 0, 2);
}

/* The recurrent weights' gradients of all T*B rows at once.  Forward was
 *   a_{r,z} = h W_h{r,z}^T + b_h{r,z},   a_n = (r*h) W_hn^T + b_hn
 * at every step, so
 *   dW_h{r,z} += dA_{r,z}^T H,   dW_hn += dA_n^T (R*H)
 * with r*h read back from the cache (block 3); db_h = 1^T dA is the
 * driver's. */
static void cho_backward_weights(grl_views *dp, const gsl_matrix *dA,
                                 const gsl_matrix *Hprev,
                                 const gsl_matrix *cache)
{
  grl_backward_weights_reset(dp, dA, Hprev, cache, 2, 3);
}

const grl_cell grl_cell_gru_cho = {
  .name = "gru-cho",
  .title = "GRU, Cho et al. 2014 reset-before: n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)",
  .G = 3, .has_c = 0, .K = 4, .scratch = 4,
  .ngate = 3, .gate_names = gate_names,
  .keep_gate = 1, .keep_sign = 1,
  .layout = grl_layout_pytorch,
  .forward = cho_forward, .backward = cho_backward,
  .backward_weights = cho_backward_weights,
  .naive = grl_naive_gru_cho, .naive_c = grl_naive_gru_cho_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* gru-cho, Cho et al. reset-before.  gates = r, z, n; r is needed for all
 * units before any n, so r and z are computed first. */
void NAIVE(gru_cho)(GRL_NAIVE_ARGS)
{
  (void)c_prev; (void)c;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  SCALAR *r = gates, *z = gates + H, *n = gates + 2 * H;
  for (size_t j = 0; j < H; j++) {
    r[j] = SIG(PRE_X(0, j) + PRE_H(0, j));   /* r = sigma(...) */
    z[j] = SIG(PRE_X(1, j) + PRE_H(1, j));   /* z = sigma(...) */
  }
  for (size_t j = 0; j < H; j++) {
    /* n = tanh(W_in x + b_in + W_hn (r * h) + b_hn) */
    n[j] = TANH(PRE_RESET(2, j, r));
    /* h' = (1 - z) * n + z * h */
    h[j] = (1.0 - z[j]) * n[j] + z[j] * h_prev[j];
  }
}

#endif
