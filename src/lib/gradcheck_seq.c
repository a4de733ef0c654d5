/* gradcheck_seq.c -- the sequence loss of a gradient check,
 *
 *     L = sum(g .* output) + 0.5 ||h_T||^2,
 *
 * as the engine's loss (gradcheck_loss.h): the analytic gradient (one
 * BPTT), the unperturbed forward passes every numerical estimate is
 * measured against, and L with one entry perturbed, real or complex.
 * grl_gradcheck_run and grl_gradcheck_sweep check it.
 *
 * Two kinds of forward pass evaluate a perturbed loss:
 *   FULL  a parameter entry touches every row and every step: the whole
 *         (T, B) batch is re-run by grl_seq_forward (the BLAS path);
 *   ROW   x_{t,b,i}, h0_{b,j} or c0_{b,j} touch batch item b alone, and
 *         x_t only steps t.. T-1: that one row is re-run from the stored
 *         state at step t with the naive reference step (grl_naive_forward),
 *         about 2B times cheaper on average.
 * Differences are always taken between two passes of the SAME path, so the
 * ~1e-16 disagreement of the naive and BLAS paths never enters a derivative.
 * The complex step runs grl_naive_forward_c for both kinds.
 *
 * Real-valued differences are taken term by term,
 *     L(u) - L(v) = sum g .* (out(u) - out(v))
 *                   + 0.5 sum (hT(u) - hT(v)) .* (hT(u) + hT(v)),
 * so that the O(1) loss itself never cancels; and the step actually taken
 * is the representable (t+h) - t. */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"

#include <complex.h>
#undef I /* complex.h's imaginary unit; here I is the input size */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The context: analytic gradient and unperturbed passes               */
/* ------------------------------------------------------------------ */

/* Everything the numerical estimates are measured against. */
typedef struct {
  grl_gc_loss base;     /* what the engine sees: tensors, L0, evaluations */
  const grl_model *m;
  const grl_gradcheck_problem *p;
  size_t n;
  double *theta;        /* (n) the unperturbed parameters (a copy)           */
  /* The analytic side, one grl_seq_backward: */
  double *dtheta;       /* (n)      dL/dtheta                                */
  double *dx;           /* (T*B, I) dL/dx                                    */
  double *dh0, *dc0;    /* (B, H)   dL/dh0, dL/dc0 (LSTM)                    */
  /* FULL path base: grl_seq_forward at theta. */
  double *out0;         /* (T*B, H) output; h_T is its last B rows           */
  /* ROW path base: the naive step, one step at a time, keeping every state. */
  double *Hn;           /* ((T+1)*B, H) rows t*B+b: h_t (h_0 = h0)           */
  double *Cn;           /* ((T+1)*B, H) c_t likewise (LSTM), else NULL       */
  double *xb;           /* (B, T, I) x regrouped by batch item: row b*T+t    */
  double L0n;           /* loss of the naive base                            */
  /* Complex copies for the complex step. */
  double _Complex *thc; /* (n) theta + 0i                                    */
  double _Complex *xc;  /* (T*B, I)                                          */
  double _Complex *h0c, *c0c; /* (B, H)                                      */
} seq_loss;

static void seq_free(seq_loss *c)
{
  free(c->theta);
  free(c->dtheta);
  free(c->dx);
  free(c->dh0);
  free(c->dc0);
  free(c->out0);
  free(c->Hn);
  free(c->Cn);
  free(c->xb);
  free(c->thc);
  free(c->xc);
  free(c->h0c);
  free(c->c0c);
  memset(c, 0, sizeof *c);
}

static void add_tensor(grl_gc_loss *c, int kind, const char *name,
                       int ndim, size_t d0, size_t d1, size_t d2, size_t offset,
                       const double *value, double *grad)
{
  grl_gc_tensor *t = &c->tensor[c->ntensor++];
  t->kind = kind;
  snprintf(t->name, sizeof t->name, "%s", name);
  t->ndim = ndim;
  t->dims[0] = d0;
  t->dims[1] = d1;
  t->dims[2] = d2;
  t->size = d0 * d1 * d2;
  t->offset = offset;
  t->value = value;
  t->grad = grad;
}

