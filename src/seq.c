/* seq.c -- the one sequence driver: the time loop, the caches, the initial
 * states and the gradient accumulation, for every cell.
 *
 * Forward, for a (T, B) batch:
 *   XP = X Wx^T + bx            all T input projections: ONE dgemm, hoisted
 *   for t = 0 .. T-1:           the recurrence; each step's recurrent
 *     h_t = cell(XP_t, h_{t-1}) product is one dgemm over the batch (in
 *                               the cell)
 * Backward (full BPTT), the mirror image:
 *   for t = T-1 .. 0:
 *     dh_t = dL/doutput_t + dh from step t+1
 *     cell backward: dXP_t, dh_{t-1}; dWh, dbh accumulate
 *   dWx += dXP^T X,  dbx += 1^T dXP,  dX += dXP Wx      two dgemms
 * Nothing is allocated inside either loop: grl_seq_alloc sizes everything. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int grl_seq_alloc(grl_seq **out, const grl_model *m, size_t T, size_t B)
{
  *out = NULL;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "sequence: T and B must be positive "
                    "(got T=%zu, B=%zu)", T, B);
  if (T > 10000000 / B)
    return grl_fail(GRL_EINVAL, "sequence: T*B = %zu*%zu is too large", T, B);
  const grl_cell *c = m->cell;
  size_t H = m->hidden_size, GH = c->G * H;
  grl_seq *s = calloc(1, sizeof *s);
  if (!s)
    return grl_fail(GRL_ENOMEM, "sequence: out of memory");
  s->m = m;
  s->T = T;
  s->B = B;
  int bad = 0;
#define ALLOC(field, rows, cols) \
  do { if (!(s->field = gsl_matrix_calloc((rows), (cols)))) bad = 1; } while (0)
  ALLOC(XP, T * B, GH);
  ALLOC(dXP, T * B, GH);
  ALLOC(Hs, (T + 1) * B, H);
  ALLOC(dHs, T * B, H);
  ALLOC(dh, B, H);
  ALLOC(dh_prev, B, H);
  if (c->has_c) {
    ALLOC(Cs, (T + 1) * B, H);
    ALLOC(dCs, T * B, H);
    ALLOC(dc, B, H);
    ALLOC(dc_prev, B, H);
  }
  if (c->K)
    ALLOC(cache, T * B, c->K * H);
  if (c->W)
    ALLOC(work, B, c->W * H);
#undef ALLOC
  if (bad) {
    grl_seq_free(s);
    return grl_fail(GRL_ENOMEM, "sequence: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, H);
  }
  *out = s;
  return GRL_OK;
}

void grl_seq_free(grl_seq *s)
{
  if (!s)
    return;
  gsl_matrix *all[] = {s->XP, s->Hs, s->Cs, s->cache, s->dXP, s->dHs,
                       s->dCs, s->dh, s->dc, s->dh_prev, s->dc_prev, s->work};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(s);
}

/* Row block [t*B, (t+1)*B) of a (T*B, n) matrix: the batch at time t. */
static gsl_matrix_view at(gsl_matrix *a, size_t t, size_t B)
{
  return gsl_matrix_submatrix(a, t * B, 0, B, a->size2);
}

static void set_state(gsl_matrix *S, const double *init, size_t B, size_t H)
{
  gsl_matrix_view s0 = gsl_matrix_submatrix(S, 0, 0, B, H);
  if (init) {
    gsl_matrix_const_view v = gsl_matrix_const_view_array(init, B, H);
    gsl_matrix_memcpy(&s0.matrix, &v.matrix);
  } else {
    gsl_matrix_set_zero(&s0.matrix);
  }
}

/* Point a step at time t of the sequence buffers: xp_t, h_{t-1} -> h_t
 * (and c_{t-1} -> c_t), cache_t.  Only views; nothing is copied. */
typedef struct {
  gsl_matrix_view xp, h, h_prev, c, c_prev, cache;
} step_views;

static void step_at(grl_step *st, step_views *v, grl_seq *s, size_t t)
{
  const grl_cell *c = s->m->cell;
  size_t B = s->B;
  v->xp = at(s->XP, t, B);                         /* (B, G*H) */
  v->h_prev = at(s->Hs, t, B);                     /* (B, H) h_{t-1} */
  v->h = at(s->Hs, t + 1, B);                      /* (B, H) h_t     */
  *st = (grl_step){.h = &v->h.matrix, .xp = &v->xp.matrix,
                   .h_prev = &v->h_prev.matrix, .work = s->work};
  if (c->has_c) {
    v->c_prev = at(s->Cs, t, B);                   /* (B, H) c_{t-1} */
    v->c = at(s->Cs, t + 1, B);                    /* (B, H) c_t     */
    st->c = &v->c.matrix;
    st->c_prev = &v->c_prev.matrix;
  }
  if (c->K) {
    v->cache = at(s->cache, t, B);                 /* (B, K*H) */
    st->cache = &v->cache.matrix;
  }
}

