/* ref.c -- the reference: every lab function with the lab's signature,
 * computed by the library (libgrulab), never by a second copy of the
 * lab's code.  A step is one step of the library's sequence driver
 * (grl_seq_forward / grl_seq_backward with T = 1); a sequence is the
 * driver over T steps; the gates in a cache come from the library's naive
 * reference step (grl_naive_forward's gate record) and q from its affine
 * map; clipping and Adam are grl_clip_global_norm and grl_optim_step.
 *
 * These run as the reference of every item, and in place of a student's
 * function that does not pass when a later lab calls it (wrap.c). */
#include <config.h>
#include "grader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_deriv.h>

/* A lab function cannot fail, so neither may its reference: a library
 * error here is the grader's bug, said and stopped (in the child).  Only
 * a state that is not finite is the caller's (a student's NaN reaching a
 * later lab's step): then the reference's outputs are NaN too. */
static int check(int status, const char *what)
{
  if (status == GRL_ENONFINITE)
    return 1;
  if (status) {
    fprintf(stderr, "lab grader: %s: %s\n", what, grl_strerror());
    abort();
  }
  return 0;
}

static void nan_matrix(gsl_matrix *m)
{
  gsl_matrix_set_all(m, NAN);
}

static void nan_params(cell_params *p)
{
  gsl_matrix_set_all(p->W_ih, NAN);
  gsl_matrix_set_all(p->W_hh, NAN);
  gsl_vector_set_all(p->b_ih, NAN);
  gsl_vector_set_all(p->b_hh, NAN);
}

static void *need(void *p)
{
  if (!p) {
    fputs("lab grader: out of memory\n", stderr);
    abort();
  }
  return p;
}

/* ---- workspaces: a model and a sequence driver per shape, kept ---------- */

typedef struct {
  const char *cell;         /* "gru", "lstm" */
  size_t G, I, H, O, T, B;
  grl_model *m;
  grl_seq *s;
  double *theta, *dtheta;   /* (m->n) */
  double *x, *dx;           /* (T*B, I) */
  double *h0, *c0, *dh0, *dc0, *dhT, *dcT;   /* (B, H) */
  double *dout;             /* (T*B, H) */
  double *gates;            /* (T*B, G*H) */
} ws_t;

#define NWS 6
static ws_t wss[NWS];
static size_t ws_next;

/* A workspace for the library's cell NAME ("gru" G = 3, "lstm" G = 4). */
static ws_t *ws_get(const char *cell, size_t G, size_t I, size_t H, size_t O,
                    size_t T, size_t B)
{
  for (size_t k = 0; k < NWS; k++) {
    ws_t *w = &wss[k];
    if (w->m && !strcmp(w->cell, cell) && w->I == I && w->H == H && w->O == O
        && w->T == T && w->B == B)
      return w;
  }
  ws_t *w = &wss[ws_next++ % NWS];
  if (w->m) {
    grl_seq_free(w->s);
    grl_model_free(w->m);
    free(w->theta); free(w->dtheta); free(w->x); free(w->dx);
    free(w->h0); free(w->c0); free(w->dh0); free(w->dc0);
    free(w->dhT); free(w->dcT); free(w->dout); free(w->gates);
  }
  *w = (ws_t){.cell = cell, .G = G, .I = I, .H = H, .O = O, .T = T, .B = B};
  check(grl_model_alloc(&w->m, grl_cell_lookup(cell), I, H, O), "model");
  check(grl_seq_alloc(&w->s, w->m, T, B), "sequence");
  size_t n = w->m->n;
  w->theta = need(calloc(n, sizeof(double)));
  w->dtheta = need(calloc(n, sizeof(double)));
  w->x = need(calloc(T * B * I, sizeof(double)));
  w->dx = need(calloc(T * B * I, sizeof(double)));
  w->h0 = need(calloc(B * H, sizeof(double)));
  w->c0 = need(calloc(B * H, sizeof(double)));
  w->dh0 = need(calloc(B * H, sizeof(double)));
  w->dc0 = need(calloc(B * H, sizeof(double)));
  w->dhT = need(calloc(B * H, sizeof(double)));
  w->dcT = need(calloc(B * H, sizeof(double)));
  w->dout = need(calloc(T * B * H, sizeof(double)));
  w->gates = need(calloc(T * B * G * H, sizeof(double)));
  return w;
}

