/* grl_gradcheck.h -- gradient checks: the analytic BPTT gradient against
 * four numerical derivatives, entry by entry.
 *
 * Included by grulab.h; never include it on its own.
 *
 * THE LOSS.  A check differentiates one scalar,
 *
 *     L = sum(g .* output) + 0.5 * ||h_T||^2
 *
 * where g (T, B, H) is a fixed random tensor (grl_gradcheck_problem).  Both
 * terms are needed: the first reaches every step's output, the second the
 * final state alone, so more than one path through BPTT is exercised.  The
 * analytic side is one grl_seq_backward(s, theta, x, g, h_T, NULL, ...):
 * dL/doutput = g and dL/dh_T = h_T (for the LSTM, dL/dc_T = 0).
 *
 * WHAT IS CHECKED.  Every entry of every parameter tensor of the cell, of
 * the input x, of h0 and (LSTM) of c0 -- no sampling unless asked for.
 *
 * THE METHODS (h is RELATIVE: the step used is h * max(1, |theta_k|)):
 *
 *   forward   (L(t+h) - L(t)) / h                  h = sqrt(eps) ~ 1.5e-8   tol 1e-3
 *   central   (L(t+h) - L(t-h)) / 2h               h = eps^(1/3) ~ 6.1e-6   tol 1e-6
 *   gsl       gsl_deriv_central (Richardson on a   h = 1e-4 (initial step;  tol 1e-6
 *             5-point rule), with its abserr           GSL adapts it)
 *   complex   Im L(t + i h) / h, L evaluated by    h = 1e-20                tol 1e-11
 *             grl_naive_forward_c in double _Complex with
 *             L = sum g*out + 0.5 * sum h_T*h_T (no conj: L must stay analytic)
 *
 * Real-valued differences are taken term by term,
 *     L(u) - L(v) = sum g .* (out(u) - out(v)) + 0.5 sum (hT(u) - hT(v)) .* (hT(u) + hT(v)),
 * so that the O(1) loss itself never cancels; and the step actually taken is
 * the representable (t+h) - t.
 *
 * RELATIVE ERROR, per entry, with analytic a and numeric n:
 *
 *     rel = |a - n| / max(|a| + |n|, floor)      (0 when a == n exactly)
 *
 * THE FLOOR is chosen here, once, per tensor:
 *
 *     floor = max(floor_rel * S, floor_abs),   S = max over the tensor's
 *                                                 checked entries of max(|a|, |n|)
 *
 * with floor_rel = GRL_GRADCHECK_FLOOR_REL = 1e-1 and floor_abs =
 * GRL_GRADCHECK_FLOOR_ABS = 1e-300 by default.  Why: the error of a
 * difference quotient -- rounding, about eps*|L|/h, and truncation, about
 * h^2 |L'''|/6 -- is ABSOLUTE: it depends on the loss and its curvature,
 * not on the size of the entry, so measured against an entry that happens
 * to be near zero it is unbounded.  Tied to the tensor's own scale S, the
 * floor keeps the test relative for entries within a factor 20 of the
 * tensor's largest (|a| + |n| >= S/10), and absolute, in units of S/10,
 * below that.  What that costs in detection is spelled out under
 * DETECTION THRESHOLD below.  Why 1e-1: on I=5 H=7 T=30 B=3 the seed
 * cell's loss can reach |L| ~ 500 (its h is never squashed), and is
 * sharply curved.  With
 * floor_rel = 1e-3, rounding noise alone sat at central's 1e-6 tolerance;
 * with 1e-2, seed 29 still failed at 3.7e-6 on one small weight_c entry
 * (|a| = 0.05 against S ~ 18: an absolute truncation error of 6.6e-7,
 * while the complex step agreed to 3e-13).  With 1e-1 the worst over seeds
 * 1..150 for the seed cell is 6.2e-7, and below 6e-8 for the other four
 * cells.  floor_rel = 0 gives the naive fixed floor floor_abs, which only
 * guards 0/0: chapter 5 shows rounding noise then failing near-zero
 * entries (`--floor fixed`).
 *
 * DETECTION THRESHOLD.  Suppose one analytic entry a is wrong by a
 * relative d, a' = a (1 + d), and the numeric n = a up to the method's own
 * error.  The check sees, with F = floor_rel * S,
 *
 *     rel = d |a| / max((2 + d) |a|, F)
 *         = d / (2 + d)  ~ d/2          if |a| >= F/2   (= S/20 by default)
 *         = d |a| / F    = 10 d |a|/S   if |a| <  F/2
 *
 * and the entry fails when rel > tol -- more exactly, when rel exceeds tol
 * by more than the method's own relative error at that entry (the worst
 * measured: about 1e-8 for central, 1e-14 for complex; 6e-7 for central
 * on the seed cell's sharpest seeds).  So, up to that margin, an error of
 * relative size d is GUARANTEED to be caught on every entry with
 *
 *     d > 2 tol / (1 - tol)   and   |a| > floor_rel * tol * S / d
 *
 * With the defaults (floor_rel = 1e-1):
 *     central, tol 1e-6:  d = 1e-4 on |a| > 1e-3 S;  d = 1e-5 on |a| > 1e-2 S
 *     complex, tol 1e-11: d = 1e-9 on |a| > 1e-3 S
 *     forward, tol 1e-3:  d = 1e-2 on |a| > 1e-2 S
 * An entry smaller than that can carry an error of that size unseen: the
 * floor trades it for immunity to the absolute noise on such entries.  A
 * wrong backward pass is rarely confined to one tiny entry: it shows on
 * the large entries too.  tests/gradcheck.c injects errors on the largest
 * entry, on one about 3% of S and one about 1% of S (caught with the
 * predicted rel), and on one about 1e-4 S (not caught, as predicted).
 *
 * EXACT ZEROS.  An entry whose analytic and numeric values are both exactly
 * 0.0 has rel = 0 and is counted in nzero; a tensor whose every checked
 * entry is such (the seed cell's weight_o and bias_o: o is computed but never
 * read) has all_zero set, and the report says so.  It is not a failure.
 * But a check in which EVERY checked entry of every tensor is exactly zero
 * on both sides -- e.g. parameters ~1e200, every unit saturated -- compared
 * nothing and proves nothing: it FAILS (pass = 0, GRL_EFAIL, "nothing was
 * compared"), whatever its worst error (0).
 *
 * SPEED.  Entries are independent: the check runs them in parallel with
 * OpenMP (per-thread workspaces and theta copies; BLAS is kept to one
 * thread meanwhile).  Each entry's value is computed by the same operations
 * whatever the thread count, so reports are bitwise identical for any
 * number of threads.  Perturbing x_t or h0 for batch item b changes only
 * row b, from step t on: those entries re-run that row alone, from the
 * stored state at t, with the naive reference step (grl_naive_forward).
 * Parameter entries re-run the whole batch with grl_seq_forward.
 *
 * TEST HOOK.  opts.tamper, when set, is applied to each analytic gradient
 * tensor before the comparison.  Tests use it to inject an error of a known
 * size (scale one entry by 1 + 1e-4: central catches it; by 1 + 1e-9: only
 * complex does -- on entries above the DETECTION THRESHOLD).  A broken backward pass can also be checked directly: the
 * checker accepts any grl_cell in m->cell, e.g. a copy of grl_cell_gru whose
 * backward corrupts a gradient.  Shipping code is never modified.
 *
 *   grl_gradcheck_problem *p;   grl_gradcheck_report *rep;   grl_gradcheck_opts o;
 *   gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);  gsl_rng_set(r, seed);
 *   grl_gradcheck_problem_alloc(&p, m, T, B, r);    // x, h0, c0, g
 *   grl_gradcheck_randomize(m, r, 0.9);              // theta ~ U(-0.9, 0.9)
 *   grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
 *   int st = grl_gradcheck_run(&rep, m, p, &o);      // GRL_OK, GRL_EFAIL or an error
 *   if (rep) grl_gradcheck_report_write(stdout, rep);
 *   grl_gradcheck_report_free(rep);  grl_gradcheck_problem_free(p);
 */
