/* gradcheck.c -- the one gradient-check engine: a loss's analytic
 * gradient against a numerical derivative -- forward or central
 * difference, GSL's adaptive central difference, or the complex step, each
 * built here on the loss's own evaluations -- for every entry of every
 * tensor the loss names; then, per tensor, the scale S, the floor and the
 * worst relative error
 *
 *     rel = |a - n| / max(|a| + |n|, floor),  floor = max(floor_rel S, floor_abs).
 *
 * Entries are independent: they run in parallel with OpenMP, one workspace
 * per thread, BLAS kept to one thread meanwhile.  Each entry's value is
 * computed by the same operations whatever the thread count, so the report
 * is bitwise the same for any number of threads.  The losses are
 * gradcheck_seq.c's and gradcheck_text.c's (gradcheck_loss.h). */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"
#include "openblas.h"

#include <float.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#define OMP(directive) _Pragma(#directive)
#else
#define OMP(directive)
#endif

/* ------------------------------------------------------------------ */
/* Methods and options                                                 */
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

/* ------------------------------------------------------------------ */
/* One numerical estimate, on the loss's evaluations                   */
/* ------------------------------------------------------------------ */

/* gsl_deriv_central differentiates f(u) = L(u) = L0 + (L(u) - L0): the
 * loss itself, so that GSL's round-off estimate (which scales with |f|)
 * means what it should. */
typedef struct {
  const grl_gc_loss *L;
  void *w;
  const grl_gc_entry *e;
  int status;
  double cost;
} gsl_arg;

static double gsl_loss(double u, void *params)
{
  gsl_arg *a = params;
  int st = a->L->eval(a->L, a->w, a->e, u, GRL_GC_SLOT0, &a->cost);
  if (st) {
    if (!a->status)
      a->status = st;
    return GSL_NAN;
  }
  return a->L->base(a->L, a->e)
         + a->L->diff(a->L, a->w, a->e, GRL_GC_SLOT0, GRL_GC_BASE);
}

int grl_gc_numeric(const grl_gc_loss *L, void *w, const grl_gc_entry *e,
                   int method, double step, double *est, double *abserr,
                   double *cost)
{
  const double v = e->t->value[e->at];
  const double h = step * fmax(1.0, fabs(v));   /* relative to max(1,|v|) */
  int st = GRL_OK;
  *abserr = 0.0;
  switch (method) {
  case GRL_GC_FORWARD: {
    /* (L(v+h) - L(v)) / h, with the step that v+h really took */
    const double up = v + h, dh = up - v;
    st = L->eval(L, w, e, up, GRL_GC_SLOT0, cost);
    if (!st)
      *est = dh != 0.0 ? L->diff(L, w, e, GRL_GC_SLOT0, GRL_GC_BASE) / dh
                       : 0.0;
    break;
  }
  case GRL_GC_CENTRAL: {
    /* (L(v+h) - L(v-h)) / 2h, with the steps really taken */
    const double up = v + h, um = v - h, dh = up - um;
    st = L->eval(L, w, e, up, GRL_GC_SLOT1, cost);
    if (!st)
      st = L->eval(L, w, e, um, GRL_GC_SLOT0, cost);
    if (!st)
      *est = dh != 0.0 ? L->diff(L, w, e, GRL_GC_SLOT1, GRL_GC_SLOT0) / dh
                       : 0.0;
    break;
  }
  case GRL_GC_GSL: {
    gsl_arg arg = {L, w, e, GRL_OK, 0.0};
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
    st = L->eval_complex(L, w, e, h, &imL, cost);
    *est = imL / h;
    break;
  }
  default:
    st = GRL_EINVAL;
  }
  return st;
}

/* ------------------------------------------------------------------ */
/* The check                                                           */
/* ------------------------------------------------------------------ */

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

/* Rows and columns count from 0, as in the tensor file.  The input's
 * time step is named as the prose names it: entry [t,b,i] of the (T, B, I)
 * input is x_{t+1}, the input that makes h_{t+1}, so it prints as
 * "x_8[0,1]" for [7,0,1]; a bare "[7,0,1]" reads as x_7. */
void grl_gradcheck_index_format(const grl_gradcheck_row *row, size_t at,
                                char *buf, size_t len)
{
  size_t d1 = row->dims[1], d2 = row->dims[2];
  if (row->ndim == 3)
    snprintf(buf, len, "x_%zu[%zu,%zu]", at / (d1 * d2) + 1, (at / d2) % d1,
             at % d2);
  else if (row->ndim == 2)
    snprintf(buf, len, "[%zu,%zu]", at / d1, at % d1);
  else
    snprintf(buf, len, "[%zu]", at);
}