/* A matrix's rows into a packed array and back. */
static void pack(double *dst, const gsl_matrix *m)
{
  for (size_t i = 0; i < m->size1; i++)
    memcpy(dst + i * m->size2, m->data + i * m->tda, m->size2 * sizeof(double));
}

static void unpack(gsl_matrix *m, const double *src)
{
  for (size_t i = 0; i < m->size1; i++)
    memcpy(m->data + i * m->tda, src + i * m->size2, m->size2 * sizeof(double));
}

/* Column block k (of width H) of a packed (R, G*H) array into m (R, H). */
static void unpack_block(gsl_matrix *m, const double *src, size_t G, size_t k)
{
  size_t H = m->size2;
  for (size_t i = 0; i < m->size1; i++)
    memcpy(m->data + i * m->tda, src + i * G * H + k * H, H * sizeof(double));
}

/* dp += the cell's gradient in block d. */
static void add_params(cell_params *dp, const grl_model *m, const double *d)
{
  cell_params *g = cell_params_alloc(dp->G, dp->I, dp->H);
  lab_params_from_block(g, m, d);
  gsl_matrix_add(dp->W_ih, g->W_ih);
  gsl_matrix_add(dp->W_hh, g->W_hh);
  gsl_vector_add(dp->b_ih, g->b_ih);
  gsl_vector_add(dp->b_hh, g->b_hh);
  cell_params_free(g);
}

/* The workspace of a forward of the cell over xs from (h0, c0) with
 * parameters p; xs (T*B, I), h0 (B, H), c0 or NULL.  NULL if a state
 * was not finite. */
static ws_t *forward(const gsl_matrix *xs, const gsl_matrix *h0,
                     const gsl_matrix *c0, const cell_params *p)
{
  size_t B = h0->size1, T = xs->size1 / B;
  ws_t *w = ws_get(p->G == 4 ? "lstm" : "gru", p->G, p->I, p->H, 0, T, B);
  lab_params_to_block(p, w->m, w->theta);
  pack(w->x, xs);
  pack(w->h0, h0);
  if (c0)
    pack(w->c0, c0);
  if (check(grl_seq_forward(w->s, w->theta, w->x, w->h0, c0 ? w->c0 : NULL),
            "forward"))
    return NULL;
  return w;
}

/* The gates of every row, as the library's naive step records them. */
static void gates(ws_t *w)
{
  check(grl_naive_forward(w->m, w->T, w->B, w->theta, w->x, w->h0,
                          w->G == 4 ? w->c0 : NULL, NULL, NULL, NULL,
                          w->gates), "naive forward");
}

/* q = h_prev W_hn^T + b_hn for the rows of hprev into q: GSL's BLAS on
 * the n block of W_hh, then the bias. */
static void gru_q(gsl_matrix *q, const gsl_matrix *hprev, const gru_params *p)
{
  size_t H = p->H;
  gsl_matrix_const_view Wn = gsl_matrix_const_submatrix(p->W_hh, 2 * H, 0, H, H);
  gsl_vector_const_view bn = gsl_vector_const_subvector(p->b_hh, 2 * H, H);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, hprev, &Wn.matrix, 0.0, q);
  for (size_t b = 0; b < q->size1; b++) {
    gsl_vector_view row = gsl_matrix_row(q, b);
    gsl_vector_add(&row.vector, &bn.vector);
  }
}

/* The library's BPTT after forward() on the same workspace: from dout
 * (every step's dL/dh_t) or dhT and dcT (the last state's), dx and dh0
 * (and dc0) overwritten, dp accumulated. */
static void backward(ws_t *w, const gsl_matrix *dout, const gsl_matrix *dhT,
                     const gsl_matrix *dcT, gsl_matrix *dx, gsl_matrix *dh0,
                     gsl_matrix *dc0, cell_params *dp)
{
  memset(w->dtheta, 0, w->m->n * sizeof(double));
  memset(w->dx, 0, dx->size1 * dx->size2 * sizeof(double));
  if (dout)
    pack(w->dout, dout);
  if (dhT)
    pack(w->dhT, dhT);
  if (dcT)
    pack(w->dcT, dcT);
  check(grl_seq_backward(w->s, w->theta, w->x, dout ? w->dout : NULL,
                         dhT ? w->dhT : NULL, dcT ? w->dcT : NULL, w->dtheta,
                         w->dx, w->dh0, dc0 ? w->dc0 : NULL), "backward");
  unpack(dx, w->dx);
  unpack(dh0, w->dh0);
  if (dc0)
    unpack(dc0, w->dc0);
  add_params(dp, w->m, w->dtheta);
}

