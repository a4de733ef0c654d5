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

#ifndef GRL_NAIVE_PASS  /* ---- the batched step, the driver's ---- */

static const char *const gate_names[] = {"r", "z", "n"};

static void gru_forward(grl_step *s, const grl_const_views *p)
{
  size_t B = s->h->size1, H = s->h->size2;
  /* hp = h_prev W_h^T: the batch's recurrent product, one GEMM; its
   * bias b_h is added in the loop below, which reads hp anyway (a pass
   * over hp fewer than adding it first) */
  gsl_matrix *hp = s->work;                              /* (B, 3H) */
  grl_recurrent_forward(hp, 0.0, s->h_prev, p, 0, 3, NULL);
  const double *restrict bh = p->bh.vector.data;         /* (3H), stride 1 */

  for (size_t b = 0; b < B; b++) {
    const double *restrict xr = grl_crow(s->xp, b);      /* (3H) */
    const double *restrict hr = grl_crow(hp, b);         /* (3H) */
    const double *restrict hpr = grl_crow(s->h_prev, b); /* (H)  */
    double *restrict cr = grl_row(s->cache, b);          /* (4H) r z n hn */
    double *restrict out = grl_row(s->h, b);             /* (H)  */
    double *r = cr, *z = cr + H, *n = cr + 2 * H, *hn = cr + 3 * H;
    /* r = sigma(W_ir x + b_ir + W_hr h + b_hr)
     * z = sigma(W_iz x + b_iz + W_hz h + b_hz), one array of 2H */
#pragma omp simd
    for (size_t j = 0; j < 2 * H; j++)
      r[j] = xr[j] + (hr[j] + bh[j]);
    grl_sigmoid_n(r, r, 2 * H);
    /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) */
#pragma omp simd
    for (size_t j = 0; j < H; j++) {
      hn[j] = hr[2 * H + j] + bh[2 * H + j];
      n[j] = xr[2 * H + j] + r[j] * hn[j];
    }
    grl_tanh_n(n, n, H);
    /* h' = (1 - z) * n + z * h */
#pragma omp simd
    for (size_t j = 0; j < H; j++)
      out[j] = (1.0 - z[j]) * n[j] + z[j] * hpr[j];
  }
}

static void gru_backward(grl_step_grad *d, const grl_step *s,
                         const grl_const_views *p)
{
  size_t B = d->dh->size1, H = d->dh->size2;
  gsl_matrix *dhp = d->dhp;              /* (B, 3H) dL/d(h_prev W_h^T + b_h) */
  for (size_t b = 0; b < B; b++) {
    const double *restrict g = grl_crow(d->dh, b);       /* (H)  dL/dh'      */
    const double *restrict hpr = grl_crow(s->h_prev, b); /* (H)              */
    const double *restrict cr = grl_crow(s->cache, b);   /* (4H) r z n hn    */
    double *restrict dx = grl_row(d->dxp, b);            /* (3H) da_r da_z da_n */
    double *restrict dq = grl_row(dhp, b);               /* (3H)             */
    double *restrict dhpr = grl_row(d->dh_prev, b);      /* (H)              */
#pragma omp simd
    for (size_t j = 0; j < H; j++) {
      double r = cr[j], z = cr[H + j], n = cr[2 * H + j], hn = cr[3 * H + j];
      /* forward was h' = (1 - z) * n + z * h, so
       *   dn = dh*(1-z),  dz = dh*(h - n),  dh_prev = dh*z (direct path) */
      double dn = g[j] * (1.0 - z);
      double dz = g[j] * (hpr[j] - n);
      dhpr[j] = g[j] * z;
      /* forward was n = tanh(a_n), a_n = xp_n + r * hn, so
       *   da_n = dn*(1-n^2); the input side sees da_n, the recurrent side
       *   da_n*r, and dr = da_n*hn */
      double dan = dn * grl_dtanh(n);
      double dr = dan * hn;
      /* forward was z = sigma(a_z), r = sigma(a_r), so
       *   da_z = dz*z*(1-z),  da_r = dr*r*(1-r) */
      double daz = dz * grl_dsigmoid(z);
      double dar = dr * grl_dsigmoid(r);
      dx[j] = dar; dx[H + j] = daz; dx[2 * H + j] = dan;
      dq[j] = dar; dq[H + j] = daz; dq[2 * H + j] = dan * r;
    }
  }
  /* forward was hp = h_prev W_h^T (+ b_h, in the gate loop), so
   *   dh_prev += dhp W_h   (the driver makes dW_h and db_h from every
   * step's dhp) */
  grl_recurrent_backward(d->dh_prev, 1.0, dhp, p, 0, 3);
}

const grl_cell grl_cell_gru = {
  .name = "gru",
  .title = "GRU, PyTorch/cuDNN reset-after: n = tanh(W_in x + b_in + r*(W_hn h + b_hn))",
  .G = 3, .has_c = 0, .K = 4, .scratch = 3,
  .ngate = 3, .gate_names = gate_names,
  .keep_gate = 1, .keep_sign = 1,
  .layout = grl_layout_pytorch,
  .forward = gru_forward, .backward = gru_backward,
  .own_dhp = 1, .backward_weights = grl_backward_weights_hh,
  .naive = grl_naive_gru, .naive_c = grl_naive_gru_c,
};


#else  /* ---- GRL_NAIVE_PASS: the naive reference step, one row, plain
       * loops, compiled for double and double _Complex (naive_scalar.h) */

/* gru, PyTorch reset-after.  gates = r, z, n. */
void NAIVE(gru)(GRL_NAIVE_ARGS)
{
  (void)c_prev; (void)c;
  const grl_param *P = m->param;
  size_t I = m->input_size, H = m->hidden_size;
  for (size_t j = 0; j < H; j++) {
    /* r = sigma(W_ir x + b_ir + W_hr h + b_hr) */
    SCALAR r = SIG(PRE_X(0, j) + PRE_H(0, j));
    /* z = sigma(W_iz x + b_iz + W_hz h + b_hz) */
    SCALAR z = SIG(PRE_X(1, j) + PRE_H(1, j));
    /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) */
    SCALAR n = TANH(PRE_X(2, j) + r * PRE_H(2, j));
    /* h' = (1 - z) * n + z * h */
    h[j] = (1.0 - z) * n + z * h_prev[j];
    gates[j] = r; gates[H + j] = z; gates[2 * H + j] = n;
  }
}

#endif
