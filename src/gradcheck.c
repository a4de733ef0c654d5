/* gradcheck.c -- the analytic BPTT gradient against numerical derivatives,
 * for every entry of every parameter tensor, of the input and of h0 (c0).
 *
 * The loss and the methods are described at the top of grl_gradcheck.h.
 * This file has four parts:
 *   1. methods, options and the problem (x, h0, c0, g);
 *   2. the context: one analytic BPTT, and the unperturbed forward passes
 *      every numerical estimate is measured against;
 *   3. one numerical estimate for one entry (the four methods);
 *   4. the check itself (entries in parallel, then the report) and the
 *      step sweep.
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
 * The complex step runs grl_naive_forward_c for both kinds. */
#include <config.h>
#include "grulab.h"
#include "openblas.h"

#include <complex.h>
#undef I /* complex.h's imaginary unit; here I is the input size */
#include <float.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#define OMP(directive) _Pragma(#directive)
#else
#define OMP(directive)
#endif


/* ------------------------------------------------------------------ */
/* 1. Methods, options, the problem                                    */
/* ------------------------------------------------------------------ */

static const char *const method_names[GRL_GC_NMETHOD] = {
  "forward", "central", "gsl", "complex"};

const char *grl_gradcheck_method_name(int method)
{
  return method >= 0 && method < GRL_GC_NMETHOD ? method_names[method] : NULL;
}

int grl_gradcheck_method_lookup(const char *name)
{
  for (int k = 0; name && k < GRL_GC_NMETHOD; k++)
    if (strcmp(name, method_names[k]) == 0)
      return k;
  return -1;
}

double grl_gradcheck_default_step(int method)
{
  switch (method) {
  case GRL_GC_FORWARD: return sqrt(DBL_EPSILON);   /* 1.49e-8: balances h against eps/h   */
  case GRL_GC_CENTRAL: return cbrt(DBL_EPSILON);   /* 6.06e-6: balances h^2 against eps/h */
  case GRL_GC_GSL: return 1e-4;                    /* GSL's first step; it adapts it      */
  case GRL_GC_COMPLEX: return 1e-20;               /* no subtraction: any tiny h will do  */
  default: return 0.0;
  }
}

double grl_gradcheck_default_tolerance(int method)
{
  static const double tol[GRL_GC_NMETHOD] = {1e-3, 1e-6, 1e-6, 1e-11};
  return method >= 0 && method < GRL_GC_NMETHOD ? tol[method] : 0.0;
}

void grl_gradcheck_opts_init(grl_gradcheck_opts *o, int method)
{
  memset(o, 0, sizeof *o);
  o->method = method;
  o->floor_rel = GRL_GRADCHECK_FLOOR_REL;
  o->floor_abs = GRL_GRADCHECK_FLOOR_ABS;
  o->what = GRL_GC_ALL;
}

/* a ~ U(-scale, scale), n entries drawn in order from r. */
static void uniform(double *a, size_t n, double scale, gsl_rng *r)
{
  for (size_t i = 0; i < n; i++)
    a[i] = scale * (2.0 * gsl_rng_uniform(r) - 1.0);
}

void grl_gradcheck_randomize(grl_model *m, gsl_rng *r, double scale)
{
  uniform(m->theta, m->n, scale, r);
}

int grl_gradcheck_problem_alloc(grl_gradcheck_problem **out,
                                const grl_model *m, size_t T, size_t B,
                                gsl_rng *r)
{
  *out = NULL;
  const size_t I = m->input_size, H = m->hidden_size;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "gradcheck: T and B must be positive "
                    "(got T=%zu, B=%zu)", T, B);
  if (T > 10000000 / B || T * B > 100000000 / (I > H ? I : H))
    return grl_fail(GRL_EINVAL, "gradcheck: T*B = %zu*%zu is too large", T, B);
  grl_gradcheck_problem *p = calloc(1, sizeof *p);
  if (!p)
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  p->T = T;
  p->B = B;
  p->x = malloc(T * B * I * sizeof *p->x);
  p->h0 = malloc(B * H * sizeof *p->h0);
  p->g = malloc(T * B * H * sizeof *p->g);
  if (m->cell->has_c)
    p->c0 = malloc(B * H * sizeof *p->c0);
  if (!p->x || !p->h0 || !p->g || (m->cell->has_c && !p->c0)) {
    grl_gradcheck_problem_free(p);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory for T=%zu, B=%zu",
                    T, B);
  }
  uniform(p->x, T * B * I, 0.9, r);
  uniform(p->h0, B * H, 0.9, r);
  if (p->c0)
    uniform(p->c0, B * H, 0.9, r);
  uniform(p->g, T * B * H, 1.0, r);
  *out = p;
  return GRL_OK;
}