static grl_gc_entry seq_entry(const grl_gc_loss *L, const grl_gc_tensor *t,
                              size_t at);
static void *seq_ws_alloc(const grl_gc_loss *L);
static void seq_ws_free(void *ws);
static int seq_eval(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                    double u, int slot, double *cost);
static double seq_diff(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                       int a, int b);
static double seq_base(const grl_gc_loss *L, const grl_gc_entry *e);
static int seq_complex(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                       double h, double *imL, double *cost);

/* Fill c: the analytic gradient, both unperturbed bases, complex copies,
 * and the tensors selected by `what` (GRL_GC_* mask), in report order:
 * the cell's own parameters, then x, h0, c0. */
static int seq_init(seq_loss *c, const grl_model *m,
                    const grl_gradcheck_problem *p, unsigned what)
{
  memset(c, 0, sizeof *c);
  if (m->layers > 1)
    return grl_fail(GRL_EINVAL, "gradcheck: the sequence loss checks a model "
                    "of one layer (this one has %zu); a stacked model is "
                    "checked on the text loss (grl_gradcheck_text_run)",
                    m->layers);
  c->m = m;
  c->p = p;
  grl_gc_loss *L = &c->base;
  *L = (grl_gc_loss){.formula = "sum(g.*output) + 0.5*||h_T||^2",
                     .entry = seq_entry, .ws_alloc = seq_ws_alloc,
                     .ws_free = seq_ws_free, .eval = seq_eval,
                     .diff = seq_diff, .base = seq_base,
                     .eval_complex = seq_complex};
  const size_t T = L->T = p->T, B = L->B = p->B;
  const size_t I = L->I = m->input_size, H = L->H = m->hidden_size;
  const size_t n = c->n = m->n;
  const int has_c = m->cell->has_c;
  const size_t TB = T * B;

  c->theta = malloc(n * sizeof *c->theta);
  c->dtheta = calloc(n, sizeof *c->dtheta);
  c->dx = calloc(TB * I, sizeof *c->dx);
  c->dh0 = calloc(B * H, sizeof *c->dh0);
  c->out0 = malloc(TB * H * sizeof *c->out0);
  c->Hn = malloc((T + 1) * B * H * sizeof *c->Hn);
  c->xb = malloc(TB * I * sizeof *c->xb);
  c->thc = malloc(n * sizeof *c->thc);
  c->xc = malloc(TB * I * sizeof *c->xc);
  c->h0c = malloc(B * H * sizeof *c->h0c);
  if (has_c) {
    c->dc0 = calloc(B * H, sizeof *c->dc0);
    c->Cn = malloc((T + 1) * B * H * sizeof *c->Cn);
    c->c0c = malloc(B * H * sizeof *c->c0c);
  }
  if (!c->theta || !c->dtheta || !c->dx || !c->dh0 || !c->out0 || !c->Hn ||
      !c->xb || !c->thc || !c->xc || !c->h0c ||
      (has_c && (!c->dc0 || !c->Cn || !c->c0c))) {
    seq_free(c);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, H);
  }
  memcpy(c->theta, m->theta, n * sizeof *c->theta);

  /* The analytic side: dL/doutput = g, dL/dh_T = h_T, dL/dc_T = 0. */
  grl_seq *s = NULL;
  int st = grl_seq_alloc(&s, m, T, B);
  if (!st)
    st = grl_seq_forward(s, c->theta, p->x, p->h0, p->c0);
  if (!st) {
    gsl_matrix_view out = grl_seq_output(s);          /* (T*B, H) */
    memcpy(c->out0, out.matrix.data, TB * H * sizeof *c->out0);
    L->L0 = grl_gc_loss_rows(p->g, c->out0, T, B, H);
    const double *hT = c->out0 + (T - 1) * B * H;    /* (B, H) h_T */
    st = grl_seq_backward(s, c->theta, p->x, p->g, hT, NULL, c->dtheta, c->dx,
                          c->dh0, c->dc0);
  }
  grl_seq_free(s);
  if (st) {
    char msg[900];
    snprintf(msg, sizeof msg, "%s", grl_strerror());
    seq_free(c);
    return grl_fail(st, "gradcheck: at the unperturbed parameters: %s", msg);
  }

  /* The naive base, one step at a time so that every h_t (and c_t) is kept:
   * the ROW path restarts from them. */
  memcpy(c->Hn, p->h0, B * H * sizeof *c->Hn);
  if (has_c)
    memcpy(c->Cn, p->c0, B * H * sizeof *c->Cn);
  for (size_t t = 0; t < T && !st; t++)
    st = grl_naive_forward(m, 1, B, c->theta, p->x + t * B * I,
                           c->Hn + t * B * H, has_c ? c->Cn + t * B * H : NULL,
                           NULL, c->Hn + (t + 1) * B * H,
                           has_c ? c->Cn + (t + 1) * B * H : NULL, NULL);
  if (st) {
    seq_free(c);
    return st;
  }
  c->L0n = grl_gc_loss_rows(p->g, c->Hn + B * H, T, B, H);
  for (size_t t = 0; t < T; t++)
    for (size_t b = 0; b < B; b++)
      memcpy(c->xb + (b * T + t) * I, p->x + (t * B + b) * I, I * sizeof *c->xb);

  for (size_t k = 0; k < n; k++)
    c->thc[k] = c->theta[k];
  for (size_t k = 0; k < TB * I; k++)
    c->xc[k] = p->x[k];
  for (size_t k = 0; k < B * H; k++) {
    c->h0c[k] = p->h0[k];
    if (has_c)
      c->c0c[k] = p->c0[k];
  }

  /* The tensors, in report order: the cell's own parameters, then x, h0, c0. */
  if (what & GRL_GC_PARAMS)
    for (size_t i = 0; i < m->nparam; i++) {
      const grl_param *q = &m->param[i];
      if (q->offset >= m->ncell)
        continue;   /* a readout does not enter this loss */
      add_tensor(L, GRL_GC_K_PARAM, q->name, q->ndim, q->rows,
                 q->ndim == 2 ? q->cols : 1, 1, q->offset,
                 c->theta + q->offset, c->dtheta + q->offset);
    }
  if (what & GRL_GC_INPUT)
    add_tensor(L, GRL_GC_K_INPUT, "input", 3, T, B, I, 0, p->x, c->dx);
  if (what & GRL_GC_H0)
    add_tensor(L, GRL_GC_K_H0, "h0", 2, B, H, 1, 0, p->h0, c->dh0);
  if ((what & GRL_GC_C0) && has_c)
    add_tensor(L, GRL_GC_K_C0, "c0", 2, B, H, 1, 0, p->c0, c->dc0);
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* The perturbed passes                                                */
/* ------------------------------------------------------------------ */