int grl_seq_forward(grl_seq *s, const double *theta, const double *x,
                    const double *h0, const double *c0)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);

  /* XP = X Wx^T + bx: every input projection at once, before the loop.
   * x == NULL: the caller has filled s->XP (e.g. a one-hot input done as
   * a gather of Wx's columns, grl_text_*). */
  if (x) {
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I); /* (T*B, I) */
    grl_affine_forward(s->XP, 0.0, &X.matrix, &p.Wx.matrix, &p.bx.vector);
  }

  set_state(s->Hs, h0, B, H);
  if (c->has_c)
    set_state(s->Cs, c0, B, H);

  /* The recurrence: h_t = cell(xp_t, h_{t-1}[, c_{t-1}]). */
  for (size_t t = 0; t < T; t++) {
    grl_step st;
    step_views v;
    step_at(&st, &v, s, t);
    c->forward(&st, &p);
  }

  /* Never pass a NaN on silently: one scan of the states, outside the loop. */
  const gsl_matrix *S[2] = {s->Hs, s->Cs};
  for (int k = 0; k < 2; k++) {
    if (!S[k])
      continue;
    for (size_t r = B; r < (T + 1) * B; r++)
      for (size_t j = 0; j < H; j++)
        if (!isfinite(gsl_matrix_get(S[k], r, j)))
          return grl_fail(GRL_ENONFINITE, "forward: %s is not finite at "
                          "t=%zu, batch %zu, unit %zu (check the inputs and "
                          "parameters)", k ? "cell state c_t" : "hidden state h_t",
                          r / B - 1, r % B, j);
  }
  return GRL_OK;
}

gsl_matrix_view grl_seq_output(grl_seq *s)
{
  return gsl_matrix_submatrix(s->Hs, s->B, 0, s->T * s->B, s->m->hidden_size);
}

gsl_matrix_view grl_seq_hT(grl_seq *s)
{
  return at(s->Hs, s->T, s->B);
}

gsl_matrix_view grl_seq_cT(grl_seq *s)
{
  return at(s->Cs, s->T, s->B);
}

int grl_seq_backward(grl_seq *s, const double *theta, const double *x,
                     const double *dout, const double *dhT, const double *dcT,
                     double *dtheta, double *dx, double *dh0, double *dc0)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  grl_step_grad d = {0};
  grl_model_bind(m, dtheta, &d.dp);

  /* dh, dc: the gradient arriving at h_t, c_t from the future. */
  gsl_matrix *dh = s->dh, *dh_prev = s->dh_prev;   /* (B, H), swapped */
  gsl_matrix *dc = s->dc, *dc_prev = s->dc_prev;   /* (B, H) or NULL  */
  set_state(dh, dhT, B, H);
  if (c->has_c)
    set_state(dc, dcT, B, H);

  for (size_t t = T; t-- > 0;) {
    /* The output h_t also feeds the loss directly: dh_t += dL/doutput_t. */
    if (dout) {
      gsl_matrix_const_view g = gsl_matrix_const_view_array(dout + t * B * H, B, H);
      gsl_matrix_add(dh, &g.matrix);
    }
    gsl_matrix_view dHt = at(s->dHs, t, B);
    gsl_matrix_memcpy(&dHt.matrix, dh);
    if (c->has_c) {
      gsl_matrix_view dCt = at(s->dCs, t, B);
      gsl_matrix_memcpy(&dCt.matrix, dc);
    }
    grl_step st;
    step_views v;
    step_at(&st, &v, s, t);
    gsl_matrix_view dxp = at(s->dXP, t, B);        /* (B, G*H) */
    d.dxp = &dxp.matrix;
    d.dh_prev = dh_prev;
    d.dc_prev = dc_prev;
    d.dh = dh;
    d.dc = dc;
    c->backward(&d, &st, &p);
    /* Step back in time: what flowed into h_{t-1} is next step's dh. */
    gsl_matrix *tmp = dh; dh = dh_prev; dh_prev = tmp;
    if (c->has_c) { tmp = dc; dc = dc_prev; dc_prev = tmp; }
  }
  if (dh0)
    memcpy(dh0, dh->data, B * H * sizeof *dh0);   /* (B, H), tda == H */
  if (dc0 && c->has_c)
    memcpy(dc0, dc->data, B * H * sizeof *dc0);

  /* The input side of every step at once.  Forward was XP = X Wx^T + bx, so
   *   dWx += dXP^T X,   dbx += 1^T dXP,   dX += dXP Wx.
   * x == NULL: the caller filled XP, so the caller reads s->dXP. */
  if (!x)
    return GRL_OK;
  gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I);
  gsl_matrix_view dX = gsl_matrix_view_array(dx ? dx : s->dXP->data, T * B, I);
  grl_affine_backward(s->dXP, &X.matrix, &p.Wx.matrix, &d.dp.Wx.matrix,
                      &d.dp.bx.vector, dx ? &dX.matrix : NULL, 1.0);
  return GRL_OK;
}

double grl_seq_flops(const grl_model *m, size_t T, size_t B)
{
  double G = (double)m->cell->G, H = (double)m->hidden_size,
         I = (double)m->input_size;
  return 6.0 * (double)T * (double)B * G * H * (I + H);
}