void grl_gradcheck_problem_free(grl_gradcheck_problem *p)
{
  if (!p)
    return;
  free(p->x);
  free(p->h0);
  free(p->c0);
  free(p->g);
  free(p);
}

/* L = sum(g .* out) + 0.5 ||hT||^2.  out (T*B, H); h_T is its last B rows. */
static double loss_of(const double *g, const double *out, size_t T, size_t B,
                      size_t H)
{
  double s = 0.0, q = 0.0;
  for (size_t k = 0; k < T * B * H; k++)
    s += g[k] * out[k];
  const double *hT = out + (T - 1) * B * H;
  for (size_t k = 0; k < B * H; k++)
    q += hT[k] * hT[k];
  return s + 0.5 * q;
}

int grl_gradcheck_loss(const grl_model *m, const grl_gradcheck_problem *p,
                       const double *theta, double *L)
{
  grl_seq *s = NULL;
  int st = grl_seq_alloc(&s, m, p->T, p->B);
  if (!st)
    st = grl_seq_forward(s, theta ? theta : m->theta, p->x, p->h0, p->c0);
  if (!st) {
    gsl_matrix_view out = grl_seq_output(s);   /* (T*B, H), contiguous */
    *L = loss_of(p->g, out.matrix.data, p->T, p->B, m->hidden_size);
  }
  grl_seq_free(s);
  return st;
}

/* ------------------------------------------------------------------ */
/* 2. The context: analytic gradient and unperturbed passes            */
/* ------------------------------------------------------------------ */

enum { K_PARAM, K_INPUT, K_H0, K_C0 };

/* One checked tensor, before it becomes a report row. */
typedef struct {
  int kind;
  char name[GRL_NAME_MAX];
  int ndim;
  size_t dims[3];
  size_t size;
  size_t offset;        /* K_PARAM: first entry in theta */
  const double *value;  /* (size) its unperturbed values */
  double *grad;         /* (size) its analytic gradient (tamper applies here) */
} tensor_ref;

typedef struct {
  const grl_model *m;
  const grl_gradcheck_problem *p;
  size_t T, B, I, H, n;
  double *theta;        /* (n) the unperturbed parameters (a copy)           */
  /* The analytic side, one grl_seq_backward: */
  double *dtheta;       /* (n)      dL/dtheta                                */
  double *dx;           /* (T*B, I) dL/dx                                    */
  double *dh0, *dc0;    /* (B, H)   dL/dh0, dL/dc0 (LSTM)                    */
  /* FULL path base: grl_seq_forward at theta. */
  double *out0;         /* (T*B, H) output; h_T is its last B rows           */
  double L0;            /* its loss                                          */
  /* ROW path base: the naive step, one step at a time, keeping every state. */
  double *Hn;           /* ((T+1)*B, H) rows t*B+b: h_t (h_0 = h0)           */
  double *Cn;           /* ((T+1)*B, H) c_t likewise (LSTM), else NULL       */
  double *xb;           /* (B, T, I) x regrouped by batch item: row b*T+t    */
  double L0n;           /* loss of the naive base                            */
  /* Complex copies for the complex step. */
  double _Complex *thc; /* (n) theta + 0i                                    */
  double _Complex *xc;  /* (T*B, I)                                          */
  double _Complex *h0c, *c0c; /* (B, H)                                      */
  size_t ntensor;
  tensor_ref tensor[GRL_MAX_PARAMS + 3];
} context;