/* ---- lab 1 ---------------------------------------------------------------- */

double ref_lab_sigmoid(double a) { return grl_sigmoid(a); }
double ref_lab_tanh(double a) { return grl_tanh(a); }
/* The derivatives exactly, correctly rounded: s - s^2 = s(1 - s) and
 * 1 - t^2 with one rounding (fma).  The library's s(1 - s) and 1 - t*t
 * are within one rounding of s^2, t^2 of these; lab 1 allows that much. */
double ref_lab_dsigmoid(double s) { return fma(-s, s, s); }
double ref_lab_dtanh(double t) { return fma(-t, t, 1.0); }

/* ---- labs 2 to 4 ------------------------------------------------------------ */

void ref_gru_step_forward(gsl_matrix *h, gru_cache *cache, const gsl_matrix *x,
                          const gsl_matrix *h_prev, const gru_params *p)
{
  ws_t *w = forward(x, h_prev, NULL, p);
  if (!w) {
    nan_matrix(h);
    nan_matrix(cache->r);
    nan_matrix(cache->z);
    nan_matrix(cache->n);
    nan_matrix(cache->q);
    return;
  }
  gsl_matrix_view out = grl_seq_output(w->s);
  gates(w);
  unpack_block(cache->r, w->gates, 3, 0);
  unpack_block(cache->z, w->gates, 3, 1);
  unpack_block(cache->n, w->gates, 3, 2);
  gru_q(cache->q, h_prev, p);
  gsl_matrix_memcpy(h, &out.matrix);
}

void ref_gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                           const gsl_matrix *dh, const gru_cache *cache,
                           const gsl_matrix *x, const gsl_matrix *h_prev,
                           const gru_params *p)
{
  (void)cache;   /* the library keeps its own */
  ws_t *w = forward(x, h_prev, NULL, p);
  if (!w) {
    nan_matrix(dx);
    nan_matrix(dh_prev);
    nan_params(dp);
    return;
  }
  backward(w, NULL, dh, NULL, dx, dh_prev, NULL, dp);
}

void ref_gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                     const gsl_matrix *h0, const gru_params *p)
{
  ws_t *w = forward(xs, h0, NULL, p);
  if (!w) {
    nan_matrix(hs);
    for (size_t t = 0; t < xs->size1 / h0->size1; t++) {
      nan_matrix(caches[t].r);
      nan_matrix(caches[t].z);
      nan_matrix(caches[t].n);
      nan_matrix(caches[t].q);
    }
    return;
  }
  size_t T = w->T, B = w->B, H = p->H;
  gsl_matrix_view out = grl_seq_output(w->s);
  gsl_matrix_memcpy(hs, &out.matrix);
  gates(w);
  for (size_t t = 0; t < T; t++) {
    const double *g = w->gates + t * B * 3 * H;
    unpack_block(caches[t].r, g, 3, 0);
    unpack_block(caches[t].z, g, 3, 1);
    unpack_block(caches[t].n, g, 3, 2);
    gsl_matrix_const_view prev = t == 0
      ? gsl_matrix_const_submatrix(h0, 0, 0, B, H)
      : gsl_matrix_const_submatrix(&out.matrix, (t - 1) * B, 0, B, H);
    gru_q(caches[t].q, &prev.matrix, p);
  }
}

void ref_gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                      const gsl_matrix *dhs, const gru_cache *caches,
                      const gsl_matrix *xs, const gsl_matrix *h0,
                      const gsl_matrix *hs, const gru_params *p)
{
  (void)caches;  /* the library keeps its own, */
  (void)hs;      /* from its own forward       */
  ws_t *w = forward(xs, h0, NULL, p);
  if (!w) {
    nan_matrix(dxs);
    nan_matrix(dh0);
    nan_params(dp);
    return;
  }
  backward(w, dhs, NULL, NULL, dxs, dh0, NULL, dp);
}

