/* gradcheck_text.c -- the text loss as a loss of the gradient-check
 * engine (gradcheck_loss.h): softmax cross-entropy at every step over a
 * window with a carried-in h0 (c0),
 *
 *   L = (1/(T*B)) sum_{t,b} [ logsumexp(z_tb) - z_tb[target_tb] ],
 *   z_tb = Wo h_tb + bo,  h_t = cell(Wx[:, in_tb] + bx, h_{t-1}),  h_0 given
 *
 * The analytic side is grl_text_loss (gather, BPTT from the carried-in
 * state, scatter); a perturbed L is grl_text_loss again on perturbed
 * copies; the complex step computes L in double _Complex through the
 * cell's naive step (grl_naive_forward_c with one-hot inputs), a complex
 * readout, and the complex exp and log: L stays analytic, so
 * Im L(t + ih) / h = dL/dt to rounding.  Every tensor of the model,
 * readout included, and h0 and c0 are checked.  See grl_text.h. */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"

#include <complex.h>
#undef I   /* complex.h's imaginary unit; here I is a size */
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef double _Complex cplx;

/* The problem and the analytic gradient, built once. */
typedef struct {
  grl_gc_loss base;
  const grl_model *m;
  double dropout;        /* p, fixed masks from mt19937(dropout_seed) */
  char formula[200];     /* the report's formula, dropout named        */
  grl_dropout_kind kind;
  unsigned long dropout_seed;
  size_t V, n;
  unsigned char *in;     /* (T*B) input ids            */
  size_t *target;        /* (T*B) next-byte ids        */
  double *h0, *c0;       /* (B, H) carried-in state    */
  double *grad;          /* (n + 2 B H) dL/d(theta | h0 | c0) */
  cplx *xc;              /* (T*B, V) the one-hot inputs, complex */
} text_loss;

/* Per-thread copies that one entry at a time is perturbed in. */
typedef struct {
  grl_seq *s;
  gsl_matrix *logits;    /* (T*B, V)                   */
  double *theta;         /* (n)                        */
  double *h0, *c0;       /* (B, H)                     */
  double L[2];           /* the slots' losses          */
  cplx *thc, *h0c, *c0c; /* complex copies             */
  cplx *outc;            /* (T*B, H)                   */
} text_ws;

static void text_ws_free(void *ws)
{
  text_ws *w = ws;
  if (!w)
    return;
  grl_seq_free(w->s);
  if (w->logits)
    gsl_matrix_free(w->logits);
  free(w->theta);
  free(w->h0);
  free(w->c0);
  free(w->thc);
  free(w->h0c);
  free(w->c0c);
  free(w->outc);
  free(w);
}

/* The one set of dropout masks every pass of the check uses: drawn from
 * a generator seeded alike for the analytic pass and every workspace. */
static int fixed_masks(grl_seq *s, const text_loss *c)
{
  if (c->dropout == 0.0)
    return GRL_OK;
  int st = grl_seq_set_dropout(s, c->dropout, c->kind);
  gsl_rng *r = st ? NULL : gsl_rng_alloc(gsl_rng_mt19937);
  if (st)
    return st;
  if (!r)
    return grl_fail(GRL_ENOMEM, "text gradcheck: out of memory");
  gsl_rng_set(r, c->dropout_seed);
  grl_seq_draw_masks(s, r);
  gsl_rng_free(r);
  return GRL_OK;
}