#ifndef GRULAB_GRL_GRADCHECK_H
#define GRULAB_GRL_GRADCHECK_H

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Methods, default steps and tolerances                               */
/* ------------------------------------------------------------------ */

enum grl_gradcheck_method {
  GRL_GC_FORWARD = 0,
  GRL_GC_CENTRAL,
  GRL_GC_GSL,
  GRL_GC_COMPLEX,
  GRL_GC_NMETHOD
};

/* "forward", "central", "gsl", "complex"; NULL if out of range. */
const char *grl_gradcheck_method_name(int method);
/* The method's number, or -1 if name is unknown (no error recorded). */
int grl_gradcheck_method_lookup(const char *name);
/* sqrt(eps), eps^(1/3), 1e-4 (GSL's initial step), 1e-20; relative. */
double grl_gradcheck_default_step(int method);
/* 1e-3, 1e-6, 1e-6, 1e-11. */
double grl_gradcheck_default_tolerance(int method);

/* The floor of the relative error (see the top of this file). */
#define GRL_GRADCHECK_FLOOR_REL 1e-1
#define GRL_GRADCHECK_FLOOR_ABS 1e-300

/* ------------------------------------------------------------------ */
/* The problem: everything but theta that the loss depends on          */
/* ------------------------------------------------------------------ */