/* One evaluation: where its outputs are, and what it cost. */
typedef struct {
  const double *out;   /* first changed output row                      */
  size_t stride;       /* between consecutive rows of out               */
  size_t rows;         /* how many rows can differ from the base        */
  const double *g;     /* the loss weights of those rows                */
  size_t gstride;
  const double *hT;    /* the changed part of h_T                        */
  size_t nT;           /* its length                                     */
} pass_out;

/* Per-thread workspace: nothing is allocated per entry. */
typedef struct {
  grl_seq *s;            /* FULL path                                  */
  double *th;            /* (n) theta, perturbed one entry at a time   */
  double *outp;          /* (T*B, H) slot 1 of a FULL pass (its + pass) */
  double *xr;            /* (T, I) ROW path: x of one batch item, from t */
  double *hs, *cs;       /* (H) its starting state                      */
  double *orow, *orowp;  /* (T, H) its outputs; slot 1's                */
  double _Complex *thc;  /* (n) complex theta                          */
  double _Complex *outc; /* (T*B, H)                                    */
  double _Complex *xrc;  /* (T, I)                                      */
  double _Complex *hsc, *csc; /* (H)                                    */
  pass_out slot[2];      /* the passes kept in slots 0 and 1            */
} seq_ws;

static void seq_ws_free(void *ws)
{
  seq_ws *w = ws;
  if (!w)
    return;
  grl_seq_free(w->s);
  free(w->th);
  free(w->outp);
  free(w->xr);
  free(w->hs);
  free(w->cs);
  free(w->orow);
  free(w->orowp);
  free(w->thc);
  free(w->outc);
  free(w->xrc);
  free(w->hsc);
  free(w->csc);
  free(w);
}

