/* gradnorm.c -- how far back does the gradient reach?
 *
 * For a loss L at the last step, backpropagation through time multiplies
 * the gradient by one step Jacobian per step:
 *
 *   dL/dh_{T-k} = J_{T-k+1}^T ... J_T^T dL/dh_T,   J_t = dh_t / dh_{t-1}
 *
 * so ||dL/dh_{T-k}|| <= prod ||J_t|| and, for a tanh RNN with
 * J_t = diag(1 - h_t^2) W_hh, ||J_t|| <= lambda_1 gamma with gamma = 1 and
 * lambda_1 the largest singular value of W_hh (Pascanu, Mikolov and Bengio
 * 2013, sec. 3.2).  Here both sides are measured: the gradient by full
 * BPTT, and each J_t exactly, from the cell's own single-step backward. */
#include <config.h>
#include "grulab.h"
#include "openblas.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct grl_gradnorm {
  const grl_model *m;
  size_t T, B;
  size_t R;           /* state size: H, or 2H for the LSTM's (h, c)          */
  grl_seq *s;         /* (T, B) forward and BPTT                              */
  double *dscratch;   /* (n) parameter gradients nobody reads                 */
  gsl_matrix *U;      /* (B, H) dL/dh_T: one unit vector per sequence        */
  /* One step's backward on R copies of each of the B rows (RB = B*R rows) */
  gsl_matrix *xp;     /* (RB, G*H) input projections of the step            */
  gsl_matrix *hp, *cp;/* (RB, H) h_{t-1}, c_{t-1}                            */
  gsl_matrix *h, *c;  /* (RB, H) h_t, c_t                                    */
  gsl_matrix *cache;  /* (RB, K*H) the step's forward cache, or NULL (K=0) */
  gsl_matrix *work;   /* (RB, W*H) the cell's scratch, or NULL (W=0)        */
  gsl_matrix *dh, *dc;/* (RB, H) seeds: identity blocks                     */
  gsl_matrix *dxp;    /* (RB, G*H) unused output                            */
  gsl_matrix *dq;     /* (RB, G*H) unused output, cells with own_dhp, else NULL */
  gsl_matrix *dhp, *dcp; /* (RB, H) rows of the Jacobian                    */
  gsl_matrix *J;      /* (R, R) one row's Jacobian                          */
  gsl_matrix *JtJ;    /* (R, R) J^T J, lower triangle                        */
  gsl_vector *eval;   /* (R) eigenvalues of J^T J = squared singular values */
  gsl_eigen_symm_workspace *ews;
};

void grl_gradnorm_free(grl_gradnorm *g)
{
  if (!g)
    return;
  grl_seq_free(g->s);
  free(g->dscratch);
  gsl_matrix *ms[] = {g->U, g->xp, g->hp, g->cp, g->h, g->c, g->cache,
                      g->work, g->dh, g->dc, g->dxp, g->dq, g->dhp, g->dcp, g->J,
                      g->JtJ};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
    if (ms[i])
      gsl_matrix_free(ms[i]);
  if (g->eval)
    gsl_vector_free(g->eval);
  if (g->ews)
    gsl_eigen_symm_free(g->ews);
  free(g);
}

