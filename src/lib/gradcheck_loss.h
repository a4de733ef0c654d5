/* gradcheck_loss.h -- the one gradient-check engine and the losses it
 * checks, inside the library (not installed).
 *
 *   gradcheck.c          the engine: the four numerical derivatives built on
 *                        a loss's evaluations, every entry in parallel, the
 *                        per-tensor rows of the report
 *   gradcheck_problem.c  the sequence loss's problem (x, h0, c0, g), theta's
 *                        draw, and L = sum(g .* output) + 0.5 ||h_T||^2
 *   gradcheck_seq.c      the sequence loss as the engine's loss: its
 *                        analytic BPTT and its perturbed passes;
 *                        grl_gradcheck_run
 *   gradcheck_text.c     the text loss (grl_text_loss) as the engine's loss;
 *                        grl_gradcheck_text_run
 *   gradcheck_fn.c       any scalar function of a flat block, given its
 *                        gradient; grl_gradcheck_fn_run
 *   gradcheck_sweep.c    the step sweep of one entry (the V-curve)
 *
 * A loss gives the engine its tensors (each entry's value and analytic
 * derivative) and three evaluations: L with one entry set to u, kept in a
 * slot; the difference of two slots' L, written so that the O(1) loss
 * cancels where it can; and Im L with one entry moved by ih (the complex
 * step).  The engine never sees the model's layout or the loss's terms. */
#ifndef GRULAB_GRADCHECK_LOSS_H
#define GRULAB_GRADCHECK_LOSS_H

#include "grulab.h"

/* L = sum(g .* out) + 0.5 ||h_T||^2 on arrays: out (T*B, H), rows t*B+b,
 * h_T its last B rows; g likewise.  The one place the sequence loss is
 * written (gradcheck_problem.c; the complex step and the term-by-term
 * differences of gradcheck_seq.c expand the same formula). */
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

/* One checked entry: a tensor of the loss, flat index `at` in it; b and t0
 * are the sequence loss's (the batch item and the first step an input
 * entry changes), row whether it re-runs that row alone. */
typedef struct {
  const grl_gc_tensor *t;
  size_t at;
  size_t b, t0;
  int row;
} grl_gc_entry;

/* Where an evaluation keeps its result: two slots per workspace (the +
 * and - passes of a central difference), and the unperturbed base. */
enum { GRL_GC_BASE = -1, GRL_GC_SLOT0 = 0, GRL_GC_SLOT1 = 1 };

typedef struct grl_gc_loss grl_gc_loss;
struct grl_gc_loss {
  const char *formula;  /* for the report: "sum(g.*output) + 0.5*||h_T||^2" */
  size_t T, B, I, H;    /* the sizes the report states                  */
  double L0;            /* L at the unperturbed point                    */
  size_t ntensor;
  grl_gc_tensor tensor[GRL_MAX_PARAMS + 3];  /* in report order          */
  /* The entry that the engine checks as (t, at). */
  grl_gc_entry (*entry)(const grl_gc_loss *L, const grl_gc_tensor *t,
                        size_t at);
  /* Per-thread workspace, allocated once: nothing is allocated per entry.
   * NULL if out of memory. */
  void *(*ws_alloc)(const grl_gc_loss *L);
  void (*ws_free)(void *ws);
  /* L with entry e set to u, kept in slot (0 or 1) of ws; cost += the
   * forward passes it ran, in full-batch equivalents. */
  int (*eval)(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
              double u, int slot, double *cost);
  /* L(slot a) - L(slot b), b may be GRL_GC_BASE (the unperturbed point
   * of e's own kind of pass); and the base's L itself. */
  double (*diff)(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                 int a, int b);
  double (*base)(const grl_gc_loss *L, const grl_gc_entry *e);
  /* Im L with entry e moved by i h (the complex step). */
  int (*eval_complex)(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                      double h, double *imL, double *cost);
};

/* The numerical derivative of L with respect to entry e by method, with
 * relative step `step` (h = step * max(1, |value|)).  abserr: GSL's error
 * estimate (0 otherwise); cost += the forward passes run, in full-batch
 * equivalents.  (gradcheck.c) */
int grl_gc_numeric(const grl_gc_loss *L, void *ws, const grl_gc_entry *e,
                   int method, double step, double *est, double *abserr,
                   double *cost);

/* GRL_OK if the options make sense, else GRL_EINVAL with a message. */
int grl_gc_opts_check(const grl_gradcheck_opts *o);

/* The check itself on loss L with options o: every entry (or a sample),
 * in parallel, against its analytic derivative; the report as
 * grl_gradcheck_run describes it.  (gradcheck.c) */
int grl_gc_check(grl_gradcheck_report **rep, const grl_gc_loss *L,
                 const char *cell, const grl_gradcheck_opts *o);

/* The sweep of grl_gradcheck_sweep on loss L.  (gradcheck_sweep.c) */
int grl_gc_sweep(grl_gradcheck_sweep_result *res, const grl_gc_loss *L,
                 const char *cell, const char *tensor, size_t at);

#endif