/* All fields are required (c0 only for cells with a cell state); build it
 * with grl_gradcheck_problem_alloc, or fill the arrays it allocated. */
typedef struct {
  size_t T, B;
  double *x;    /* (T*B, I) input sequence, rows t*B+b          */
  double *h0;   /* (B, H) initial state                          */
  double *c0;   /* (B, H) initial cell state (LSTM), else NULL   */
  double *g;    /* (T*B, H) loss weights: dL/doutput = g          */
} grl_gradcheck_problem;

/* Allocate a problem for m and draw, in this order from r:
 * x, h0, c0 (LSTM only) ~ U(-0.9, 0.9) and g ~ U(-1, 1). */
int grl_gradcheck_problem_alloc(grl_gradcheck_problem **p, const grl_model *m,
                                size_t T, size_t B, gsl_rng *r);
void grl_gradcheck_problem_free(grl_gradcheck_problem *p);

/* "High-entropy" parameters: every entry of m->theta ~ U(-scale, scale),
 * drawn in block order from r.  Scale 0.9 keeps gates away from 0.5. */
void grl_gradcheck_randomize(grl_model *m, gsl_rng *r, double scale);

/* L = sum(g .* output) + 0.5 ||h_T||^2 for theta (NULL = m->theta), by the
 * BLAS path (grl_seq_forward). */
int grl_gradcheck_loss(const grl_model *m, const grl_gradcheck_problem *p,
                       const double *theta, double *L);

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/* Which tensors to check (opts.what); parameters are the cell's own
 * tensors, theta[0, ncell). */
enum {
  GRL_GC_PARAMS = 1,
  GRL_GC_INPUT = 2,
  GRL_GC_H0 = 4,
  GRL_GC_C0 = 8,       /* ignored by cells without a cell state */
  GRL_GC_ALL = 15
};

/* Test hook: called once per checked tensor, in report order, on the
 * analytic gradient grad (size entries, row-major) before comparison. */
typedef void (*grl_gradcheck_tamper_fn)(const char *tensor, double *grad,
                                        size_t size, void *arg);

typedef struct {
  int method;          /* GRL_GC_FORWARD ... GRL_GC_COMPLEX            */
  double step;         /* relative step h; 0 = the method's default   */
  double tolerance;    /* pass if worst <= tolerance; 0 = default     */
  double floor_rel;    /* floor = max(floor_rel * S, floor_abs)       */
  double floor_abs;
  unsigned what;       /* GRL_GC_* mask; default GRL_GC_ALL            */
  size_t sample;       /* check at most this many entries per tensor,
                          drawn without replacement; 0 = every entry  */
  unsigned long sample_seed; /* seeds that draw                       */
  int threads;         /* OpenMP threads; 0 = OpenMP's default        */
  grl_gradcheck_tamper_fn tamper; /* test hook, or NULL               */
  void *tamper_arg;
} grl_gradcheck_opts;

/* Defaults for method: step 0, tolerance 0 (resolved at run time),
 * floor_rel GRL_GRADCHECK_FLOOR_REL, floor_abs GRL_GRADCHECK_FLOOR_ABS,
 * what GRL_GC_ALL, sample 0, threads 0, no tamper. */
void grl_gradcheck_opts_init(grl_gradcheck_opts *o, int method);

/* ------------------------------------------------------------------ */
/* The report: one row per tensor                                      */
/* ------------------------------------------------------------------ */

typedef struct {
  char name[GRL_NAME_MAX]; /* "weight_ih_l0", ..., "input", "h0", "c0" */
  int ndim;            /* 1..3 */
  size_t dims[3];      /* unused dims are 1; input is (T, B, I)        */
  size_t size;         /* entries in the tensor                         */
  size_t checked;      /* entries checked (size unless sampled)         */
  size_t nzero;        /* of which exactly 0.0 on both sides            */
  int all_zero;        /* every checked entry is exactly 0 on both sides */
  double scale;        /* S = max of max(|a|, |n|) over checked entries */
  double floor;        /* max(floor_rel * S, floor_abs)                 */
  double worst;        /* worst relative error (NaN if one was NaN)     */
  size_t worst_at;     /* its flat index in the tensor                   */
  size_t worst_idx[3]; /* its multi-dimensional index (ndim used)        */
  double analytic;     /* a at worst_at                                  */
  double numeric;      /* n at worst_at                                  */
  double abserr;       /* gsl: gsl_deriv_central's abserr at worst_at;   */
  double max_abserr;   /*      and its largest over the tensor; else 0   */
  int pass;            /* worst <= tolerance                             */
  /* Per checked entry, k = 0 .. checked-1 (for charts): */
  size_t *at;          /* (checked) flat index of entry k, ascending     */
  double *a, *n, *rel; /* (checked) analytic, numeric, relative error    */
} grl_gradcheck_row;

