/* items_check.c -- lab 5: the student's own gradient checker.
 *
 * The loss is the library's gradient-check loss of a GRU (grl_gradcheck.h):
 *   L = sum(g .* output) + 0.5 ||h_T||^2,   I = 3, H = 4, T = 5, B = 2,
 * over the cell's 108 parameters ~ U(-0.9, 0.9), so that every step
 * h = 1e-5 is absolute and relative at once (|theta| < 1).  Its analytic
 * gradient is the library's BPTT. */
#include <config.h>
#include "grader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GC_I 3
#define GC_H 4
#define GC_T 5
#define GC_B 2
#define GC_STEP 1e-5
#define GC_TOL 1e-6
#define GC_FLOOR 0.1

typedef struct {
  grl_model *m;
  grl_seq *s;
  grl_gradcheck_problem *p;
  double *theta, *grad;   /* (n) the point, and the library's BPTT there */
  size_t n;
} gc_problem;

/* The loss the students' numerical_gradient differentiates. */
static double gru_loss(const double *theta, void *arg)
{
  gc_problem *q = arg;
  if (grl_seq_forward(q->s, theta, q->p->x, q->p->h0, NULL))
    return NAN;
  return grl_gradcheck_loss(q->s, q->p->g);
}

static int gc_alloc(gc_problem *q)
{
  memset(q, 0, sizeof *q);
  gsl_rng *r = lab_rng(5101);
  int st = grl_model_alloc(&q->m, grl_cell_lookup("gru"), GC_I, GC_H, 0);
  if (!st)
    st = grl_seq_alloc(&q->s, q->m, GC_T, GC_B);
  if (!st)
    st = grl_gradcheck_problem_alloc(&q->p, q->m, GC_T, GC_B, r);
  if (!st) {
    grl_gradcheck_randomize(q->m, r, 0.9);
    q->n = q->m->n;
    q->theta = calloc(q->n, sizeof(double));
    q->grad = calloc(q->n, sizeof(double));
    st = !q->theta || !q->grad ? GRL_ENOMEM : GRL_OK;
  }
  if (!st) {
    memcpy(q->theta, q->m->theta, q->n * sizeof(double));
    st = grl_seq_forward(q->s, q->theta, q->p->x, q->p->h0, NULL);
  }
  if (!st) {
    gsl_matrix_view hT = grl_seq_hT(q->s);   /* dL/dh_T = h_T */
    double *dhT = malloc(GC_B * GC_H * sizeof(double));
    for (size_t b = 0; b < GC_B; b++)
      for (size_t j = 0; j < GC_H; j++)
        dhT[b * GC_H + j] = gsl_matrix_get(&hT.matrix, b, j);
    st = grl_seq_backward(q->s, q->theta, q->p->x, q->p->g, dhT, NULL, q->grad,
                          NULL, NULL, NULL);
    free(dhT);
  }
  gsl_rng_free(r);
  if (st) {
    fprintf(stderr, "lab grader: the gradient-check problem: %s\n", grl_strerror());
    abort();
  }
  return st;
}

static void gc_free(gc_problem *q)
{
  grl_gradcheck_problem_free(q->p);
  grl_seq_free(q->s);
  grl_model_free(q->m);
  free(q->theta);
  free(q->grad);
}

/* The library's own central differences of the loss at q->theta, step h
 * (relative, h max(1, |theta_k|), which is h here: |theta_k| < 1), for
 * every parameter, in block order: grl_gradcheck_run's numerical side. */
static void library_numerics(const gc_problem *q, double *num)
{
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.step = GC_STEP;
  o.what = GRL_GC_PARAMS;
  o.threads = 1;
  grl_gradcheck_report *rep;
  int st = grl_gradcheck_run(&rep, q->m, q->p, &o);
  if (st != GRL_OK && st != GRL_EFAIL) {
    fprintf(stderr, "lab grader: the library's gradient check: %s\n", grl_strerror());
    abort();
  }
  for (size_t r = 0; r < rep->nrow; r++) {
    const grl_param *prm = grl_model_param(q->m, rep->row[r].name);
    for (size_t k = 0; prm && k < rep->row[r].checked; k++)
      num[prm->offset + rep->row[r].at[k]] = rep->row[r].n[k];
  }
  grl_gradcheck_report_free(rep);
}