int grl_gradnorm_alloc(grl_gradnorm **out, const grl_model *m, size_t T,
                       size_t B)
{
  *out = NULL;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "gradnorm: need T >= 1 and B >= 1, got T=%zu B=%zu", T, B);
  if (m->layers > 1)
    return grl_fail(GRL_EINVAL, "gradnorm: the step Jacobians are one "
                    "layer's; this model has %zu layers", m->layers);
  grl_gradnorm *g = calloc(1, sizeof *g);
  if (!g)
    return grl_fail(GRL_ENOMEM, "gradnorm: out of memory");
  const grl_cell *cell = m->cell;
  const size_t H = m->hidden_size, G = cell->G;
  g->m = m;
  g->T = T;
  g->B = B;
  g->R = cell->has_c ? 2 * H : H;
  const size_t R = g->R, RB = B * R;
  int st = grl_seq_alloc(&g->s, m, T, B);
  if (st) {
    grl_gradnorm_free(g);
    return st;
  }
  g->dscratch = calloc(m->n, sizeof *g->dscratch);
  g->U = gsl_matrix_alloc(B, H);
  g->xp = gsl_matrix_alloc(RB, G * H);
  g->hp = gsl_matrix_alloc(RB, H);
  g->h = gsl_matrix_alloc(RB, H);
  if (cell->K)
    g->cache = gsl_matrix_alloc(RB, cell->K * H);
  if (cell->scratch)
    g->work = gsl_matrix_alloc(RB, cell->scratch * H);
  g->dh = gsl_matrix_calloc(RB, H);
  g->dxp = gsl_matrix_alloc(RB, G * H);
  if (cell->own_dhp)
    g->dq = gsl_matrix_alloc(RB, G * H);
  g->dhp = gsl_matrix_alloc(RB, H);
  g->J = gsl_matrix_alloc(R, R);
  g->JtJ = gsl_matrix_alloc(R, R);
  g->eval = gsl_vector_alloc(R);
  g->ews = gsl_eigen_symm_alloc(R);
  int bad = !g->dscratch || !g->U || !g->xp || !g->hp || !g->h
            || (cell->K && !g->cache) || (cell->scratch && !g->work) || !g->dh || !g->dxp || (cell->own_dhp && !g->dq) || !g->dhp || !g->J || !g->JtJ
            || !g->eval || !g->ews;
  if (cell->has_c) {
    g->cp = gsl_matrix_alloc(RB, H);
    g->c = gsl_matrix_alloc(RB, H);
    g->dc = gsl_matrix_calloc(RB, H);
    g->dcp = gsl_matrix_alloc(RB, H);
    bad = bad || !g->cp || !g->c || !g->dc || !g->dcp;
  }
  if (bad) {
    grl_gradnorm_free(g);
    return grl_fail(GRL_ENOMEM, "gradnorm: out of memory for T=%zu B=%zu H=%zu", T, B, H);
  }
  /* The seeds never change.  Copy i of row b asks for row i of the
   * Jacobian: dh = e_i (and dc = 0) for i < H; for the LSTM, copies
   * H..2H-1 seed dc = e_{i-H} (and dh = 0). */
  for (size_t b = 0; b < B; b++)
    for (size_t i = 0; i < R; i++) {
      if (i < H)
        gsl_matrix_set(g->dh, b * R + i, i, 1.0);
      else
        gsl_matrix_set(g->dc, b * R + i, i - H, 1.0);
    }
  *out = g;
  return GRL_OK;
}

/* Copy row `row` of src into rows [b*R, (b+1)*R) of dst. */
static void replicate(gsl_matrix *dst, size_t b, size_t R,
                      const gsl_matrix *src, size_t row)
{
  const double *v = gsl_matrix_const_ptr(src, row, 0);
  for (size_t i = 0; i < R; i++)
    memcpy(gsl_matrix_ptr(dst, b * R + i, 0), v, src->size2 * sizeof *v);
}

/* Mean over the batch of sigma_max(dh_{s+1}/dh_s), step s (0-based). */
static int step_jacobian(grl_gradnorm *g, const grl_const_views *p, size_t s,
                         double *out)
{
  const grl_model *m = g->m;
  const grl_cell *cell = m->cell;
  const size_t B = g->B, R = g->R, H = m->hidden_size;
  grl_seq *sq = g->s;
  const gsl_matrix *Hs = grl_seq_states(sq), *Cs = grl_seq_cell_states(sq);
  for (size_t b = 0; b < B; b++) {
    /* step s read h_prev = Hs row s*B+b and wrote h = Hs row (s+1)*B+b */
    replicate(g->xp, b, R, grl_seq_input_proj(sq), s * B + b);
    replicate(g->hp, b, R, Hs, s * B + b);
    replicate(g->h, b, R, Hs, (s + 1) * B + b);
    if (cell->K)
      replicate(g->cache, b, R, grl_seq_cache(sq), s * B + b);
    if (cell->has_c) {
      replicate(g->cp, b, R, Cs, s * B + b);
      replicate(g->c, b, R, Cs, (s + 1) * B + b);
    }
  }
  /* The step as the forward left it, and the identity seeds: the rows
   * of [dh_prev | dc_prev] = e_i^T d(h,c)_t / d(h,c)_{t-1} */
  grl_step step = {.h = g->h, .c = g->c, .cache = g->cache, .xp = g->xp,
                 .h_prev = g->hp, .c_prev = g->cp, .work = g->work};
  grl_step_grad d = {.dxp = g->dxp, .dhp = g->dq ? g->dq : g->dxp,
                     .dh_prev = g->dhp, .dc_prev = g->dcp,
                     .dh = g->dh, .dc = g->dc};
  cell->backward(&d, &step, p);

  double sum = 0.0;
  for (size_t b = 0; b < B; b++) {
    for (size_t i = 0; i < R; i++) {
      double *Ji = gsl_matrix_ptr(g->J, i, 0);
      memcpy(Ji, gsl_matrix_const_ptr(g->dhp, b * R + i, 0), H * sizeof *Ji);
      if (cell->has_c)
        memcpy(Ji + H, gsl_matrix_const_ptr(g->dcp, b * R + i, 0), H * sizeof *Ji);
    }
    /* sigma_max(J)^2 = the largest eigenvalue of J^T J.  The symmetric
     * eigensolver, values only, is 4-5x faster here than a full SVD
     * (gsl_linalg_SV_decomp) and agrees with it to rounding. */
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, g->J, 0.0, g->JtJ);
    int st = gsl_eigen_symm(g->JtJ, g->eval, g->ews);
    if (st)
      return grl_fail(GRL_EFAIL, "gradnorm: the eigenvalues of the step-%zu Jacobian did not converge (%d)", s + 1, st);
    sum += sqrt(fmax(gsl_vector_max(g->eval), 0.0));
  }
  *out = sum / (double)B;
  return GRL_OK;
}

