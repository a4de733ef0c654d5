/* grl_gradcheck.h -- gradient checks: the analytic BPTT gradient against
 * four numerical derivatives, entry by entry.
 *
 * Included by grulab.h; never include it on its own.
 *
 * A check differentiates one scalar,
 *
 *     L = sum(g .* output) + 0.5 * ||h_T||^2,    g (T, B, H) fixed, random,
 *
 * with respect to every entry of the cell's parameter tensors, of the input
 * x, of h0 and (LSTM) of c0 -- or a sample of them -- by the chosen method,
 * and compares each numerical n with the analytic a of grl_seq_backward:
 *
 *     rel   = |a - n| / max(|a| + |n|, floor)     (0 when a == n exactly)
 *     floor = max(floor_rel * S, floor_abs),  S = max over the tensor's
 *                                             checked entries of max(|a|, |n|)
 *
 * The check passes when the worst rel <= tolerance and at least one entry
 * was not exactly 0 on both sides: a check that compared nothing fails.
 * Steps are relative: the step taken is h * max(1, |theta_k|).  What an
 * error of a given size on an entry of a given size needs to be caught is
 * the README's "detection threshold" (grulab gradcheck).
 *
 * The report is bitwise the same for any number of threads.  m->cell may
 * be any grl_cell (a test's deliberately broken copy, say); opts.tamper
 * lets a test alter the analytic gradient before the comparison.
 *
 *   grl_gradcheck_problem *p;   grl_gradcheck_report *rep;   grl_gradcheck_opts o;
 *   gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);  gsl_rng_set(r, seed);
 *   grl_gradcheck_problem_alloc(&p, m, T, B, r);    // x, h0, c0, g
 *   grl_gradcheck_randomize(m, r, 0.9);              // theta ~ U(-0.9, 0.9)
 *   grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
 *   int st = grl_gradcheck_run(&rep, m, p, &o);      // GRL_OK, GRL_EFAIL or an error
 *   ... read rep->row[k].worst; a program prints the table with
 *   grl_gradcheck_report_write (src/app/grl_gcreport.h: the library
 *   never prints) ...
 *   grl_gradcheck_report_free(rep);  grl_gradcheck_problem_free(p);
 *
 * The same engine checks the text loss of grl_text.h
 * (grl_gradcheck_text_run): one check, whatever the loss.
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

/*   forward   (L(t+h) - L(t)) / h           h = sqrt(eps) ~ 1.5e-8   tol 1e-3
 *   central   (L(t+h) - L(t-h)) / 2h        h = eps^(1/3) ~ 6.1e-6   tol 1e-6
 *   gsl       gsl_deriv_central: adaptive, h = 1e-4 GSL's first   tol 1e-6
 *             on a 5-point rule, abserr     step (it adapts it)
 *   complex   Im L(t + i h) / h in          h = 1e-20                tol 1e-11
 *             double _Complex (no conj: L stays analytic)                    */

/* "forward", "central", "gsl", "complex"; NULL if out of range. */
const char *grl_gradcheck_method_name(int method);
/* The method's number, or -1 if name is unknown (no error recorded). */
int grl_gradcheck_method_lookup(const char *name);
/* sqrt(eps), eps^(1/3), 1e-4 (GSL's initial step), 1e-20; relative. */
double grl_gradcheck_default_step(int method);
/* 1e-3, 1e-6, 1e-6, 1e-11. */
double grl_gradcheck_default_tolerance(int method);

/* The floor of the relative error: floor = max(FLOOR_REL * S, FLOOR_ABS).
 * A difference quotient's error is absolute (rounding ~ eps|L|/h,
 * truncation ~ h^2|L'''|/6), so the floor keeps rel relative on entries
 * within a factor 20 of S, and absolute, in units of S/10, below that.
 * Why 1e-1: under 1e-2 the seed cell's sharply curved loss (I=5 H=7 T=30
 * B=3, seed 29) failed central at 3.7e-6 on an entry of 0.05 in a tensor
 * with S ~ 18 (the complex step agreed to 3e-13); under 1e-1 the worst over
 * seeds 1..150 is 6.2e-7.  FLOOR_REL = 0 leaves FLOOR_ABS, which only
 * guards 0/0. */
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