static void *text_ws_alloc(const grl_gc_loss *L)
{
  const text_loss *c = (const text_loss *)L;
  /* the carried-in state: (layers*B, H) */
  const size_t R = L->T * L->B, BH = c->m->layers * L->B * L->H, n = c->n;
  text_ws *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  int st = grl_seq_alloc(&w->s, c->m, L->T, L->B);
  if (!st)
    st = fixed_masks(w->s, c);
  w->logits = gsl_matrix_alloc(R, c->V);
  w->theta = malloc(n * sizeof *w->theta);
  w->h0 = malloc(BH * sizeof *w->h0);
  w->c0 = malloc(BH * sizeof *w->c0);
  w->thc = malloc(n * sizeof *w->thc);
  w->h0c = malloc(BH * sizeof *w->h0c);
  w->c0c = malloc(BH * sizeof *w->c0c);
  w->outc = malloc(R * L->H * sizeof *w->outc);
  if (st || !w->logits || !w->theta || !w->h0 || !w->c0 || !w->thc
      || !w->h0c || !w->c0c || !w->outc) {
    text_ws_free(w);
    return NULL;
  }
  memcpy(w->theta, c->m->theta, n * sizeof *w->theta);
  memcpy(w->h0, c->h0, BH * sizeof *w->h0);
  memcpy(w->c0, c->c0, BH * sizeof *w->c0);
  for (size_t i = 0; i < n; i++)
    w->thc[i] = c->m->theta[i];
  for (size_t i = 0; i < BH; i++) {
    w->h0c[i] = c->h0[i];
    w->c0c[i] = c->c0[i];
  }
  return w;
}

static grl_gc_entry text_entry(const grl_gc_loss *L, const grl_gc_tensor *t,
                               size_t at)
{
  (void)L;
  return (grl_gc_entry){t, at, 0, 0, 0};
}

/* Where entry e lives in the real copies, and in the complex ones. */
static double *real_slot(text_ws *w, const grl_gc_entry *e)
{
  return e->t->kind == GRL_GC_K_PARAM ? &w->theta[e->t->offset + e->at]
       : e->t->kind == GRL_GC_K_H0 ? &w->h0[e->at] : &w->c0[e->at];
}

static cplx *complex_slot(text_ws *w, const grl_gc_entry *e)
{
  return e->t->kind == GRL_GC_K_PARAM ? &w->thc[e->t->offset + e->at]
       : e->t->kind == GRL_GC_K_H0 ? &w->h0c[e->at] : &w->c0c[e->at];
}

static int text_eval(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                     double u, int slot, double *cost)
{
  const text_loss *c = (const text_loss *)L;
  text_ws *w = ws;
  double *x = real_slot(w, e);
  const double x0 = *x;
  *x = u;
  int st = grl_text_loss(c->m, w->theta, w->s, c->in, c->target, w->h0,
                         c->m->cell->has_c ? w->c0 : NULL, w->logits,
                         &w->L[slot], NULL, NULL, NULL, NULL, NULL);
  *x = x0;
  *cost += 1.0;
  return st;
}

static double text_diff(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                        int a, int b)
{
  (void)e;
  const text_ws *w = ws;
  return w->L[a] - (b == GRL_GC_BASE ? L->L0 : w->L[b]);
}

static double text_base(const grl_gc_loss *L, const grl_gc_entry *e)
{
  (void)e;
  return L->L0;
}

/* The loss in complex arithmetic at w's complex copies. */
static cplx loss_complex(const text_loss *c, text_ws *w)
{
  const grl_model *m = c->m;
  const size_t T = c->base.T, B = c->base.B, V = c->V, H = c->base.H;
  const size_t R = T * B;
  if (grl_naive_forward_c(m, T, B, w->thc, c->xc, w->h0c,
                          m->cell->has_c ? w->c0c : NULL, w->outc, NULL, NULL,
                          NULL))
    return NAN;
  const grl_param *wo = grl_model_param(m, "readout_weight");
  const grl_param *bo = grl_model_param(m, "readout_bias");
  cplx L = 0;
  for (size_t r = 0; r < R; r++) {
    const cplx *h = w->outc + r * H;
    cplx z[256];
    double zmax = -INFINITY;
    for (size_t k = 0; k < V; k++) {
      /* z = Wo h + bo */
      cplx a = w->thc[bo->offset + k];
      for (size_t j = 0; j < H; j++)
        a += w->thc[wo->offset + k * H + j] * h[j];
      z[k] = a;
      if (creal(a) > zmax)
        zmax = creal(a);
    }
    /* logsumexp(z) = zmax + log sum exp(z - zmax): analytic in z */
    cplx sum = 0;
    for (size_t k = 0; k < V; k++)
      sum += cexp(z[k] - zmax);
    L += zmax + clog(sum) - z[c->target[r]];
  }
  return L / (double)R;
}