int grl_gradnorm_run(grl_gradnorm *g, const double *theta, const double *x,
                     gsl_rng *r, double *norm, double *jac)
{
  const grl_model *m = g->m;
  const size_t T = g->T, B = g->B, H = m->hidden_size;
  if (!theta)
    theta = m->theta;
  grl_const_views p;
  grl_model_bind_const(m, theta, &p);

  /* L = sum_b u_b . h_T(b), so dL/dh_T(b) = u_b with ||u_b|| = 1 */
  if (m->output_size == 1) {
    /* the MSE gradient at h_T is (2/B)(y_b - target_b) Wo^T: a per-row
     * multiple of the readout's direction */
    gsl_vector_view w = gsl_matrix_row(&p.Wo.matrix, 0);
    double wn = gsl_blas_dnrm2(&w.vector);
    if (!(wn > 0.0))
      return grl_fail(GRL_EINVAL, "gradnorm: the readout weight is zero");
    for (size_t b = 0; b < B; b++)
      for (size_t j = 0; j < H; j++)
        gsl_matrix_set(g->U, b, j, gsl_vector_get(&w.vector, j) / wn);
  } else {
    for (size_t b = 0; b < B; b++) {
      gsl_vector_view u = gsl_matrix_row(g->U, b);
      for (size_t j = 0; j < H; j++)
        gsl_vector_set(&u.vector, j, gsl_ran_ugaussian(r));
      gsl_vector_scale(&u.vector, 1.0 / gsl_blas_dnrm2(&u.vector));
    }
  }

  int st = grl_seq_forward(g->s, theta, x, NULL, NULL);
  if (st)
    return st;
  memset(g->dscratch, 0, m->n * sizeof *g->dscratch);
  st = grl_seq_backward(g->s, theta, x, NULL, g->U->data, NULL, g->dscratch,
                        NULL, NULL, NULL);
  if (st)
    return st;

  /* dsyrk on one OpenBLAS thread, the same bytes at any thread count
   * (affine.c): pinned once for all the steps' Jacobians */
  int was = grl_blas_one_thread();
  for (size_t k = 0; k < T && !st; k++) {
    /* h_{T-k} is the output of step s = T-1-k; dHs row s*B+b */
    const size_t s = T - 1 - k;
    double sum = 0.0;
    for (size_t b = 0; b < B; b++) {
      gsl_vector_const_view d =
        gsl_matrix_const_row(grl_seq_dstates(g->s), s * B + b);
      double nh = gsl_blas_dnrm2(&d.vector);
      if (m->cell->has_c) {
        /* the LSTM's state is (h, c): ||(dL/dh, dL/dc)|| */
        gsl_vector_const_view dc =
          gsl_matrix_const_row(grl_seq_dcell_states(g->s), s * B + b);
        nh = hypot(nh, gsl_blas_dnrm2(&dc.vector));
      }
      sum += nh;
    }
    norm[k] = sum / (double)B;
    /* jac[k]: J_{T-k} = dh_{T-k}/dh_{T-k-1}, the same step s */
    if (jac)
      st = step_jacobian(g, &p, s, &jac[k]);
  }
  grl_blas_threads_restore(was);
  return st;
}

/* ---- initialisations for the experiments --------------------------- */