static void context_free(context *c)
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

static void add_tensor(context *c, int kind, const char *name, int ndim,
                       size_t d0, size_t d1, size_t d2, size_t offset,
                       const double *value, double *grad)
{
  tensor_ref *t = &c->tensor[c->ntensor++];
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

/* Fill c: the analytic gradient, both unperturbed bases, complex copies,
 * and the list of tensors selected by `what`. */
static int context_init(context *c, const grl_model *m,
                        const grl_gradcheck_problem *p, unsigned what)
{
  memset(c, 0, sizeof *c);
  c->m = m;
  c->p = p;
  const size_t T = c->T = p->T, B = c->B = p->B;
  const size_t I = c->I = m->input_size, H = c->H = m->hidden_size;
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
    context_free(c);
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
    c->L0 = loss_of(p->g, c->out0, T, B, H);
    const double *hT = c->out0 + (T - 1) * B * H;    /* (B, H) h_T */
    st = grl_seq_backward(s, c->theta, p->x, p->g, hT, NULL, c->dtheta, c->dx,
                          c->dh0, c->dc0);
  }
  grl_seq_free(s);
  if (st) {
    char msg[900];
    snprintf(msg, sizeof msg, "%s", grl_strerror());
    context_free(c);
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
    context_free(c);
    return st;
  }
  c->L0n = loss_of(p->g, c->Hn + B * H, T, B, H);
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
      add_tensor(c, K_PARAM, q->name, q->ndim, q->rows,
                 q->ndim == 2 ? q->cols : 1, 1, q->offset,
                 c->theta + q->offset, c->dtheta + q->offset);
    }
  if (what & GRL_GC_INPUT)
    add_tensor(c, K_INPUT, "input", 3, T, B, I, 0, p->x, c->dx);
  if (what & GRL_GC_H0)
    add_tensor(c, K_H0, "h0", 2, B, H, 1, 0, p->h0, c->dh0);
  if ((what & GRL_GC_C0) && has_c)
    add_tensor(c, K_C0, "c0", 2, B, H, 1, 0, p->c0, c->dc0);
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* 3. One numerical estimate                                           */
/* ------------------------------------------------------------------ */

/* Per-thread workspace: nothing is allocated per entry. */
typedef struct {
  grl_seq *s;            /* FULL path                                  */
  double *th;            /* (n) theta, perturbed one entry at a time   */
  double *outp;          /* (T*B, H) the + pass of a central difference */
  double *xr;            /* (T, I) ROW path: x of one batch item, from t */
  double *hs, *cs;       /* (H) its starting state                      */
  double *orow, *orowp;  /* (T, H) its outputs; the + pass             */
  double _Complex *thc;  /* (n) complex theta                          */
  double _Complex *outc; /* (T*B, H)                                    */
  double _Complex *xrc;  /* (T, I)                                      */
  double _Complex *hsc, *csc; /* (H)                                    */
} workspace;

static void workspace_free(workspace *w)
{
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

static workspace *workspace_alloc(const context *c)
{
  workspace *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  const size_t T = c->T, B = c->B, I = c->I, H = c->H;
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
    workspace_free(w);
    return NULL;
  }
  memcpy(w->th, c->theta, c->n * sizeof *w->th);
  memcpy(w->thc, c->thc, c->n * sizeof *w->thc);
  return w;
}

/* One checked entry: tensor k of the context, flat index `at` in it. */
typedef struct {
  const tensor_ref *t;
  size_t at;
  size_t b, t0;   /* ROW path: batch item and first step that changes */
  int row;        /* 1: ROW path, 0: FULL path */
} entry;

static entry entry_make(const context *c, const tensor_ref *t, size_t at)
{
  entry e = {t, at, 0, 0, t->kind != K_PARAM};
  if (t->kind == K_INPUT) {          /* at = (t*B + b)*I + i */
    e.t0 = at / (c->B * c->I);
    e.b = (at / c->I) % c->B;
  } else if (t->kind != K_PARAM) {   /* at = b*H + j */
    e.b = at / c->H;
  }
  return e;
}

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