void grl_gradcheck_entry_format(const grl_gradcheck_row *row, size_t at,
                                char *buf, size_t len)
{
  char idx[64];
  grl_gradcheck_index_format(row, at, idx, sizeof idx);
  snprintf(buf, len, "%s%s%s", row->name, row->ndim == 3 ? " " : "", idx);
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

int grl_gc_opts_check(const grl_gradcheck_opts *o)
{
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
  return GRL_OK;
}

int grl_gc_check(grl_gradcheck_report **out, const grl_gc_loss *c,
                 const char *cell, const grl_gradcheck_opts *o)
{
  *out = NULL;
  int st = grl_gc_opts_check(o);
  if (st)
    return st;
  const int method = o->method;
  const double step = o->step > 0 ? o->step : grl_gradcheck_default_step(method);
  const double tol = o->tolerance > 0 ? o->tolerance
                                      : grl_gradcheck_default_tolerance(method);

  if (c->ntensor == 0)
    return grl_fail(GRL_EINVAL, "gradcheck: nothing to check for cell %s",
                    cell);

  grl_gradcheck_report *rep = calloc(1, sizeof *rep);
  if (!rep || !(rep->row = calloc(c->ntensor, sizeof *rep->row))) {
    free(rep);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  }
  rep->cell = cell;
  snprintf(rep->formula_buf, sizeof rep->formula_buf, "%s", c->formula);
  rep->formula = rep->formula_buf;
  rep->method = method;
  rep->step = step;
  rep->tolerance = tol;
  rep->floor_rel = o->floor_rel;
  rep->floor_abs = o->floor_abs;
  rep->T = c->T;
  rep->B = c->B;
  rep->I = c->I;
  rep->H = c->H;
  rep->loss = c->L0;
  rep->nrow = c->ntensor;
  for (size_t i = 0; i < c->ntensor; i++) {
    const grl_gc_tensor *t = &c->tensor[i];
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
  grl_gc_entry *E = st ? NULL : malloc(ne * sizeof *E);
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
        E[q++] = c->entry(c, &c->tensor[i], rep->row[i].at[k]);
  }

  if (!st) {
    int nthreads = 1;
#ifdef _OPENMP
    nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    /* The parallelism is over entries; a multithreaded BLAS inside each
     * thread's tiny GEMMs would only oversubscribe the cores. */
    int blas_threads = grl_blas_one_thread();
    rep->threads = nthreads;
    double t_start = grl_seconds();
    int nomem = 0;
    /* A failed entry's message is recorded in its own thread: keep that of
     * the first failed entry (by index, whatever the schedule). */
    size_t first = ne;
    char why[1024] = "";
    OMP(omp parallel num_threads(nthreads))
    {
      grl_fail(GRL_OK, "%s", "");   /* no stale message in this thread */
      void *w = c->ws_alloc(c);
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
        est[q] = grl_gc_numeric(c, w, &E[q], method, step, &num[q], &aerr[q],
                                &cost[q]);
        if (est[q]) {
          OMP(omp critical(grl_gradcheck_first_failure))
          if (q < first) {
            first = q;
            snprintf(why, sizeof why, "%s", grl_strerror());
          }
        }
      }
      if (w)
        c->ws_free(w);
    }
    rep->seconds = grl_seconds() - t_start;
    grl_blas_threads_restore(blas_threads);
    if (nomem) {
      st = grl_fail(GRL_ENOMEM, "gradcheck: out of memory for a thread's "
                    "workspace");
    } else if (first < ne) {
      char ent[GRL_NAME_MAX + 64];
      const grl_gradcheck_row *w = &rep->row[E[first].t - c->tensor];
      grl_gradcheck_entry_format(w, E[first].at, ent, sizeof ent);
      st = grl_fail(est[first], "gradcheck: the forward pass failed when "
                    "perturbing %s: %s", ent, why[0] ? why
                    : est[first] == GRL_ENONFINITE ? "a state is not finite"
                    : est[first] == GRL_ENOMEM ? "out of memory"
                    : "no reason recorded");
    }
  }

  if (!st) {
    rep->passes = 1.0;   /* the unperturbed pass of the analytic gradient */
    size_t q = 0;
    for (size_t i = 0; i < rep->nrow; i++) {
      grl_gradcheck_row *w = &rep->row[i];
      const grl_gc_tensor *t = &c->tensor[i];
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
    char ent[GRL_NAME_MAX + 64];
    grl_gradcheck_entry_format(w, w->worst_at, ent, sizeof ent);
    return grl_fail(GRL_EFAIL, "gradcheck: %s: relative error %.3g > "
                    "tolerance %.3g (analytic %.17g, numeric %.17g; cell %s, "
                    "method %s)", ent, w->worst, tol, w->analytic,
                    w->numeric, rep->cell, method_names[method]);
  }
  return GRL_OK;
}