/* A flat GRU block as four gated tensors NAME W_ih ... */
static void add_block(lab_result *res, const char *prefix, const gc_problem *q,
                      const double *block, double tol)
{
  cell_params *p = cell_params_alloc(3, GC_I, GC_H);
  lab_params_from_block(p, q->m, block);
  lab_add_params(res, prefix, 0, p, NULL, LAB_GATES_GRU, tol);
  cell_params_free(p);
}

/* ---- rel_error on known pairs -------------------------------------------- */

static const double rel_cases[][3] = {   /* a, n, floor */
  {2.385, 2.385, 0.0}, {0.0, 0.0, 0.0}, {2.385, 2.386, 1e-6},
  {1e-12, 3e-12, 1.0}, {-0.5, 0.5, 0.1}, {3.0, -1.0, 10.0},
  {1e-300, 0.0, 1e-300}, {-7.25, -7.0, 0.0}, {4e-3, 5e-3, 0.1}};
#define N_REL (sizeof rel_cases / sizeof rel_cases[0])
static char rel_buf[N_REL][64];
static const char *rel_labels[N_REL + 1];

static void run_rel_error(lab_result *res, const lab_impl *impl)
{
  double v[N_REL];
  for (size_t k = 0; k < N_REL; k++) {
    LAB_CALLV(v[k], impl, rel_error, (rel_cases[k][0], rel_cases[k][1], rel_cases[k][2]));
    if (!rel_labels[k]) {
      snprintf(rel_buf[k], sizeof rel_buf[k], "(a, n, floor) = (%g, %g, %g)",
               rel_cases[k][0], rel_cases[k][1], rel_cases[k][2]);
      rel_labels[k] = rel_buf[k];
    }
  }
  lab_tensor *t = lab_add(res, "rel_error", 0, v, 1, N_REL, 1e-14);
  t->floor_rel = 0.0;
  t->labels = rel_labels;
}

const lab_item lab_item_rel_error = {
  .lab = 5, .name = "rel_error", .fn = LAB_FN_rel_error,
  .what = "the relative error with a floor, on 9 known pairs",
  .run = run_rel_error, .sizes = "9 pairs",
  .hint = "The floor only ever makes the denominator LARGER; and two equal "
          "numbers (0 and 0 too) have no error at all.",
  .eqs = (const lab_eq[]){{"", "rel = |a - n| / max(|a| + |n|, floor),   0 when a == n"},
                          {NULL, NULL}},
  .time_scale = 1,
};

/* ---- numerical_gradient on the GRU's loss ---------------------------------- */

static void run_numerical(lab_result *res, const lab_impl *impl)
{
  gc_problem q;
  gc_alloc(&q);
  double *theta = malloc(q.n * sizeof(double)), *g = malloc(q.n * sizeof(double));
  memcpy(theta, q.theta, q.n * sizeof(double));
  for (size_t k = 0; k < q.n; k++)
    g[k] = LAB_GARBAGE;
  if (impl == &lab_reference)   /* the reference: the library's gradient check */
    library_numerics(&q, g);
  else
    LAB_CALL(impl, numerical_gradient, (g, gru_loss, &q, theta, q.n, GC_STEP));
  add_block(res, "grad ", &q, g, 1e-8);
  for (size_t k = 0; k < q.n; k++)
    theta[k] -= q.theta[k];      /* exactly 0 where theta came back */
  lab_tensor *t = lab_add(res, "theta afterwards - before", 0, theta, 1, q.n, 0.0);
  t->floor_rel = 0.0;
  free(theta);
  free(g);
  gc_free(&q);
}