typedef struct {
  const char *cell;    /* the cell's name                               */
  int method;
  double step;         /* relative step used (gsl: the initial step)    */
  double tolerance;
  double floor_rel, floor_abs;
  size_t T, B, I, H;
  double loss;         /* L at theta                                    */
  size_t nrow;
  grl_gradcheck_row *row; /* (nrow) parameters in block order, then
                             input, h0, c0                              */
  size_t checked;      /* total entries checked                          */
  size_t nzero;        /* total exact zeros                              */
  double worst;        /* worst over all rows (NaN if any is NaN)        */
  size_t worst_row;
  int pass;            /* worst <= tolerance, and nzero < checked (a
                          check that compared nothing fails)            */
  double passes;       /* forward passes run, in full-batch equivalents  */
  int threads;         /* OpenMP threads used                            */
  double seconds;      /* wall time of the numerical part                */
} grl_gradcheck_report;

/* Run a check of m (theta = m->theta) on problem p.
 * Returns GRL_OK if the check passed, GRL_EFAIL if it ran but failed (the
 * message names the worst tensor, its index and error, or says that
 * nothing was compared: every checked entry exactly 0 on both sides),
 * and any other
 * status on error (bad options, non-finite state).  *rep holds the report
 * whenever the status is GRL_OK or GRL_EFAIL, and is NULL otherwise. */
int grl_gradcheck_run(grl_gradcheck_report **rep, const grl_model *m,
                      const grl_gradcheck_problem *p,
                      const grl_gradcheck_opts *opts);
void grl_gradcheck_report_free(grl_gradcheck_report *rep);

/* The per-tensor table, as `grulab gradcheck` prints it (without its
 * final "worst relative error" line, which grl_gradcheck_report_summary
 * formats).  Returns GRL_EIO if writing fails. */
int grl_gradcheck_report_write(FILE *f, const grl_gradcheck_report *rep);
/* "worst relative error: E (cell C, method M, step h, N entries)" into
 * buf (no newline). */
void grl_gradcheck_report_summary(const grl_gradcheck_report *rep, char *buf,
                                  size_t len);
/* Format a tensor's multi-dimensional index as "[3,2]" into buf. */
void grl_gradcheck_index_format(const grl_gradcheck_row *row, size_t at,
                                char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* The step sweep: truncation against rounding, for one entry          */
/* ------------------------------------------------------------------ */

#define GRL_GRADCHECK_SWEEP_N 20   /* h = 1e-1, 1e-2, ..., 1e-20 */

typedef struct {
  char tensor[GRL_NAME_MAX];
  size_t at;            /* flat index of the entry                       */
  double theta;         /* its value                                     */
  double analytic;      /* BPTT                                          */
  double reference;     /* what the errors are measured against: the
                           analytic BPTT value (== analytic), which no
                           numerical estimate computed; the complex step
                           at h = 1e-20 (complex_step[N-1]) agrees with
                           it to ~1e-15 when BPTT is right              */
  double h[GRL_GRADCHECK_SWEEP_N];        /* relative steps             */
  double forward[GRL_GRADCHECK_SWEEP_N];  /* estimates                  */
  double central[GRL_GRADCHECK_SWEEP_N];
  double complex_step[GRL_GRADCHECK_SWEEP_N];
  /* |estimate - reference| / |reference| (0 if reference is 0: then the
   * absolute error) -- the V-shaped curves */
  double err_forward[GRL_GRADCHECK_SWEEP_N];
  double err_central[GRL_GRADCHECK_SWEEP_N];
  double err_complex_step[GRL_GRADCHECK_SWEEP_N];
} grl_gradcheck_sweep_result;

/* Sweep one entry: forward, central and complex step at each h, each
 * measured against BPTT.  The entry is `at` of tensor (a parameter name,
 * "input", "h0" or "c0"; NULL = the cell's first parameter tensor).  at == (size_t)-1
 * picks the entry of largest |analytic| in that tensor.  Errors name the
 * tensor or the index. */
int grl_gradcheck_sweep(grl_gradcheck_sweep_result *res, const grl_model *m,
                        const grl_gradcheck_problem *p, const char *tensor,
                        size_t at);

#ifdef __cplusplus
}
#endif

#endif