static void *seq_ws_alloc(const grl_gc_loss *L)
{
  const seq_loss *c = (const seq_loss *)L;
  seq_ws *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  const size_t T = L->T, B = L->B, I = L->I, H = L->H;
  int st = grl_seq_alloc(&w->s, c->m, T, B);
  w->th = malloc(c->n * sizeof *w->th);
  w->outp = malloc(T * B * H * sizeof *w->outp);
  w->xr = malloc(T * I * sizeof *w->xr);
  w->hs = malloc(H * sizeof *w->hs);
  w->cs = malloc(H * sizeof *w->cs);
  w->orow = malloc(T * H * sizeof *w->orow);
  w->orowp = malloc(T * H * sizeof *w->orowp);
  w->thc = malloc(c->n * sizeof *w->thc);
  w->outc = malloc(T * B * H * sizeof *w->outc);
  w->xrc = malloc(T * I * sizeof *w->xrc);
  w->hsc = malloc(H * sizeof *w->hsc);
  w->csc = malloc(H * sizeof *w->csc);
  if (st || !w->th || !w->outp || !w->xr || !w->hs || !w->cs || !w->orow ||
      !w->orowp || !w->thc || !w->outc || !w->xrc || !w->hsc || !w->csc) {
    seq_ws_free(w);
    return NULL;
  }
  memcpy(w->th, c->theta, c->n * sizeof *w->th);
  memcpy(w->thc, c->thc, c->n * sizeof *w->thc);
  return w;
}

static grl_gc_entry seq_entry(const grl_gc_loss *L, const grl_gc_tensor *t,
                              size_t at)
{
  grl_gc_entry e = {t, at, 0, 0, t->kind != GRL_GC_K_PARAM};
  if (t->kind == GRL_GC_K_INPUT) {          /* at = (t*B + b)*I + i */
    e.t0 = at / (L->B * L->I);
    e.b = (at / L->I) % L->B;
  } else if (t->kind != GRL_GC_K_PARAM) {   /* at = b*H + j */
    e.b = at / L->H;
  }
  return e;
}

/* Run the forward pass with entry e set to u (the real paths).  The
 * result points into w (or, for a FULL pass, into w->s). */