/* ---- lab 5: the definitions of lab 5's text ------------------------------- */

double ref_rel_error(double a, double n, double floor)
{
  return a == n ? 0.0 : fabs(a - n) / fmax(fabs(a) + fabs(n), floor);
}

/* (Used only where a later lab would call it, which none does: the items
 * of lab 5 take the library's gradient check as their reference.)  GSL's
 * central derivative, a five-point rule at step h. */
typedef struct {
  loss_fn f;
  void *arg;
  double *theta;
  size_t k;
} partial;

static double along(double v, void *p)
{
  partial *q = p;
  double keep = q->theta[q->k];
  q->theta[q->k] = v;
  double L = q->f(q->theta, q->arg);
  q->theta[q->k] = keep;
  return L;
}

void ref_numerical_gradient(double *grad, loss_fn f, void *arg, double *theta,
                            size_t n, double h)
{
  partial q = {f, arg, theta, 0};
  gsl_function F = {along, &q};
  double err;
  for (q.k = 0; q.k < n; q.k++)
    gsl_deriv_central(&F, theta[q.k], h, &grad[q.k], &err);
}

int ref_gradient_check(size_t *worst, double *worst_rel, const double *analytic,
                       const double *numeric, size_t n, double tol,
                       double floor_rel)
{
  double S = 0.0;
  for (size_t k = 0; k < n; k++)
    S = fmax(S, fmax(fabs(analytic[k]), fabs(numeric[k])));
  *worst = 0;
  *worst_rel = 0.0;
  for (size_t k = 0; k < n; k++) {
    double e = ref_rel_error(analytic[k], numeric[k], floor_rel * S);
    if (isnan(e) || e > *worst_rel) {
      *worst = k;
      *worst_rel = e;
      if (isnan(e))
        break;
    }
  }
  return *worst_rel <= tol;
}

/* ---- lab 6 ---------------------------------------------------------------- */

/* A tensor list as one flat array, and back. */
static size_t list_size(const tensor_list *l)
{
  size_t n = 0;
  for (size_t k = 0; k < l->n; k++)
    n += l->t[k]->size;
  return n;
}

static void list_get(double *flat, const tensor_list *l)
{
  for (size_t k = 0, o = 0; k < l->n; o += l->t[k]->size, k++)
    for (size_t i = 0; i < l->t[k]->size; i++)
      flat[o + i] = gsl_vector_get(l->t[k], i);
}

static void list_set(tensor_list *l, const double *flat)
{
  for (size_t k = 0, o = 0; k < l->n; o += l->t[k]->size, k++)
    for (size_t i = 0; i < l->t[k]->size; i++)
      gsl_vector_set(l->t[k], i, flat[o + i]);
}

double ref_clip_global_norm(tensor_list *g, double max_norm)
{
  size_t n = list_size(g);
  double *flat = need(malloc(n * sizeof(double)));
  list_get(flat, g);
  double norm = grl_clip_global_norm(flat, n, max_norm, NULL);
  list_set(g, flat);
  free(flat);
  return norm;
}

/* One grl_optim_step of Adam on flat theta and g, from and back into the
 * lab's state s (t, m, v in the list's order). */
static void adam_flat(adam_state *s, double *theta, const double *g, size_t n)
{
  grl_optim *o;
  check(grl_optim_alloc(&o, "adam", n, s->lr), "adam");
  o->beta1 = s->beta1;
  o->beta2 = s->beta2;
  o->eps = s->eps;
  o->t = s->t;
  list_get(o->m, &s->m);
  list_get(o->v, &s->v);
  grl_optim_step(o, theta, g);
  s->t = o->t;
  list_set(&s->m, o->m);
  list_set(&s->v, o->v);
  grl_optim_free(o);
}

void ref_adam_step(adam_state *s, tensor_list *params, const tensor_list *grads)
{
  size_t n = list_size(params);
  double *theta = need(malloc(n * sizeof(double)));
  double *g = need(malloc(n * sizeof(double)));
  list_get(theta, params);
  list_get(g, grads);
  adam_flat(s, theta, g, n);
  list_set(params, theta);
  free(theta);
  free(g);
}

