/* gradcheck_impl.h -- what the gradient check's files share inside the
 * library (not installed).
 *
 *   gradcheck_problem.c  the problem (x, h0, c0, g), theta's draw, and the
 *                        loss L = sum(g .* output) + 0.5 ||h_T||^2
 *   gradcheck_eval.c     the evaluation of L: one analytic BPTT, the
 *                        unperturbed passes, and one numerical estimate of
 *                        dL/d(one entry) by each of the four methods
 *   gradcheck.c          the check itself: every entry, in parallel, then
 *                        the per-tensor rows of the report
 *   gradcheck_sweep.c    the step sweep of one entry (the V-curve)
 *   gradcheck_report.c   the report as a table
 */
#ifndef GRULAB_GRADCHECK_IMPL_H
#define GRULAB_GRADCHECK_IMPL_H

#include "grulab.h"

/* L = sum(g .* out) + 0.5 ||h_T||^2 on arrays: out (T*B, H), rows t*B+b,
 * h_T its last B rows; g likewise.  The one place the loss is written
 * (the complex step and the term-by-term differences of gradcheck_eval.c
 * expand the same formula). */
double grl_gc_loss_rows(const double *g, const double *out, size_t T,
                        size_t B, size_t H);

/* Which kind of tensor an entry belongs to. */
enum { GRL_GC_K_PARAM, GRL_GC_K_INPUT, GRL_GC_K_H0, GRL_GC_K_C0 };

/* One checked tensor, before it becomes a report row. */
typedef struct {
  int kind;             /* GRL_GC_K_*                                   */
  char name[GRL_NAME_MAX];
  int ndim;
  size_t dims[3];
  size_t size;
  size_t offset;        /* GRL_GC_K_PARAM: first entry in theta          */
  const double *value;  /* (size) its unperturbed values                 */
  double *grad;         /* (size) its analytic gradient (tamper applies here) */
} grl_gc_tensor;

/* Everything the numerical estimates are measured against. */
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
  grl_gc_tensor tensor[GRL_MAX_PARAMS + 3];
} grl_gc_context;

/* Fill c: the analytic gradient, both unperturbed bases, complex copies,
 * and the tensors selected by `what` (GRL_GC_* mask), in report order:
 * the cell's own parameters, then x, h0, c0. */
int grl_gc_context_init(grl_gc_context *c, const grl_model *m,
                        const grl_gradcheck_problem *p, unsigned what);
void grl_gc_context_free(grl_gc_context *c);

/* Per-thread workspace: nothing is allocated per entry.  NULL if out of
 * memory. */
typedef struct grl_gc_workspace grl_gc_workspace;
grl_gc_workspace *grl_gc_workspace_alloc(const grl_gc_context *c);
void grl_gc_workspace_free(grl_gc_workspace *w);

/* One checked entry: a tensor of the context, flat index `at` in it. */
typedef struct {
  const grl_gc_tensor *t;
  size_t at;
  size_t b, t0;   /* ROW path: batch item and first step that changes */
  int row;        /* 1: ROW path, 0: FULL path */
} grl_gc_entry;

grl_gc_entry grl_gc_entry_make(const grl_gc_context *c, const grl_gc_tensor *t,
                               size_t at);

/* The numerical derivative of L with respect to entry e by method, with
 * relative step `step` (h = step * max(1, |value|)).  abserr: GSL's error
 * estimate (0 otherwise); cost += the forward passes run, in full-batch
 * equivalents. */
int grl_gc_numeric(const grl_gc_context *c, grl_gc_workspace *w,
                   const grl_gc_entry *e, int method, double step, double *est,
                   double *abserr, double *cost);

/* Shared by the check of a cell (gradcheck.c) and of any function
 * (gradcheck_fn.c): */
/* Validate o; the step and tolerance it asks for (0 = the method's). */
int grl_gc_opts_resolve(const grl_gradcheck_opts *o, double *step, double *tol);
/* rep->row[i].checked and .at (and room for a, n, rel): every entry, or
 * o->sample of each tensor's. */
int grl_gc_choose_entries(grl_gradcheck_report *rep, const grl_gradcheck_opts *o);
/* Once every row's a and n are filled: each row's scale, floor, errors
 * and worst entry, then the report's totals and verdict.  abserr (GSL's,
 * one per checked entry in row order) is read only for method gsl. */
void grl_gc_report_finish(grl_gradcheck_report *rep, const double *abserr);
/* GRL_OK, or GRL_EFAIL with the message naming the worst entry (or saying
 * that nothing was compared). */
int grl_gc_report_status(const grl_gradcheck_report *rep);

#endif