const lab_item lab_item_numerical = {
  .lab = 5, .name = "numerical_gradient", .fn = LAB_FN_numerical_gradient,
  .what = "central differences of a GRU's loss (108 parameters, h = 1e-5), and theta unchanged",
  .run = run_numerical, .sizes = "I = 3, H = 4, T = 5, B = 2: 108 parameters",
  .hint = "One entry at a time: theta_k + h, evaluate, theta_k - h, evaluate, "
          "put theta_k back -- exactly as it was -- before the next k.  The "
          "difference of the two values spans 2h.",
  .eqs = (const lab_eq[]){{"", "grad[k] = (f(theta + h e_k) - f(theta - h e_k)) / 2h"},
                          {"theta afterwards - before", "theta[k] back to its value before the next k"},
                          {NULL, NULL}},
  .time_scale = 1,
};

/* ---- gradient_check on arrays with a known verdict --------------------------- */

#define N_VERDICT 5
static const char *const verdict_labels[] = {
  "a right gradient", "tiny entries, right", "one entry wrong by 1e-3 S",
  "a NaN", "all zero", NULL};

/* Scenario k's arrays (n entries each) into a and num. */
static void verdict_arrays(int k, const gc_problem *q, double *a, double *num,
                           size_t n)
{
  gsl_rng *r = lab_rng(5200 + k);
  if (k == 0) {   /* the library's BPTT against the central difference */
    memcpy(a, q->grad, n * sizeof(double));
    library_numerics(q, num);
  } else {
    for (size_t i = 0; i < n; i++) {
      /* entries from 1 down to 1e-11, with rounding-sized disagreement */
      double mag = pow(10.0, -(double)(i % 12)), sign = gsl_rng_uniform(r) < 0.5 ? -1 : 1;
      a[i] = k == 4 ? 0.0 : sign * mag * (1.0 + gsl_rng_uniform(r));
      num[i] = a[i] * (1.0 + 1e-9 * (gsl_rng_uniform(r) - 0.5))
               + (k == 4 ? 0.0 : 1e-11 * (gsl_rng_uniform(r) - 0.5));
    }
    if (k == 2)
      num[17] += 1e-3 * 2.0;      /* S is about 2 */
    if (k == 3)
      num[5] = NAN;
  }
  gsl_rng_free(r);
}

static void run_verdicts(lab_result *res, const lab_impl *impl)
{
  gc_problem q;
  gc_alloc(&q);
  size_t n = q.n;
  double *a = malloc(n * sizeof(double)), *num = malloc(n * sizeof(double));
  double pass[N_VERDICT], worst[N_VERDICT], rel[N_VERDICT];
  for (int k = 0; k < N_VERDICT; k++) {
    verdict_arrays(k, &q, a, num, n);
    size_t w = (size_t)-1;
    double wr = LAB_GARBAGE;
    int ok;
    LAB_CALLV(ok, impl, gradient_check, (&w, &wr, a, num, n, GC_TOL, GC_FLOOR));
    pass[k] = ok;
    worst[k] = (double)w;
    rel[k] = wr;
  }
  lab_tensor *t = lab_add(res, "pass (1) or fail (0)", 0, pass, 1, N_VERDICT, 0.0);
  t->labels = verdict_labels;
  t = lab_add(res, "*worst (the entry)", 0, worst, 1, N_VERDICT, 0.0);
  t->labels = verdict_labels;
  t = lab_add(res, "*worst_rel", 0, rel, 1, N_VERDICT, 1e-12);
  t->labels = verdict_labels;
  free(a);
  free(num);
  gc_free(&q);
}

