/* gradcheck_fn.c -- any scalar function L(u) of a flat block u, given its
 * analytic gradient, as a loss of the one gradient-check engine
 * (gradcheck_loss.h): the same four estimates, relative error, floor and
 * report as the check of a cell, for what is not a cell -- a readout and
 * its loss, say.  Each entry u_k is perturbed alone in a copy of u; the
 * complex step runs the function's double _Complex form.  The caller's
 * function may keep scratch in its ctx, so the entries run on one thread.
 * See grl_gradcheck.h. */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  grl_gc_loss base;
  const grl_gradcheck_fn *f;
  const double *u;       /* (n) the point                          */
  double *grad;          /* (n) a copy of the gradient (tampered)  */
  size_t n;
} fn_loss;

/* One thread's copies of u, one entry at a time perturbed. */
typedef struct {
  double *u;             /* (n)                   */
  double _Complex *uc;   /* (n), or NULL          */
  double L[2];           /* the slots' losses      */
} fn_ws;

static void fn_ws_free(void *ws)
{
  fn_ws *w = ws;
  if (!w)
    return;
  free(w->u);
  free(w->uc);
  free(w);
}

static void *fn_ws_alloc(const grl_gc_loss *L)
{
  const fn_loss *c = (const fn_loss *)L;
  fn_ws *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->u = malloc(c->n * sizeof *w->u);
  w->uc = c->f->loss_complex ? malloc(c->n * sizeof *w->uc) : NULL;
  if (!w->u || (c->f->loss_complex && !w->uc)) {
    fn_ws_free(w);
    return NULL;
  }
  memcpy(w->u, c->u, c->n * sizeof *w->u);
  for (size_t i = 0; w->uc && i < c->n; i++)
    w->uc[i] = c->u[i];
  return w;
}

static grl_gc_entry fn_entry(const grl_gc_loss *L, const grl_gc_tensor *t,
                             size_t at)
{
  (void)L;
  return (grl_gc_entry){t, at, 0, 0, 0};
}

static int fn_eval(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                   double v, int slot, double *cost)
{
  const fn_loss *c = (const fn_loss *)L;
  fn_ws *w = ws;
  double *x = &w->u[e->t->offset + e->at];
  const double keep = *x;
  *x = v;
  w->L[slot] = c->f->loss(w->u, c->f->ctx);
  *x = keep;
  *cost += 1.0;
  return isfinite(w->L[slot]) ? GRL_OK
       : grl_fail(GRL_ENONFINITE, "the loss is %g", w->L[slot]);
}

static double fn_diff(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                      int a, int b)
{
  (void)e;
  const fn_ws *w = ws;
  return w->L[a] - (b == GRL_GC_BASE ? L->L0 : w->L[b]);
}

static double fn_base(const grl_gc_loss *L, const grl_gc_entry *e)
{
  (void)e;
  return L->L0;
}

static int fn_complex(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                      double h, double *imL, double *cost)
{
  const fn_loss *c = (const fn_loss *)L;
  fn_ws *w = ws;
  double _Complex *x = &w->uc[e->t->offset + e->at];
  const double _Complex keep = *x;
  *x = CMPLX(creal(keep), h);
  *imL = cimag(c->f->loss_complex(w->uc, c->f->ctx));
  *x = keep;
  *cost += 1.0;
  return isfinite(*imL) ? GRL_OK
       : grl_fail(GRL_ENONFINITE, "the complex loss is not finite");
}

int grl_gradcheck_fn_run(grl_gradcheck_report **rep, const grl_gradcheck_fn *f,
                         const double *u, const double *grad,
                         const grl_gradcheck_opts *opts)
{
  *rep = NULL;
  int st = grl_gc_opts_check(opts);
  if (st)
    return st;
  if (!f || !f->loss || f->ntensor == 0 || !f->tensor)
    return grl_fail(GRL_EINVAL, "gradcheck: no function or no tensors to check");
  if (f->ntensor > GRL_MAX_PARAMS + 3)
    return grl_fail(GRL_EINVAL, "gradcheck: more than %d tensors",
                    GRL_MAX_PARAMS + 3);
  const char *what = f->what ? f->what : "function";
  if (opts->method == GRL_GC_COMPLEX && !f->loss_complex)
    return grl_fail(GRL_EINVAL, "gradcheck: %s has no complex form: the "
                    "complex step cannot check it", what);
  fn_loss c = {.f = f, .u = u};
  c.base = (grl_gc_loss){.formula = what, .entry = fn_entry,
                         .ws_alloc = fn_ws_alloc, .ws_free = fn_ws_free,
                         .eval = fn_eval, .diff = fn_diff, .base = fn_base,
                         .eval_complex = fn_complex};
  for (size_t i = 0; i < f->ntensor; i++) {
    const grl_gradcheck_fn_tensor *t = &f->tensor[i];
    if (t->ndim < 1 || t->ndim > 2)
      return grl_fail(GRL_EINVAL, "gradcheck: tensor '%s' must have 1 or 2 "
                      "dimensions, got %d", t->name, t->ndim);
    grl_gc_tensor *g = &c.base.tensor[c.base.ntensor++];
    *g = (grl_gc_tensor){.kind = GRL_GC_K_PARAM, .ndim = t->ndim,
                         .dims = {t->dims[0], t->ndim == 2 ? t->dims[1] : 1, 1},
                         .offset = c.n};
    g->size = g->dims[0] * g->dims[1];
    snprintf(g->name, sizeof g->name, "%s", t->name);
    c.n += g->size;
  }
  if (!(c.grad = malloc(c.n * sizeof *c.grad)))
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  memcpy(c.grad, grad, c.n * sizeof *c.grad);   /* tamper changes the copy */
  for (size_t i = 0; i < c.base.ntensor; i++) {
    grl_gc_tensor *g = &c.base.tensor[i];
    g->value = u + g->offset;
    g->grad = c.grad + g->offset;
  }
  c.base.L0 = f->loss(u, f->ctx);
  if (!isfinite(c.base.L0)) {
    free(c.grad);
    return grl_fail(GRL_ENONFINITE, "gradcheck: %s: the loss is %g at u", what,
                    c.base.L0);
  }
  /* every entry on this thread: the function may keep scratch in ctx */
  grl_gradcheck_opts o = *opts;
  o.what = GRL_GC_ALL;
  o.threads = 1;
  st = grl_gc_check(rep, &c.base, what, &o);   /* passes: L(u), then each L */
  free(c.grad);
  return st;
}
