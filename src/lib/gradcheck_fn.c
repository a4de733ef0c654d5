/* gradcheck_fn.c -- the gradient check of any scalar function L(u) of a
 * flat block u, given its analytic gradient: the same four estimates,
 * relative error, floor and report as the check of a cell (gradcheck.c),
 * for what is not a cell -- a readout and its loss, say.
 *
 * Each entry u_k is perturbed alone, with the step h = step * max(1, |u_k|):
 *   forward   (L(u_k + h) - L(u)) / h
 *   central   (L(u_k + h) - L(u_k - h)) / 2h      (with the steps really taken)
 *   gsl       gsl_deriv_central of L along u_k
 *   complex   Im L(u_k + ih) / h, L in double _Complex
 * The problems this serves are small, so the entries run one after another. */
#include <config.h>
#include "grulab.h"
#include "gradcheck_impl.h"

#include <complex.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* L along one entry, for gsl_deriv_central. */
typedef struct {
  const grl_gradcheck_fn *f;
  double *u;       /* (n) a working copy */
  size_t k;
  double calls;
} along;

static double loss_at(along *a, double v)
{
  const double keep = a->u[a->k];
  a->u[a->k] = v;
  double L = a->f->loss(a->u, a->f->ctx);
  a->u[a->k] = keep;
  a->calls += 1.0;
  return L;
}

static double gsl_along(double v, void *params)
{
  return loss_at(params, v);
}

/* The estimate of dL/du_k by method; NaN if a loss was not finite. */
static double estimate(along *a, double _Complex *uc, int method, double step,
                       double L0, double *abserr)
{
  const size_t k = a->k;
  const double v = a->u[k], h = step * fmax(1.0, fabs(v));
  *abserr = 0.0;
  switch (method) {
  case GRL_GC_FORWARD: {
    const double up = v + h;
    return (loss_at(a, up) - L0) / (up - v);
  }
  case GRL_GC_CENTRAL: {
    const double up = v + h, um = v - h;
    return (loss_at(a, up) - loss_at(a, um)) / (up - um);
  }
  case GRL_GC_GSL: {
    gsl_function F = {gsl_along, a};
    double est;
    if (gsl_deriv_central(&F, v, h, &est, abserr))
      return NAN;
    return est;
  }
  default: {
    /* no subtraction, so no cancellation */
    uc[k] = CMPLX(v, h);
    double _Complex L = a->f->loss_complex(uc, a->f->ctx);
    uc[k] = v;
    a->calls += 1.0;
    return cimag(L) / h;
  }
  }
}

int grl_gradcheck_fn_run(grl_gradcheck_report **out, const grl_gradcheck_fn *f,
                         const double *u, const double *grad,
                         const grl_gradcheck_opts *o)
{
  *out = NULL;
  double step, tol;
  int st = grl_gc_opts_resolve(o, &step, &tol);
  if (st)
    return st;
  if (!f || !f->loss || f->ntensor == 0 || !f->tensor)
    return grl_fail(GRL_EINVAL, "gradcheck: no function or no tensors to check");
  if (o->method == GRL_GC_COMPLEX && !f->loss_complex)
    return grl_fail(GRL_EINVAL, "gradcheck: %s has no complex form: the "
                    "complex step cannot check it", f->what ? f->what : "the function");
  size_t n = 0;
  for (size_t i = 0; i < f->ntensor; i++) {
    const grl_gradcheck_fn_tensor *t = &f->tensor[i];
    if (t->ndim < 1 || t->ndim > 2)
      return grl_fail(GRL_EINVAL, "gradcheck: tensor '%s' must have 1 or 2 "
                      "dimensions, got %d", t->name, t->ndim);
    n += t->dims[0] * (t->ndim == 2 ? t->dims[1] : 1);
  }

  grl_gradcheck_report *rep = calloc(1, sizeof *rep);
  double *uw = malloc(n * sizeof *uw);               /* (n) working copy of u */
  double *gw = malloc(n * sizeof *gw);               /* (n) grad, tampered    */
  double _Complex *uc = f->loss_complex ? malloc(n * sizeof *uc) : NULL;
  if (!rep || !uw || !gw || (f->loss_complex && !uc)
      || !(rep->row = calloc(f->ntensor, sizeof *rep->row))) {
    free(rep);
    free(uw);
    free(gw);
    free(uc);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  }
  memcpy(uw, u, n * sizeof *uw);
  memcpy(gw, grad, n * sizeof *gw);
  for (size_t i = 0; uc && i < n; i++)
    uc[i] = u[i];
  rep->cell = f->what ? f->what : "function";
  rep->method = o->method;
  rep->step = step;
  rep->tolerance = tol;
  rep->floor_rel = o->floor_rel;
  rep->floor_abs = o->floor_abs;
  rep->loss = f->loss(uw, f->ctx);
  rep->nrow = f->ntensor;
  size_t off = 0;
  for (size_t i = 0; i < f->ntensor; i++) {
    const grl_gradcheck_fn_tensor *t = &f->tensor[i];
    grl_gradcheck_row *w = &rep->row[i];
    snprintf(w->name, sizeof w->name, "%s", t->name);
    w->ndim = t->ndim;
    w->dims[0] = t->dims[0];
    w->dims[1] = t->ndim == 2 ? t->dims[1] : 1;
    w->dims[2] = 1;
    w->size = w->dims[0] * w->dims[1];
    if (o->tamper)
      o->tamper(t->name, gw + off, w->size, o->tamper_arg);
    off += w->size;
  }
  st = isfinite(rep->loss) ? grl_gc_choose_entries(rep, o)
     : grl_fail(GRL_ENONFINITE, "gradcheck: %s: the loss is %g at u",
                rep->cell, rep->loss);

  size_t ne = 0;
  for (size_t i = 0; !st && i < rep->nrow; i++)
    ne += rep->row[i].checked;
  double *aerr = st ? NULL : calloc(ne ? ne : 1, sizeof *aerr); /* (ne) gsl's */
  if (!st && !aerr)
    st = grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  along a = {f, uw, 0, 1.0};
  off = 0;
  for (size_t i = 0, q = 0; !st && i < rep->nrow; i++) {
    grl_gradcheck_row *w = &rep->row[i];
    for (size_t e = 0; !st && e < w->checked; e++, q++) {
      a.k = off + w->at[e];
      w->a[e] = gw[a.k];
      w->n[e] = estimate(&a, uc, o->method, step, rep->loss, &aerr[q]);
      if (!isfinite(w->n[e])) {
        char ent[GRL_NAME_MAX + 64];
        grl_gradcheck_entry_format(w, w->at[e], ent, sizeof ent);
        st = grl_fail(GRL_ENONFINITE, "gradcheck: %s: the loss is not finite "
                      "when perturbing %s", rep->cell, ent);
      }
    }
    off += w->size;
  }
  rep->passes = a.calls;
  if (!st)
    grl_gc_report_finish(rep, aerr);
  free(aerr);
  free(uw);
  free(gw);
  free(uc);
  if (st) {
    grl_gradcheck_report_free(rep);
    return st;
  }
  *out = rep;
  return grl_gc_report_status(rep);
}