/* One training step on the library's flat blocks: the driver's forward,
 * the readout and MSE, the driver's BPTT from dL/dh_T, the clip and Adam
 * over the whole block.  w->h0 is zero (train_work_alloc). */
double ref_train_step(gru_net *net, gru_net *grad, adam_state *opt,
                      train_work *w, const gsl_matrix *xs, const gsl_matrix *y,
                      double max_norm)
{
  const grl_model *mm = gru_net_model(net);
  size_t I = mm->input_size, H = mm->hidden_size, T = w->T, B = w->B;
  ws_t *ws = ws_get("gru", 3, I, H, 1, T, B);
  grl_model *m = ws->m;
  size_t n = m->n;
  gru_net_to_block(net, m, ws->theta);
  pack(ws->x, xs);
  if (check(grl_seq_forward(ws->s, ws->theta, ws->x, NULL, NULL), "forward")) {
    for (size_t k = 0; k < net->all.n; k++)
      gsl_vector_set_all(net->all.t[k], NAN);
    return NAN;
  }
  gsl_matrix_view hT = grl_seq_hT(ws->s);
  gsl_matrix *yhat = gsl_matrix_alloc(B, 1), *dy = gsl_matrix_alloc(B, 1);
  gsl_matrix_view dhT = gsl_matrix_view_array(ws->dhT, B, H);
  grl_readout_forward(m, ws->theta, &hT.matrix, yhat);
  double loss = grl_loss_mse(yhat, y, dy);
  memset(ws->dtheta, 0, n * sizeof(double));
  grl_readout_backward(m, ws->theta, ws->dtheta, &hT.matrix, dy, &dhT.matrix);
  check(grl_seq_backward(ws->s, ws->theta, ws->x, NULL, ws->dhT, NULL,
                         ws->dtheta, NULL, NULL, NULL), "backward");
  grl_clip_global_norm(ws->dtheta, n, max_norm, NULL);
  adam_flat(opt, ws->theta, ws->dtheta, n);
  gru_net_from_block(net, m, ws->theta);
  gru_net_from_block(grad, m, ws->dtheta);
  gsl_matrix_free(yhat);
  gsl_matrix_free(dy);
  return loss;
}

/* ---- lab 7 ---------------------------------------------------------------- */

void ref_lstm_step_forward(lstm_state *next, lstm_cache *cache,
                           const gsl_matrix *x, const lstm_state *prev,
                           const lstm_params *p)
{
  ws_t *w = forward(x, prev->h, prev->c, p);
  if (!w) {
    nan_matrix(next->h);
    nan_matrix(next->c);
    nan_matrix(cache->i);
    nan_matrix(cache->f);
    nan_matrix(cache->g);
    nan_matrix(cache->o);
    nan_matrix(cache->tc);
    return;
  }
  gsl_matrix_view h = grl_seq_hT(w->s), c = grl_seq_cT(w->s);
  gates(w);
  unpack_block(cache->i, w->gates, 4, 0);
  unpack_block(cache->f, w->gates, 4, 1);
  unpack_block(cache->g, w->gates, 4, 2);
  unpack_block(cache->o, w->gates, 4, 3);
  for (size_t b = 0; b < c.matrix.size1; b++)
    for (size_t j = 0; j < c.matrix.size2; j++)
      gsl_matrix_set(cache->tc, b, j, grl_tanh(gsl_matrix_get(&c.matrix, b, j)));
  gsl_matrix_memcpy(next->h, &h.matrix);
  gsl_matrix_memcpy(next->c, &c.matrix);
}

void ref_lstm_step_backward(gsl_matrix *dx, lstm_state *dprev, lstm_params *dp,
                            const lstm_state *dnext, const lstm_cache *cache,
                            const gsl_matrix *x, const lstm_state *prev,
                            const lstm_params *p)
{
  (void)cache;
  ws_t *w = forward(x, prev->h, prev->c, p);
  if (!w) {
    nan_matrix(dx);
    nan_matrix(dprev->h);
    nan_matrix(dprev->c);
    nan_params(dp);
    return;
  }
  backward(w, NULL, dnext->h, dnext->c, dx, dprev->h, dprev->c, dp);
}