/* Apply f(block, ctx) to every H x H gate block of W_hh. */
static int each_hh_block(grl_model *m, int (*f)(gsl_matrix *, double),
                         double arg)
{
  grl_views p;
  grl_model_bind(m, m->theta, &p);
  const size_t H = m->hidden_size;
  if (p.Wh.matrix.size2 != H || p.Wh.matrix.size1 % H) {
    const size_t dims[2] = {p.Wh.matrix.size1, p.Wh.matrix.size2},
                 block[2] = {H, H};
    char have[64], want[64];
    return grl_fail(GRL_EINVAL, "%s: W_hh is %s, not a stack of %s blocks",
                    grl_cell_name(m->cell),
                    grl_shape_format(have, sizeof have, 2, dims),
                    grl_shape_format(want, sizeof want, 2, block));
  }
  for (size_t g = 0; g < p.Wh.matrix.size1 / H; g++) {
    gsl_matrix_view blk = gsl_matrix_submatrix(&p.Wh.matrix, g * H, 0, H, H);
    int st = f(&blk.matrix, arg);
    if (st)
      return st;
  }
  return GRL_OK;
}

static int rescale_singular(gsl_matrix *W, double lambda1)
{
  const size_t H = W->size1;
  gsl_matrix *A = gsl_matrix_alloc(H, H), *V = gsl_matrix_alloc(H, H);
  gsl_vector *S = gsl_vector_alloc(H), *w = gsl_vector_alloc(H);
  int st = GRL_OK;
  if (!A || !V || !S || !w) {
    st = grl_fail(GRL_ENOMEM, "rescale W_hh: out of memory");
  } else {
    gsl_matrix_memcpy(A, W);
    if (gsl_linalg_SV_decomp(A, V, S, w) || !(gsl_vector_get(S, 0) > 0.0))
      st = grl_fail(GRL_EINVAL, "rescale W_hh: the block has no non-zero singular value");
    else
      /* W <- (lambda1 / sigma_max(W)) W */
      gsl_matrix_scale(W, lambda1 / gsl_vector_get(S, 0));
  }
  if (A) gsl_matrix_free(A);
  if (V) gsl_matrix_free(V);
  if (S) gsl_vector_free(S);
  if (w) gsl_vector_free(w);
  return st;
}

static int rescale_radius(gsl_matrix *W, double rho)
{
  const size_t H = W->size1;
  gsl_matrix *A = gsl_matrix_alloc(H, H);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(H);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(H);
  int st = GRL_OK;
  if (!A || !ev || !ws) {
    st = grl_fail(GRL_ENOMEM, "rescale W_hh: out of memory");
  } else {
    gsl_matrix_memcpy(A, W);
    double r = 0.0;
    if (gsl_eigen_nonsymm(A, ev, ws)) {
      st = grl_fail(GRL_EFAIL, "rescale W_hh: the eigenvalue iteration did not converge");
    } else {
      for (size_t i = 0; i < H; i++)
        r = fmax(r, gsl_complex_abs(gsl_vector_complex_get(ev, i)));
      if (!(r > 0.0))
        st = grl_fail(GRL_EINVAL, "rescale W_hh: the spectral radius is zero");
      else
        /* W <- (rho / max|eig(W)|) W */
        gsl_matrix_scale(W, rho / r);
    }
  }
  if (A) gsl_matrix_free(A);
  if (ev) gsl_vector_complex_free(ev);
  if (ws) gsl_eigen_nonsymm_free(ws);
  return st;
}

int grl_init_singular_value(grl_model *m, double lambda1)
{
  if (!(lambda1 > 0.0) || !isfinite(lambda1))
    return grl_fail(GRL_EINVAL, "the largest singular value lambda1 must be a finite number > 0, got %g", lambda1);
  return each_hh_block(m, rescale_singular, lambda1);
}

int grl_init_spectral_radius(grl_model *m, double rho)
{
  if (!(rho > 0.0) || !isfinite(rho))
    return grl_fail(GRL_EINVAL, "the spectral radius rho must be a finite number > 0, got %g", rho);
  return each_hh_block(m, rescale_radius, rho);
}

int grl_init_keep_gate_bias(grl_model *m, double b)
{
  const grl_cell *c = m->cell;
  if (!c->keep_sign)
    return grl_fail(GRL_EINVAL, "keep-gate bias: the %s cell has no gate that keeps the old state",
                    grl_cell_name(c));
  /* the keep gate's block of b_x is +-b (sigma(b) kept), of b_h 0: the
   * total bias is +-b */
  const size_t H = m->hidden_size, k = (size_t)c->keep_gate;
  for (size_t l = 0; l < m->layers; l++) {   /* every layer's keep gate */
    size_t off;
    const grl_model *ml = grl_model_layer(m, l, &off);
    grl_views v;
    grl_model_bind(ml, m->theta + off, &v);
    for (size_t i = 0; i < H; i++) {
      gsl_vector_set(&v.bx.vector, k * H + i, c->keep_sign * b);
      if (v.has_bh)
        gsl_vector_set(&v.bh.vector, k * H + i, 0.0);
    }
  }
  return GRL_OK;
}