const lab_item lab_item_verdicts = {
  .lab = 5, .name = "gradient_check", .fn = LAB_FN_gradient_check,
  .what = "the verdict, the worst entry and its error on 5 arrays with a known answer",
  .run = run_verdicts, .sizes = "5 pairs of 108-entry arrays, tol 1e-6, floor_rel 0.1",
  .hint = "S is the largest |entry| over BOTH arrays and all their entries "
          "(one floor for the whole vector); the floor is floor_rel * S, passed "
          "to your rel_error.  A NaN must fail.",
  .eqs = (const lab_eq[]){{"", "floor = floor_rel * S"},
                          {"*worst (the entry)", "*worst = the k of the largest rel_k (the first on a tie; a NaN counts"},
                          {NULL, NULL}},
  .time_scale = 1,
};

/* ---- the whole checker on the GRU --------------------------------------------- */

/* The verdicts are known by construction, so the reference here is not a
 * run of anything: the right gradient passes, and each planted error is
 * flagged at the entry it was planted in.  (Which entry is "worst" on a
 * right gradient is rounding noise, so it is not compared.) */
#define N_CHECK 4
static const char *const check_labels[] = {
  "the library's BPTT gradient", "its largest entry x (1 + 1e-4)",
  "an entry's sign flipped", "a small entry + 1e-3 S", NULL};

static void run_checker(lab_result *res, const lab_impl *impl)
{
  gc_problem q;
  gc_alloc(&q);
  size_t n = q.n;
  double *theta = malloc(n * sizeof(double)), *num = malloc(n * sizeof(double));
  double *a = malloc(n * sizeof(double));
  memcpy(theta, q.theta, n * sizeof(double));
  if (impl != &lab_reference)
    LAB_CALL(impl, numerical_gradient, (num, gru_loss, &q, theta, n, GC_STEP));
  /* where the errors are planted: the largest entry, one of a tenth of it
   * or more, one below a hundredth of it */
  size_t at[N_CHECK] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; i++)
    if (fabs(q.grad[i]) > fabs(q.grad[at[1]]))
      at[1] = i;
  double S = fabs(q.grad[at[1]]);
  for (size_t i = n; i-- > 0;)
    if (fabs(q.grad[i]) > 0.1 * S && i != at[1])
      at[2] = i;
  for (size_t i = n; i-- > 0;)
    if (fabs(q.grad[i]) < 0.01 * S && q.grad[i] != 0.0)
      at[3] = i;
  double pass[N_CHECK], worst[N_CHECK - 1];
  for (int k = 0; k < N_CHECK; k++) {
    memcpy(a, q.grad, n * sizeof(double));
    if (k == 1)
      a[at[1]] *= 1.0 + 1e-4;
    if (k == 2)
      a[at[2]] = -a[at[2]];
    if (k == 3)
      a[at[3]] += 1e-3 * S;
    size_t w = (size_t)-1;
    double wr = 0.0;
    int ok = k == 0;
    if (impl != &lab_reference)
      LAB_CALLV(ok, impl, gradient_check, (&w, &wr, a, num, n, GC_TOL, GC_FLOOR));
    else
      w = at[k];
    pass[k] = ok;
    if (k > 0)
      worst[k - 1] = (double)w;
  }
  lab_tensor *t = lab_add(res, "pass (1) or fail (0)", 0, pass, 1, N_CHECK, 0.0);
  t->labels = check_labels;
  t = lab_add(res, "*worst (the entry)", 0, worst, 1, N_CHECK - 1, 0.0);
  t->labels = check_labels + 1;
  free(theta);
  free(num);
  free(a);
  gc_free(&q);
}

const lab_item lab_item_checker = {
  .lab = 5, .name = "your checker on a GRU", .fn = -1,
  .what = "numerical_gradient + gradient_check: the library's BPTT gradient passes, 3 planted errors are flagged where they are",
  .run = run_checker, .sizes = "I = 3, H = 4, T = 5, B = 2, h = 1e-5, tol 1e-6, floor_rel 0.1",
  .hint = "This item passes when the three before it do.  If they do and it "
          "fails, look at what your check does with the largest entry S.",
  .no_naming = 1,
  .eqs = (const lab_eq[]){{"", "pass = (*worst_rel <= tol)"}, {NULL, NULL}},
  .time_scale = 1,
};