/* Run the forward pass with entry e set to u (the real paths).  The
 * result points into w (or, for a FULL pass, into w->s). */
static int eval_real(const context *c, workspace *w, const entry *e, double u,
                     pass_out *r, double *cost)
{
  const size_t T = c->T, B = c->B, I = c->I, H = c->H;
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
  if (e->t->kind == K_INPUT)
    w->xr[e->at % I] = u;            /* x_{t0, b, i} */
  else if (e->t->kind == K_H0)
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

/* The unperturbed outputs of e's path, over the same rows as r. */
static void base_of(const context *c, const entry *e, pass_out *r)
{
  const size_t T = c->T, B = c->B, H = c->H;
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

/* Im L(theta + i h) with e perturbed by i*h: the complex step. */
static int eval_complex(const context *c, workspace *w, const entry *e,
                        double h, double *imL, double *cost)
{
  const size_t T = c->T, B = c->B, I = c->I, H = c->H;
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
    double _Complex *v = e->t->kind == K_INPUT ? &w->xrc[e->at % I]
                       : e->t->kind == K_H0 ? &w->hsc[e->at % H]
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

/* gsl_deriv_central differentiates f(u) = L(u) = L0 + (L(u) - L0): the
 * loss itself, so that GSL's round-off estimate (which scales with |f|)
 * means what it should. */
typedef struct {
  const context *c;
  workspace *w;
  const entry *e;
  int status;
  double cost;
} gsl_arg;

static double gsl_loss(double u, void *params)
{
  gsl_arg *a = params;
  pass_out r, b;
  int st = eval_real(a->c, a->w, a->e, u, &r, &a->cost);
  if (st) {
    if (!a->status)
      a->status = st;
    return GSL_NAN;
  }
  b = r;
  base_of(a->c, a->e, &b);
  return (a->e->row ? a->c->L0n : a->c->L0) + loss_diff(&r, &b, a->c->H);
}

/* The numerical derivative of L with respect to entry e by method, with
 * relative step `step`.  abserr: GSL's error estimate (0 otherwise). */
static int numeric(const context *c, workspace *w, const entry *e, int method,
                   double step, double *est, double *abserr, double *cost)
{
  const double v = e->t->value[e->at];
  const double h = step * fmax(1.0, fabs(v));   /* relative to max(1,|v|) */
  pass_out a, b;
  int st = GRL_OK;
  *abserr = 0.0;
  switch (method) {
  case GRL_GC_FORWARD: {
    /* (L(v+h) - L(v)) / h, with the step that v+h really took */
    const double up = v + h, dh = up - v;
    st = eval_real(c, w, e, up, &a, cost);
    if (st)
      break;
    b = a;
    base_of(c, e, &b);
    *est = dh != 0.0 ? loss_diff(&a, &b, c->H) / dh : 0.0;
    break;
  }
  case GRL_GC_CENTRAL: {
    /* (L(v+h) - L(v-h)) / 2h, with the steps really taken */
    const double up = v + h, um = v - h, dh = up - um;
    st = eval_real(c, w, e, up, &a, cost);
    if (st)
      break;
    /* keep the + pass (contiguous rows): the - pass reuses the buffers */
    double *keep = e->row ? w->orowp : w->outp;
    const size_t hT_at = (size_t)(a.hT - a.out);
    memcpy(keep, a.out, a.rows * c->H * sizeof *keep);
    a.out = keep;
    a.hT = keep + hT_at;
    st = eval_real(c, w, e, um, &b, cost);
    if (st)
      break;
    *est = dh != 0.0 ? loss_diff(&a, &b, c->H) / dh : 0.0;
    break;
  }
  case GRL_GC_GSL: {
    gsl_arg arg = {c, w, e, GRL_OK, 0.0};
    gsl_function F = {gsl_loss, &arg};
    int gs = gsl_deriv_central(&F, v, h, est, abserr);
    *cost += arg.cost;
    st = arg.status;
    if (!st && gs)
      st = grl_fail(GRL_ENONFINITE, "gsl_deriv_central: %s", gsl_strerror(gs));
    break;
  }
  case GRL_GC_COMPLEX: {
    /* Im L(v + ih) / h: no subtraction, so no cancellation */
    double imL;
    st = eval_complex(c, w, e, h, &imL, cost);
    *est = imL / h;
    break;
  }
  default:
    st = GRL_EINVAL;
  }
  return st;
}

/* ------------------------------------------------------------------ */
/* 4. The check                                                        */
/* ------------------------------------------------------------------ */

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void grl_gradcheck_report_free(grl_gradcheck_report *rep)
{
  if (!rep)
    return;
  for (size_t i = 0; i < rep->nrow; i++) {
    free(rep->row[i].at);
    free(rep->row[i].a);
    free(rep->row[i].n);
    free(rep->row[i].rel);
  }
  free(rep->row);
  free(rep);
}

/* Which entries of each tensor to check: all, or `sample` of them drawn
 * without replacement (ascending) from one generator seeded once. */
static int choose_entries(grl_gradcheck_report *rep, const grl_gradcheck_opts *o)
{
  gsl_rng *r = NULL;
  for (size_t i = 0; i < rep->nrow; i++) {
    grl_gradcheck_row *w = &rep->row[i];
    w->checked = o->sample && o->sample < w->size ? o->sample : w->size;
    w->at = malloc(w->checked * sizeof *w->at);
    w->a = malloc(w->checked * sizeof *w->a);
    w->n = malloc(w->checked * sizeof *w->n);
    w->rel = malloc(w->checked * sizeof *w->rel);
    if (!w->at || !w->a || !w->n || !w->rel) {
      gsl_rng_free(r);
      return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
    }
    if (w->checked == w->size) {
      for (size_t k = 0; k < w->size; k++)
        w->at[k] = k;
      continue;
    }
    if (!r) {
      r = gsl_rng_alloc(gsl_rng_mt19937);
      if (!r)
        return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
      gsl_rng_set(r, o->sample_seed);
    }
    size_t *all = malloc(w->size * sizeof *all);
    if (!all) {
      gsl_rng_free(r);
      return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
    }
    for (size_t k = 0; k < w->size; k++)
      all[k] = k;
    gsl_ran_choose(r, w->at, w->checked, all, w->size, sizeof *all);
    free(all);
  }
  gsl_rng_free(r);
  return GRL_OK;
}

void grl_gradcheck_index_format(const grl_gradcheck_row *row, size_t at,
                                char *buf, size_t len)
{
  size_t d1 = row->dims[1], d2 = row->dims[2];
  if (row->ndim == 3)
    snprintf(buf, len, "[%zu,%zu,%zu]", at / (d1 * d2), (at / d2) % d1, at % d2);
  else if (row->ndim == 2)
    snprintf(buf, len, "[%zu,%zu]", at / d1, at % d1);
  else
    snprintf(buf, len, "[%zu]", at);
}

/* rel = |a - n| / max(|a| + |n|, floor); 0 when a == n exactly (0/0 too). */
static double rel_error(double a, double n, double floor)
{
  if (a == n)
    return 0.0;
  return fabs(a - n) / fmax(fabs(a) + fabs(n), floor);
}

/* NaN-aware "worse than": a NaN is worse than anything. */
static int worse(double x, double than)
{
  return isnan(x) ? !isnan(than) : x > than;
}

/* Scale, floor, errors and the worst entry of one row. */
static void finish_row(grl_gradcheck_row *w, double tol, double floor_rel,
                       double floor_abs, int gsl, const double *abserr)
{
  double S = 0.0;
  for (size_t k = 0; k < w->checked; k++)
    S = fmax(S, fmax(fabs(w->a[k]), fabs(w->n[k])));   /* fmax drops NaN */
  w->scale = S;
  w->floor = fmax(floor_rel * S, floor_abs);
  w->worst = 0.0;
  w->worst_at = w->checked ? w->at[0] : 0;
  w->nzero = 0;
  size_t kw = 0;
  for (size_t k = 0; k < w->checked; k++) {
    w->rel[k] = rel_error(w->a[k], w->n[k], w->floor);
    if (w->a[k] == 0.0 && w->n[k] == 0.0)
      w->nzero++;
    if (worse(w->rel[k], w->worst)) {
      w->worst = w->rel[k];
      kw = k;
    }
    if (gsl)
      w->max_abserr = fmax(w->max_abserr, abserr[k]);
  }
  if (w->checked) {
    w->worst_at = w->at[kw];
    w->analytic = w->a[kw];
    w->numeric = w->n[kw];
    w->abserr = gsl ? abserr[kw] : 0.0;
  }
  size_t at = w->worst_at, d1 = w->dims[1], d2 = w->dims[2];
  w->worst_idx[0] = w->ndim == 3 ? at / (d1 * d2) : w->ndim == 2 ? at / d1 : at;
  w->worst_idx[1] = w->ndim == 3 ? (at / d2) % d1 : w->ndim == 2 ? at % d1 : 0;
  w->worst_idx[2] = w->ndim == 3 ? at % d2 : 0;
  w->all_zero = w->checked > 0 && w->nzero == w->checked;
  w->pass = w->worst <= tol;
}

int grl_gradcheck_run(grl_gradcheck_report **out, const grl_model *m,
                      const grl_gradcheck_problem *p,
                      const grl_gradcheck_opts *o)
{
  *out = NULL;
  if (!o || o->method < 0 || o->method >= GRL_GC_NMETHOD)
    return grl_fail(GRL_EINVAL, "gradcheck: method must be forward, central, "
                    "gsl or complex");
  if (!(o->step >= 0.0) || !isfinite(o->step))
    return grl_fail(GRL_EINVAL, "gradcheck: step must be positive, got %g",
                    o->step);
  if (!(o->tolerance >= 0.0) || !isfinite(o->tolerance))
    return grl_fail(GRL_EINVAL, "gradcheck: tolerance must be positive, got %g",
                    o->tolerance);
  if (!(o->floor_rel >= 0.0) || !(o->floor_abs >= 0.0))
    return grl_fail(GRL_EINVAL, "gradcheck: the floor must not be negative");
  if ((o->what & GRL_GC_ALL) == 0)
    return grl_fail(GRL_EINVAL, "gradcheck: nothing to check (opts.what is 0)");
  const int method = o->method;
  const double step = o->step > 0 ? o->step : grl_gradcheck_default_step(method);
  const double tol = o->tolerance > 0 ? o->tolerance
                                      : grl_gradcheck_default_tolerance(method);

  context c;
  int st = context_init(&c, m, p, o->what);
  if (st)
    return st;
  if (c.ntensor == 0) {
    context_free(&c);
    return grl_fail(GRL_EINVAL, "gradcheck: nothing to check for cell %s",
                    m->cell->name);
  }

  grl_gradcheck_report *rep = calloc(1, sizeof *rep);
  if (!rep || !(rep->row = calloc(c.ntensor, sizeof *rep->row))) {
    free(rep);
    context_free(&c);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  }
  rep->cell = m->cell->name;
  rep->method = method;
  rep->step = step;
  rep->tolerance = tol;
  rep->floor_rel = o->floor_rel;
  rep->floor_abs = o->floor_abs;
  rep->T = c.T;
  rep->B = c.B;
  rep->I = c.I;
  rep->H = c.H;
  rep->loss = c.L0;
  rep->nrow = c.ntensor;
  for (size_t i = 0; i < c.ntensor; i++) {
    const tensor_ref *t = &c.tensor[i];
    grl_gradcheck_row *w = &rep->row[i];
    memcpy(w->name, t->name, sizeof w->name);
    w->ndim = t->ndim;
    memcpy(w->dims, t->dims, sizeof w->dims);
    w->size = t->size;
    /* The test hook: tamper with the analytic gradient before comparing. */
    if (o->tamper)
      o->tamper(t->name, t->grad, t->size, o->tamper_arg);
  }
  st = choose_entries(rep, o);

  /* Flatten every checked entry into one list for the parallel loop. */
  size_t ne = 0;
  for (size_t i = 0; i < rep->nrow; i++)
    ne += rep->row[i].checked;
  entry *E = st ? NULL : malloc(ne * sizeof *E);
  double *num = st ? NULL : malloc(ne * sizeof *num);      /* (ne) numeric   */
  double *aerr = st ? NULL : calloc(ne, sizeof *aerr);     /* (ne) gsl abserr */
  double *cost = st ? NULL : calloc(ne, sizeof *cost);     /* (ne) passes    */
  int *est = st ? NULL : calloc(ne, sizeof *est);          /* (ne) status    */
  if (!st && (!E || !num || !aerr || !cost || !est))
    st = grl_fail(GRL_ENOMEM, "gradcheck: out of memory for %zu entries", ne);
  if (!st) {
    size_t q = 0;
    for (size_t i = 0; i < rep->nrow; i++)
      for (size_t k = 0; k < rep->row[i].checked; k++)
        E[q++] = entry_make(&c, &c.tensor[i], rep->row[i].at[k]);
  }

  if (!st) {
    int nthreads = 1;
#ifdef _OPENMP
    nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
#ifdef GRL_HAVE_OPENBLAS
    /* The parallelism is over entries; a multithreaded BLAS inside each
     * thread's tiny GEMMs would only oversubscribe the cores. */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
#endif
    rep->threads = nthreads;
    double t_start = now_seconds();
    int nomem = 0;
    OMP(omp parallel num_threads(nthreads))
    {
      workspace *w = workspace_alloc(&c);
      if (!w) {
        OMP(omp atomic write)
        nomem = 1;
      }
      OMP(omp for schedule(dynamic, 2))
      for (size_t q = 0; q < ne; q++) {
        if (!w) {
          est[q] = GRL_ENOMEM;
          continue;
        }
        est[q] = numeric(&c, w, &E[q], method, step, &num[q], &aerr[q],
                         &cost[q]);
      }
      workspace_free(w);
    }
    rep->seconds = now_seconds() - t_start;
#ifdef GRL_HAVE_OPENBLAS
    openblas_set_num_threads(blas_threads);
#endif
    if (nomem)
      st = grl_fail(GRL_ENOMEM, "gradcheck: out of memory for a thread's "
                    "workspace");
    for (size_t q = 0; q < ne && !st; q++)
      if (est[q]) {
        char idx[64];
        const grl_gradcheck_row *w = &rep->row[E[q].t - c.tensor];
        grl_gradcheck_index_format(w, E[q].at, idx, sizeof idx);
        st = grl_fail(est[q], "gradcheck: the forward pass failed (%s) when "
                      "perturbing %s%s", est[q] == GRL_ENONFINITE ?
                      "a state is not finite" : "out of memory", w->name, idx);
      }
  }

  if (!st) {
    rep->passes = 1.0;   /* the unperturbed pass of the analytic gradient */
    size_t q = 0;
    for (size_t i = 0; i < rep->nrow; i++) {
      grl_gradcheck_row *w = &rep->row[i];
      const tensor_ref *t = &c.tensor[i];
      for (size_t k = 0; k < w->checked; k++, q++) {
        w->a[k] = t->grad[w->at[k]];
        w->n[k] = num[q];
        rep->passes += cost[q];
      }
      finish_row(w, tol, o->floor_rel, o->floor_abs, method == GRL_GC_GSL,
                 aerr + (q - w->checked));
      rep->checked += w->checked;
      rep->nzero += w->nzero;
      if (i == 0 || worse(w->worst, rep->worst)) {
        rep->worst = w->worst;
        rep->worst_row = i;
      }
    }
    /* A check that compared nothing -- every checked entry exactly 0 on
     * both sides, e.g. every unit saturated -- has not shown that the
     * gradient is right: it fails. */
    rep->pass = rep->worst <= tol && rep->nzero < rep->checked;
  }
  free(E);
  free(num);
  free(aerr);
  free(cost);
  free(est);
  context_free(&c);
  if (st) {
    grl_gradcheck_report_free(rep);
    return st;
  }
  *out = rep;
  if (rep->nzero == rep->checked)
    return grl_fail(GRL_EFAIL, "gradcheck: nothing was compared: all %zu "
                    "checked entries are exactly zero on both sides (cell %s, "
                    "method %s; saturated units?)", rep->checked, rep->cell,
                    method_names[method]);
  if (!rep->pass) {
    const grl_gradcheck_row *w = &rep->row[rep->worst_row];
    char idx[64];
    grl_gradcheck_index_format(w, w->worst_at, idx, sizeof idx);
    return grl_fail(GRL_EFAIL, "gradcheck: %s%s: relative error %.3g > "
                    "tolerance %.3g (analytic %.17g, numeric %.17g; cell %s, "
                    "method %s)", w->name, idx, w->worst, tol, w->analytic,
                    w->numeric, rep->cell, method_names[method]);
  }
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* The step sweep                                                      */
/* ------------------------------------------------------------------ */

int grl_gradcheck_sweep(grl_gradcheck_sweep_result *res, const grl_model *m,
                        const grl_gradcheck_problem *p, const char *tensor,
                        size_t at)
{
  memset(res, 0, sizeof *res);
  context c;
  int st = context_init(&c, m, p, GRL_GC_ALL);
  if (st)
    return st;
  const tensor_ref *t = NULL;
  for (size_t i = 0; i < c.ntensor && !t; i++)
    if (tensor ? strcmp(c.tensor[i].name, tensor) == 0
               : c.tensor[i].kind == K_PARAM)
      t = &c.tensor[i];
  if (!t) {
    context_free(&c);
    return grl_fail(GRL_EINVAL, "gradcheck --sweep: cell %s has no tensor "
                    "'%s'", m->cell->name, tensor ? tensor : "");
  }
  if (at == (size_t)-1) {
    at = 0;   /* the entry of largest |analytic| */
    for (size_t k = 1; k < t->size; k++)
      if (fabs(t->grad[k]) > fabs(t->grad[at]))
        at = k;
  } else if (at >= t->size) {
    st = grl_fail(GRL_EINVAL, "gradcheck --sweep: index %zu is out of range "
                  "for '%s' (%zu entries)", at, t->name, t->size);
    context_free(&c);
    return st;
  }
  workspace *w = workspace_alloc(&c);
  if (!w) {
    context_free(&c);
    return grl_fail(GRL_ENOMEM, "gradcheck --sweep: out of memory");
  }
  entry e = entry_make(&c, t, at);
  snprintf(res->tensor, sizeof res->tensor, "%s", t->name);
  res->at = at;
  res->theta = t->value[at];
  res->analytic = t->grad[at];
  /* The reference is BPTT's value: independent of all three estimates,
   * so none of them is measured against itself. */
  res->reference = res->analytic;
  double cost = 0.0, ae;
  const double ref = res->reference;
  /* relative error against the reference (absolute if it is 0) */
#define ERR(x) (ref != 0.0 ? fabs((x) - ref) / fabs(ref) : fabs(x))
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N && !st; k++) {
    const double h = pow(10.0, -(double)(k + 1));   /* 1e-1 .. 1e-20 */
    res->h[k] = h;
    st = numeric(&c, w, &e, GRL_GC_FORWARD, h, &res->forward[k], &ae, &cost);
    if (!st)
      st = numeric(&c, w, &e, GRL_GC_CENTRAL, h, &res->central[k], &ae, &cost);
    if (!st)
      st = numeric(&c, w, &e, GRL_GC_COMPLEX, h, &res->complex_step[k], &ae,
                   &cost);
    res->err_forward[k] = ERR(res->forward[k]);
    res->err_central[k] = ERR(res->central[k]);
    res->err_complex_step[k] = ERR(res->complex_step[k]);
  }
#undef ERR
  workspace_free(w);
  context_free(&c);
  if (st)
    return grl_fail(st, "gradcheck --sweep: the forward pass failed when "
                    "perturbing %s entry %zu", res->tensor, at);
  return GRL_OK;
}