static int eval_real(const seq_loss *c, seq_ws *w, const grl_gc_entry *e,
                     double u, pass_out *r, double *cost)
{
  const size_t T = c->base.T, B = c->base.B, I = c->base.I, H = c->base.H;
  const grl_gradcheck_problem *p = c->p;
  int st;
  if (!e->row) {
    size_t k = e->t->offset + e->at;
    w->th[k] = u;
    st = grl_seq_forward(w->s, w->th, p->x, p->h0, p->c0);
    w->th[k] = c->theta[k];
    gsl_matrix_view out = grl_seq_output(w->s);      /* (T*B, H) contiguous */
    r->out = out.matrix.data;
    r->stride = H;
    r->rows = T * B;
    r->g = p->g;
    r->gstride = H;
    r->hT = r->out + (T - 1) * B * H;
    r->nT = B * H;
    *cost += 1.0;
    return st;
  }
  /* ROW: batch item b from step t0, from the stored state h_t0 (c_t0). */
  const size_t b = e->b, t0 = e->t0, Tr = T - t0;
  const int has_c = c->m->cell->has_c;
  memcpy(w->xr, c->xb + (b * T + t0) * I, Tr * I * sizeof *w->xr);
  memcpy(w->hs, c->Hn + (t0 * B + b) * H, H * sizeof *w->hs);
  if (has_c)
    memcpy(w->cs, c->Cn + (t0 * B + b) * H, H * sizeof *w->cs);
  if (e->t->kind == GRL_GC_K_INPUT)
    w->xr[e->at % I] = u;            /* x_{t0, b, i} */
  else if (e->t->kind == GRL_GC_K_H0)
    w->hs[e->at % H] = u;            /* h0_{b, j}    */
  else
    w->cs[e->at % H] = u;            /* c0_{b, j}    */
  st = grl_naive_forward(c->m, Tr, 1, c->theta, w->xr, w->hs,
                         has_c ? w->cs : NULL, w->orow, NULL, NULL, NULL);
  r->out = w->orow;
  r->stride = H;
  r->rows = Tr;
  r->g = p->g + (t0 * B + b) * H;
  r->gstride = B * H;
  r->hT = w->orow + (Tr - 1) * H;
  r->nT = H;
  *cost += (double)Tr / (double)(T * B);
  return st;
}

/* L with e set to u, kept in a slot: slot 0 where the pass left it, slot
 * 1 copied aside (the + pass of a central difference, which the - pass
 * would overwrite). */
static int seq_eval(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                    double u, int slot, double *cost)
{
  seq_ws *w = ws;
  pass_out *r = &w->slot[slot];
  int st = eval_real((const seq_loss *)L, w, e, u, r, cost);
  if (!st && slot == GRL_GC_SLOT1) {
    double *keep = e->row ? w->orowp : w->outp;   /* contiguous rows */
    const size_t hT_at = (size_t)(r->hT - r->out);
    memcpy(keep, r->out, r->rows * L->H * sizeof *keep);
    r->out = keep;
    r->hT = keep + hT_at;
  }
  return st;
}

/* The unperturbed outputs of e's path, over the same rows as r. */
static void base_of(const seq_loss *c, const grl_gc_entry *e, pass_out *r)
{
  const size_t T = c->base.T, B = c->base.B, H = c->base.H;
  if (!e->row) {
    r->out = c->out0;
    r->stride = H;
    r->hT = c->out0 + (T - 1) * B * H;
  } else {
    r->out = c->Hn + ((e->t0 + 1) * B + e->b) * H;   /* h_{t0+1} of item b */
    r->stride = B * H;
    r->hT = c->Hn + (T * B + e->b) * H;
  }
}

/* L(a) - L(b), term by term over the rows that can differ, so that the
 * O(1) loss never cancels:
 *   sum_r g_r . (a_r - b_r) + 0.5 sum (aT - bT) .* (aT + bT)            */
static double loss_diff(const pass_out *a, const pass_out *b, size_t H)
{
  double s = 0.0, q = 0.0;
  for (size_t r = 0; r < a->rows; r++) {
    const double *g = a->g + r * a->gstride;
    const double *ar = a->out + r * a->stride, *br = b->out + r * b->stride;
    for (size_t j = 0; j < H; j++)
      s += g[j] * (ar[j] - br[j]);
  }
  for (size_t k = 0; k < a->nT; k++)
    q += (a->hT[k] - b->hT[k]) * (a->hT[k] + b->hT[k]);
  return s + 0.5 * q;
}

static double seq_diff(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                       int a, int b)
{
  seq_ws *w = ws;
  pass_out pb;
  if (b == GRL_GC_BASE) {
    pb = w->slot[a];
    base_of((const seq_loss *)L, e, &pb);
  } else {
    pb = w->slot[b];
  }
  return loss_diff(&w->slot[a], &pb, L->H);
}