/* The loss L = sum(g .* output) + 0.5 ||h_T||^2 of the forward pass s
 * last ran; g (T*B, H), rows t*B+b, like the output. */
double grl_gradcheck_loss(grl_seq *s, const double *g);

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
  /* The text loss only (grl_gradcheck_text_run): dropout p in [0, 1) of
   * the kind, with masks drawn once from mt19937(dropout_seed) and FIXED
   * for every evaluation, so the loss is one differentiable function of
   * theta, h0, c0.  Not with the complex step, whose naive reference has
   * no dropout.  0: none. */
  double dropout;
  int dropout_kind;            /* grl_dropout_kind                        */
  unsigned long dropout_seed;
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
  const char *formula; /* the loss checked, "sum(g.*output) + 0.5*||h_T||^2"
                          (points at formula_buf, the report's own copy) */
  char formula_buf[256];
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

/* Format the multi-dimensional index of flat entry at into buf: "[3,2]",
 * rows and columns from 0 as in the tensor file; for the input (T, B, I)
 * the time step is named from 1 as in the prose, "x_8[0,1]" for [7,0,1]. */
void grl_gradcheck_index_format(const grl_gradcheck_row *row, size_t at,
                                char *buf, size_t len);
/* The entry with its tensor's name, as messages print it:
 * "weight_hh_l0[3,2]", "h0[1,2]", "input x_8[0,1]". */
void grl_gradcheck_entry_format(const grl_gradcheck_row *row, size_t at,
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

/* ------------------------------------------------------------------ */
/* Any scalar function: a readout and its loss, say (gradcheck_fn.c)   */
/* ------------------------------------------------------------------ */

/* The check of a function L(u) of a flat block u of numbers, whose
 * gradient the caller computed some other way: the same methods, steps,
 * relative error, floor and tolerances as grl_gradcheck_run, entry by
 * entry.  u is cut into named tensors laid end to end (e.g. a readout's
 * weight, its bias, and the states it reads), one report row each.
 *
 *   loss          L(u), or NaN if it cannot be computed
 *   loss_complex  the same formula in double _Complex, analytic (no abs,
 *                 no conj; comparisons only to choose a stable branch), for
 *                 the complex step; NULL refuses method complex
 *
 * Of the options, method, step, tolerance, floor_rel, floor_abs, sample,
 * sample_seed and tamper are used (tamper is called with each tensor's
 * slice of a copy of grad); what and threads are ignored: the entries
 * run one after another.  The report's cell field is f->what, its T, B,
 * I, H are 0, and passes counts calls of loss (or loss_complex).
 * Returns as grl_gradcheck_run does. */
typedef struct {
  const char *name;   /* "readout_weight" */
  int ndim;           /* 1 or 2 */
  size_t dims[3];     /* unused dims are 1 */
} grl_gradcheck_fn_tensor;

typedef struct {
  const char *what;                      /* "readout + MSE", for reports */
  size_t ntensor;
  const grl_gradcheck_fn_tensor *tensor; /* (ntensor), tiling u in order  */
  double (*loss)(const double *u, void *ctx);
  double _Complex (*loss_complex)(const double _Complex *u, void *ctx);
  void *ctx;
} grl_gradcheck_fn;

/* u, grad: (n) with n the tensors' total size. */
int grl_gradcheck_fn_run(grl_gradcheck_report **rep, const grl_gradcheck_fn *f,
                         const double *u, const double *grad,
                         const grl_gradcheck_opts *opts);


#ifdef __cplusplus
}
#endif

#endif