static int text_complex(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                        double h, double *imL, double *cost)
{
  text_ws *w = ws;
  cplx *x = complex_slot(w, e);
  const cplx x0 = *x;
  *x = CMPLX(creal(x0), h);
  *imL = cimag(loss_complex((const text_loss *)L, w));
  *x = x0;
  *cost += 1.0;
  return isfinite(*imL) ? GRL_OK : GRL_ENONFINITE;
}

static void text_free(text_loss *c)
{
  free(c->in);
  free(c->target);
  free(c->h0);
  free(c->c0);
  free(c->grad);
  free(c->xc);
}

static void add_tensor(grl_gc_loss *L, int kind, const char *name, int ndim,
                       size_t d0, size_t d1, size_t offset,
                       const double *value, double *grad)
{
  grl_gc_tensor *t = &L->tensor[L->ntensor++];
  *t = (grl_gc_tensor){.kind = kind, .ndim = ndim, .dims = {d0, d1, 1},
                       .size = d0 * d1, .offset = offset, .value = value,
                       .grad = grad};
  snprintf(t->name, sizeof t->name, "%s", name);
}

/* Draw the problem from r (ids, targets, then h0, c0 ~ U(-0.9, 0.9)),
 * take the analytic gradient, and name the tensors `what` selects. */