/* The base's loss: the FULL path's, or the naive ROW path's. */
static double seq_base(const grl_gc_loss *L, const grl_gc_entry *e)
{
  return e->row ? ((const seq_loss *)L)->L0n : L->L0;
}

/* Im L(theta + i h) with e perturbed by i*h: the complex step. */
static int seq_complex(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                       double h, double *imL, double *cost)
{
  const seq_loss *c = (const seq_loss *)L;
  seq_ws *w = ws;
  const size_t T = L->T, B = L->B, I = L->I, H = L->H;
  const double *g = c->p->g;
  double _Complex s = 0.0, q = 0.0;
  int st;
  if (!e->row) {
    size_t k = e->t->offset + e->at;
    w->thc[k] = CMPLX(c->theta[k], h);
    st = grl_naive_forward_c(c->m, T, B, w->thc, c->xc, c->h0c, c->c0c,
                             w->outc, NULL, NULL, NULL);
    w->thc[k] = c->thc[k];
    /* L = sum g*out + 0.5 sum h_T*h_T -- in complex, no conj */
    for (size_t r = 0; r < T * B * H; r++)
      s += g[r] * w->outc[r];
    const double _Complex *hT = w->outc + (T - 1) * B * H;
    for (size_t r = 0; r < B * H; r++)
      q += hT[r] * hT[r];
    *cost += 1.0;
  } else {
    const size_t b = e->b, t0 = e->t0, Tr = T - t0;
    const int has_c = c->m->cell->has_c;
    for (size_t r = 0; r < Tr * I; r++)
      w->xrc[r] = c->xb[(b * T + t0) * I + r];
    for (size_t j = 0; j < H; j++) {
      w->hsc[j] = c->Hn[(t0 * B + b) * H + j];
      w->csc[j] = has_c ? c->Cn[(t0 * B + b) * H + j] : 0.0;
    }
    double _Complex *v = e->t->kind == GRL_GC_K_INPUT ? &w->xrc[e->at % I]
                       : e->t->kind == GRL_GC_K_H0 ? &w->hsc[e->at % H]
                       : &w->csc[e->at % H];
    *v = CMPLX(creal(*v), h);
    st = grl_naive_forward_c(c->m, Tr, 1, w->thc, w->xrc, w->hsc,
                             has_c ? w->csc : NULL, w->outc, NULL, NULL, NULL);
    /* Rows before t0 and other batch items have Im = 0 exactly: only
     * item b from t0 on contributes to Im L. */
    for (size_t t = 0; t < Tr; t++)
      for (size_t j = 0; j < H; j++)
        s += g[((t0 + t) * B + b) * H + j] * w->outc[t * H + j];
    const double _Complex *hT = w->outc + (Tr - 1) * H;
    for (size_t j = 0; j < H; j++)
      q += hT[j] * hT[j];
    *cost += (double)Tr / (double)(T * B);
  }
  *imL = cimag(s + 0.5 * q);
  return st;
}

/* ------------------------------------------------------------------ */
/* The checks of the sequence loss                                     */
/* ------------------------------------------------------------------ */

int grl_gradcheck_run(grl_gradcheck_report **rep, const grl_model *m,
                      const grl_gradcheck_problem *p,
                      const grl_gradcheck_opts *opts)
{
  *rep = NULL;
  int st = grl_gc_opts_check(opts);
  if (st)
    return st;
  seq_loss c;
  if ((st = seq_init(&c, m, p, opts->what)))
    return st;
  st = grl_gc_check(rep, &c.base, m->cell->name, opts);
  seq_free(&c);
  return st;
}

int grl_gradcheck_sweep(grl_gradcheck_sweep_result *res, const grl_model *m,
                        const grl_gradcheck_problem *p, const char *tensor,
                        size_t at)
{
  memset(res, 0, sizeof *res);
  seq_loss c;
  int st = seq_init(&c, m, p, GRL_GC_ALL);
  if (st)
    return st;
  st = grl_gc_sweep(res, &c.base, m->cell->name, tensor, at);
  seq_free(&c);
  return st;
}