static int text_init(text_loss *c, const grl_model *m, size_t T, size_t B,
                     gsl_rng *r, const grl_gradcheck_opts *opts)
{
  const unsigned what = opts->what;
  memset(c, 0, sizeof *c);
  c->dropout = opts->dropout;
  c->kind = (grl_dropout_kind)opts->dropout_kind;
  c->dropout_seed = opts->dropout_seed;
  const size_t V = m->input_size, H = m->hidden_size, n = m->n;
  if (m->output_size != V || V > 256 || V < 2)
    return grl_fail(GRL_EINVAL, "text gradcheck: the model needs input size V = readout outputs, 2..256 (got %zu and %zu)",
                    V, m->output_size);
  if (T == 0 || B == 0 || T * B > 100000)
    return grl_fail(GRL_EINVAL, "text gradcheck: T and B must be positive and T*B at most 100000 (got T=%zu, B=%zu)", T, B);
  const int has_c = m->cell->has_c;
  const size_t R = T * B, BH = m->layers * B * H;   /* h0: (L*B, H) */
  c->m = m;
  c->V = V;
  c->n = n;
  if (c->dropout > 0.0)
    snprintf(c->formula, sizeof c->formula, "mean of -ln softmax(Wo h_t + "
             "bo)[next byte] over T*B steps, %zu layer%s, %s dropout %g with "
             "fixed masks (seed %lu)", m->layers, m->layers == 1 ? "" : "s",
             grl_dropout_kind_name(c->kind), c->dropout, c->dropout_seed);
  else
    snprintf(c->formula, sizeof c->formula, "mean of -ln softmax(Wo h_t + "
             "bo)[next byte] over T*B steps%s%.0zu%s", m->layers > 1 ? ", " : "",
             m->layers > 1 ? m->layers : 0, m->layers > 1 ? " layers" : "");
  c->base = (grl_gc_loss){
    .formula = c->formula,
    .T = T, .B = B, .I = V, .H = H, .entry = text_entry,
    .ws_alloc = text_ws_alloc, .ws_free = text_ws_free, .eval = text_eval,
    .diff = text_diff, .base = text_base, .eval_complex = text_complex};
  c->in = malloc(R);
  c->target = malloc(R * sizeof *c->target);
  c->h0 = malloc(BH * sizeof *c->h0);
  c->c0 = calloc(BH, sizeof *c->c0);
  c->grad = calloc(n + 2 * BH, sizeof *c->grad);
  c->xc = calloc(R * V, sizeof *c->xc);
  grl_seq *s = NULL;
  gsl_matrix *logits = gsl_matrix_alloc(R, V), *dlogits = gsl_matrix_alloc(R, V);
  gsl_matrix *dout = gsl_matrix_alloc(R, H);
  int st = grl_seq_alloc(&s, m, T, B);
  if (!st)
    st = fixed_masks(s, c);
  if (!st && (!c->in || !c->target || !c->h0 || !c->c0 || !c->grad || !c->xc
              || !logits || !dlogits || !dout))
    st = grl_fail(GRL_ENOMEM, "text gradcheck: out of memory");
  if (!st) {
    /* the problem: random ids, targets and carried-in state */
    for (size_t i = 0; i < R; i++) {
      c->in[i] = (unsigned char)gsl_rng_uniform_int(r, V);
      c->target[i] = gsl_rng_uniform_int(r, V);
      c->xc[i * V + c->in[i]] = 1.0;
    }
    for (size_t i = 0; i < BH; i++)
      c->h0[i] = 0.9 * (2 * gsl_rng_uniform(r) - 1);
    if (has_c)
      for (size_t i = 0; i < BH; i++)
        c->c0[i] = 0.9 * (2 * gsl_rng_uniform(r) - 1);
    /* the analytic gradient: theta | h0 | c0 */
    st = grl_text_loss(m, m->theta, s, c->in, c->target, c->h0,
                       has_c ? c->c0 : NULL, logits, &c->base.L0, c->grad,
                       dlogits, dout, c->grad + n, has_c ? c->grad + n + BH : NULL);
  }
  grl_seq_free(s);
  gsl_matrix *all[] = {logits, dlogits, dout};
  for (int i = 0; i < 3; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  if (st) {
    text_free(c);
    return st;
  }
  grl_gc_loss *L = &c->base;
  if (what & GRL_GC_PARAMS)
    for (size_t i = 0; i < m->nparam; i++) {
      const grl_param *q = &m->param[i];
      add_tensor(L, GRL_GC_K_PARAM, q->name, q->ndim, q->rows,
                 q->ndim == 2 ? q->cols : 1, q->offset, m->theta + q->offset,
                 c->grad + q->offset);
    }
  if (what & GRL_GC_H0)
    add_tensor(L, GRL_GC_K_H0, "h0", 2, m->layers * B, H, 0, c->h0,
               c->grad + n);
  if ((what & GRL_GC_C0) && has_c)
    add_tensor(L, GRL_GC_K_C0, "c0", 2, m->layers * B, H, 0, c->c0,
               c->grad + n + BH);
  return GRL_OK;
}

int grl_gradcheck_text_run(grl_gradcheck_report **rep, const grl_model *m,
                           size_t T, size_t B, gsl_rng *r,
                           const grl_gradcheck_opts *opts)
{
  *rep = NULL;
  int st = grl_gc_opts_check(opts);
  if (st)
    return st;
  if ((opts->what & GRL_GC_INPUT) && !(opts->what & ~(unsigned)GRL_GC_INPUT))
    return grl_fail(GRL_EINVAL, "text gradcheck: the input is byte ids, which have no derivative; check params, h0 or c0");
  if (opts->dropout != 0.0 && opts->method == GRL_GC_COMPLEX)
    return grl_fail(GRL_EINVAL, "text gradcheck: the complex step runs the "
                    "naive reference, which has no dropout; check dropout "
                    "with forward, central or gsl");
  if (!(opts->dropout >= 0.0 && opts->dropout < 1.0))
    return grl_fail(GRL_EINVAL, "text gradcheck: dropout must be in [0, 1), "
                    "got %g", opts->dropout);
  text_loss c;
  if ((st = text_init(&c, m, T, B, r, opts)))
    return st;
  st = grl_gc_check(rep, &c.base, m->cell->name, opts);
  text_free(&c);
  return st;
}
