/*
# Chapter 5: Gradient checks: four numerical derivatives against BPTT

**Prerequisites:** chapter 4 (BPTT), chapter 4 §2 (one entry against a
central difference), chapter 3 §4 (why the article's output gate gets no
gradient), chapter 1 §2 (rounding: relative and absolute error).

Chapter 4 derived BPTT and trusted it because two implementations agreed.
Two implementations can share a mistake.  A numerical derivative cannot:
it only runs the forward pass.  This chapter checks every entry of every
gradient against four numerical derivatives, and learns what each can and
cannot see.

### What you will learn

1. The four estimates of $∂L/∂θ_k$, with a relative step $h$:

       forward   (L(theta + h) - L(theta)) / h          error O(h)   + eps/h
       central   (L(theta + h) - L(theta - h)) / 2h     error O(h^2) + eps/h
       gsl       gsl_deriv_central: an adaptive central difference --
                 a 5-point rule (Richardson extrapolation of the central
                 differences at h and h/2), its error estimated against
                 the 3-point rule, and the step chosen again from that
                 estimate
       complex   Im L(theta + i h) / h                  error O(h^2), and no
                 subtraction: no eps/h term at all (Squire & Trapp 1998)

2. The V-curve.  Shrinking $h$ trades truncation error for rounding error:
   forward is best near $h = ε^{1/2} ≈ 1.5 \cdot 10^{-8}$, central near
   $ε^{1/3} ≈ 6 \cdot 10^{-6}$, and the complex step keeps getting better
   and then stays at machine precision down to $h = 10^{-20}$.  The error
   models, with $L''$ and $L'''$ measured along the entry, predict both
   arms; from $h ≈ 10^{-17}$ down $θ + h = θ$ and the differences see
   nothing at all.
3. Per-tensor relative errors: every entry of every parameter, of the
   input and of the initial state $h_0$, for each method, against its
   tolerance.
4. The relative error $|a - n| / (|a| + |n|)$ misleads on tiny entries.
   Rounding errors are *absolute*: a numerical derivative's noise, and
   BPTT's own (chapter 1 §2: a saturated gate's σ′ computes to 0, 100 %
   wrong relative to itself and right to rounding against the gradients
   around it).  So on an entry near zero the ratio blows up although the
   backward pass has no bug.  The library divides by
   $\max(|a| + |n|, \mathrm{floor})$ with a floor tied to the tensor's
   largest entry: an entry's error is judged against its tensor's scale,
   the view chapter 1 takes.  And where that scale itself is tiny, even
   the floor is not enough.
5. A broken backward pass -- `dq = da_n` instead of `da_n * r`, the reset
   gate forgotten in one line -- is caught, and located.  An error of 1e-4
   in one entry is caught by central differences.  One of 1e-9 is not:
   at the default floor no tolerance could catch it in the default run.
   Central differences measure it at that entry (the tensor's largest)
   to within about 1e-11, but their error on other, correct entries is
   larger than the injected $5 \cdot 10^{-10}$ (the run prints both, at
   three seeds).  That noise is absolute (§3), so a larger floor shrinks
   it on the small entries: the run measures how far floor_rel = 0.9
   gets.  The complex step, with tolerance 1e-11, catches it.

The loss (`grl_gradcheck.h`):
$L = \sum(g ⊙ \mathrm{output}) + \frac12 \|h_T\|^2$, with a fixed random
$g$, so that both the outputs and the final state are checked.  Time runs
as in every chapter: $h_0$ is the initial state, $h_1 \dots h_T$ the
outputs.

### Run it

    chapters/ch05-gradient-checks [--seed N] [--outdir DIR] [--quick]

### Charts

- `ch05-v-curve`: error against step size $h$, log-log, for forward,
  central and complex-step differences, with their error models; the
  plateau where $θ + h = θ$.
- `ch05-per-tensor`: the worst relative error of each tensor, per method,
  side by side, with each method's tolerance.
- `ch05-floor`: per entry, central differences: the absolute error, the
  plain relative error and the floored one, against the size of the
  gradient entry; circled, the entries that fail even with the floor.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"
#include "grl_gcreport.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"v-curve", "per-tensor", "floor", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* central's best step in float: eps^(1/3) */
{
  *v = cbrt(FLT_EPSILON);
  return GRL_OK;
}

static int ex2_answer(double *v)   /* float's digits at its best step: -log10 eps^(2/3) */
{
  *v = -log10(pow(FLT_EPSILON, 2.0 / 3.0));
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"The central difference is best near h = ε^(1/3), where truncation (h²)\n"
   "and rounding (ε/h) balance: about 6e-6 in double precision.  A GPU\n"
   "computes in float, ε = FLT_EPSILON (<float.h>).  Where is the best\n"
   "step there?  One significant figure is enough.", ex1_answer, 0.03, 0},
  {"In float, at the best step of exercise 1, truncation and rounding are\n"
   "each about ε^(2/3) (relative), ε = FLT_EPSILON.  How many correct\n"
   "decimal digits, −log10 of that relative error, do you expect from the\n"
   "central difference there?  Give it to one decimal (in double the same\n"
   "formula gives 10.4).", ex2_answer, 0.01, 0},
  {"Break the backward of one gate and locate the bug.  In\n"
   "src/lib/cell_gru.c, in `gru_backward`, change the z gate's\n"
   "σ′ = s(1 − s), the line `daz = dz * grl_dsigmoid(z)`, to\n"
   "`daz = dz * z * (1.0 + z)`.  Run `make`, then\n"
   "`src/grulab gradcheck --cell gru`.  Which tensors fail, and which of\n"
   "their rows point at the z gate?  Then undo the change\n"
   "(`git checkout src/lib/cell_gru.c`) and run `make` again.", NULL, 0, 0},
  {"Why can the complex step use h = 1e-20 when the central difference\n"
   "cannot go below about 1e-6?  Rerun section 1's V-curve in your head:\n"
   "which of the two error terms does the complex step not have?",
   NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

/* Model answers for --solutions, in the exercises' order (NULL: none). */
static const char *const models[] = {
  NULL,
  NULL,
  "every tensor fails, weight_ih_l0, weight_hh_l0, both biases, the\n"
  "     input and h0 (relative errors near 1): the wrong da_z feeds dW_iz,\n"
  "     dW_hz, db_iz, db_hz directly, and dx and dh_prev through W_iz^T and\n"
  "     W_hz^T, which carry it to every earlier step.  The z gate is rows\n"
  "     H ... 2H-1 of the stacked r, z, n blocks; at the default size\n"
  "     (H = 4) the worst entries of weight_ih_l0, weight_hh_l0, bias_ih_l0\n"
  "     and bias_hh_l0 sit in rows 4 to 7.  (To locate it cleanly, check\n"
  "     --seq-len 1: then only what da_z feeds directly can be wrong.)",
  "the subtraction.  Forward and central differences subtract two nearly\n"
  "     equal losses, so the rounding of each, about eps |L|, is divided by\n"
  "     h: the eps |L| / h arm of the V, which forbids small h, and below\n"
  "     about 1e-17 theta + h rounds to theta and the step is lost.  The\n"
  "     complex step puts h in the imaginary part and reads Im L / h: no\n"
  "     difference of nearly equal numbers, no eps/h term, and nothing rounds\n"
  "     the step away.  Only truncation, h^2 |L'''| / 6, is left, and it\n"
  "     vanishes as h shrinks.",
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .models = models,
  .name = "ch05-gradient-checks",
  .title = "Gradient checks: four numerical derivatives against BPTT",
  .summary =
    "Chapter 5 checks every entry of the GRU's BPTT gradient against four\n"
    "numerical derivatives: forward and central differences, GSL's\n"
    "adaptive central difference and the complex step.  It draws the V-curve\n"
    "of error against step size (truncation against rounding; optima near\n"
    "eps^1/2 and eps^1/3; the complex step flat at machine precision), the\n"
    "worst relative error per tensor and method, and shows why the plain\n"
    "per-entry relative error misleads on tiny entries.  Then it breaks the\n"
    "backward pass on purpose and watches the check catch and locate it.",
  .charts = charts,
  .seed = 5,
};

/* The gradient-check problem: a GRU and its inputs, all from --seed. */
typedef struct {
  grl_model *m;
  grl_gradcheck_problem *p;
} setup;

static int setup_alloc(setup *S, const grl_cell *cell, size_t I, size_t H,
                       size_t T, size_t B, unsigned long seed)
{
  memset(S, 0, sizeof *S);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r)
    return grl_fail(GRL_ENOMEM, "ch05: out of memory");
  gsl_rng_set(r, seed);
  int rc = grl_model_alloc(&S->m, cell, I, H, 0);
  if (!rc)
    rc = grl_gradcheck_problem_alloc(&S->p, S->m, T, B, r);
  /* "high-entropy" parameters U(-0.9, 0.9): gates away from 1/2 */
  if (!rc)
    grl_gradcheck_randomize(S->m, r, 0.9);
  gsl_rng_free(r);
  return rc;
}

static void setup_free(setup *S)
{
  grl_gradcheck_problem_free(S->p);
  grl_model_free(S->m);
}

/*
## 1. The V-curve: truncation against rounding

For one entry (the largest gradient of `weight_ih_l0`), every method at
$h = 10^{-1}, 10^{-2}, \dots, 10^{-20}$, each against the analytic BPTT
value -- a truth none of the three computed.  That BPTT deserves the role
is checked first: the complex step at $h = 10^{-20}$ (no subtraction,
exact to rounding) must agree with it to about 1e-15.

::: equations
--------  -----------------------------------  -------------------------
forward:  error $≈ (h/2)|L''| + ε |L| / h$     smallest at $h ≈ ε^{1/2}$
central:  error $≈ (h^2/6)|L'''| + ε |L| / h$  smallest at $ε^{1/3}$
complex:  error $≈ (h^2/6)|L'''|$              nothing to round away
--------  -----------------------------------  -------------------------
:::
*/

/* dL/dtheta_k by BPTT with theta_k set to v (the other entries as in m):
 * the derivatives of L along theta_k that the error models need come from
 * differences of BPTT's own gradient. */
static int bptt_entry(const setup *S, size_t k, double v, double *d)
{
  const grl_model *m = S->m;
  const grl_gradcheck_problem *p = S->p;
  const size_t BH = p->B * m->hidden_size;
  grl_seq *s = NULL;
  double *th = malloc(m->n * sizeof *th);       /* (n) theta, entry k moved */
  double *dth = calloc(m->n, sizeof *dth);      /* (n) dL/dtheta            */
  double *dhT = malloc(BH * sizeof *dhT);       /* (B, H) dL/dh_T = h_T     */
  int rc = th && dth && dhT ? grl_seq_alloc(&s, m, p->T, p->B)
                            : grl_fail(GRL_ENOMEM, "out of memory");
  if (!rc) {
    memcpy(th, m->theta, m->n * sizeof *th);
    th[k] = v;
    rc = grl_seq_forward(s, th, p->x, p->h0, p->c0);
  }
  if (!rc) {
    gsl_matrix_view hT = grl_seq_hT(s);
    memcpy(dhT, hT.matrix.data, BH * sizeof *dhT);
    rc = grl_seq_backward(s, th, p->x, p->g, dhT, NULL, dth, NULL, NULL, NULL);
  }
  if (!rc)
    *d = dth[k];
  grl_seq_free(s);
  free(th);
  free(dth);
  free(dhT);
  return rc;
}

static void v_curve(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "The V-curve: truncation against rounding");
  grl_gradcheck_sweep_result res;
  int rc = grl_gradcheck_sweep(&res, S->m, S->p, NULL, (size_t)-1);
  if (rc) {
    grl_lesson_error(L, rc, "grl_gradcheck_sweep");
    return;
  }
  grl_lesson_say(L, "entry %zu of %s (its largest gradient), theta = %.6f",
                 res.at, res.tensor, res.theta);
  /* the complex step at its smallest h, an independent witness for BPTT */
  const double cs20 = res.complex_step[GRL_GRADCHECK_SWEEP_N - 1];
  grl_lesson_versus(L, "dL/dtheta by BPTT", res.analytic, "complex, h=1e-20", cs20);
  grl_lesson_say(L, "(A line 'label = a  name b  diff d' sets two values of one quantity\n"
                 "side by side; diff is their signed absolute difference, d = a - b.)");
  grl_lesson_check(L, "BPTT vs complex step, relative",
                   fabs(res.analytic - cs20) / fabs(res.analytic), 1e-13);
  grl_lesson_say(L, "So BPTT's value is the reference: every curve below is\n"
                 "|estimate - BPTT| / |BPTT|, none measured against itself.");

  /* The best step of each method, on the decade grid. */
  int kf = 0, kc = 0;
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++) {
    if (res.err_forward[k] < res.err_forward[kf]) kf = k;
    if (res.err_central[k] < res.err_central[kc]) kc = k;
  }
  double flat = 0.0;   /* the complex step's worst error for h <= 1e-8 */
  for (int k = 7; k < GRL_GRADCHECK_SWEEP_N; k++)
    flat = fmax(flat, res.err_complex_step[k]);

  /* The error models, for the step s = h max(1, |theta|) really taken:
   *   forward  s |L''| / 2    + eps |L| / s
   *   central  s^2 |L'''| / 6 + eps |L| / s
   *   complex  s^2 |L'''| / 6             (no subtraction, no eps/s)
   * each divided by |L'| to compare with the relative errors.  L is the
   * loss; L'' and L''' come from BPTT run at theta_k +- d. */
  const grl_param *P = grl_model_param(S->m, res.tensor);
  const size_t k_theta = P->offset + res.at;
  const double sc = fmax(1.0, fabs(res.theta)), d = 1e-3 * sc;
  double g_plus = 0.0, g_minus = 0.0, L0 = 0.0;
  rc = bptt_entry(S, k_theta, res.theta + d, &g_plus);
  if (!rc)
    rc = bptt_entry(S, k_theta, res.theta - d, &g_minus);
  grl_seq *s = NULL;
  if (!rc)
    rc = grl_seq_alloc(&s, S->m, S->p->T, S->p->B);
  if (!rc)
    rc = grl_seq_forward(s, NULL, S->p->x, S->p->h0, S->p->c0);
  if (!rc)
    L0 = grl_gradcheck_loss(s, S->p->g);
  grl_seq_free(s);
  if (rc) {
    grl_lesson_error(L, rc, "the error models' derivatives");
    return;
  }
  const double L1 = res.analytic;
  const double L2 = (g_plus - g_minus) / (2.0 * d);
  const double L3 = (g_plus - 2.0 * L1 + g_minus) / (d * d);
  grl_lesson_say(L, "\nThe error models need L and L's next two derivatives along theta_k,\n"
                 "here from BPTT itself, run again at theta_k +- d, d = %.0e:", d);
  grl_lesson_value(L, "L", L0);
  grl_lesson_value(L, "L'' = (L'(+d) - L'(-d)) / 2d", L2);
  grl_lesson_value(L, "L''' = (L'(+d) - 2L' + L'(-d)) / d^2", L3);
  /* Each model is smallest where its two terms balance:
   *   forward  s* = sqrt(2 eps |L| / |L''|)
   *   central  s* = cbrt(3 eps |L| / |L'''|)                              */
  const double eps = DBL_EPSILON;
  const double hf = sqrt(2.0 * eps * fabs(L0) / fabs(L2)) / sc;
  const double hc = cbrt(3.0 * eps * fabs(L0) / fabs(L3)) / sc;
  grl_lesson_say(L, "forward: best h on the decade grid %.0e, error %.2e; the model's\n"
                 "  best h = sqrt(2 eps |L| / |L''|) = %.2e (eps^1/2 = %.2e)",
                 res.h[kf], res.err_forward[kf], hf, sqrt(eps));
  grl_lesson_say(L, "central: best h on the decade grid %.0e, error %.2e; the model's\n"
                 "  best h = cbrt(3 eps |L| / |L'''|) = %.2e (eps^1/3 = %.2e)",
                 res.h[kc], res.err_central[kc], hc, cbrt(eps));
  /* A grid point can be the best by luck: rounding error is not a fixed
   * amount, and at one h it can fall far below its model. */
  for (int m = 0; m < 2; m++) {
    const int k = m ? kc : kf;
    const double hm = m ? hc : hf, st = res.h[k] * sc;
    if (fabs(log10(res.h[k] / hm)) <= 0.5)
      continue;
    const double model = m ? (st * st * fabs(L3) / 6 + eps * fabs(L0) / st) / fabs(L1)
                           : (st * fabs(L2) / 2 + eps * fabs(L0) / st) / fabs(L1);
    const double err = m ? res.err_central[k] : res.err_forward[k];
    grl_lesson_say(L, "(%s's best grid point, h = %.0e, is not the one nearest the model's\n"
                   "optimum: there its error came out %.2g times %s the model, %.2e.\n"
                   "Rounding error is not a fixed amount; the arms of the V are what\n"
                   "the model predicts, not one point.)", m ? "Central" : "Forward",
                   res.h[k], err < model ? model / err : err / model,
                   err < model ? "below" : "above", model);
  }
  grl_lesson_expect(L, res.err_forward[1] > 100 * res.err_forward[kf]
                    && res.err_forward[12] > 100 * res.err_forward[kf],
                    "forward: a V, 100x worse at h = 1e-2 and 1e-13");
  grl_lesson_expect(L, res.err_central[1] > 100 * res.err_central[kc]
                    && res.err_central[12] > 100 * res.err_central[kc],
                    "central: a V, 100x worse at h = 1e-2 and 1e-13");
  grl_lesson_value(L, "complex: worst error against BPTT, h <= 1e-8", flat);
  grl_lesson_check(L, "complex step flat at machine precision", flat, 1e-14);
  grl_lesson_expect(L, res.err_central[kc] < res.err_forward[kf],
                    "central's best beats forward's best");
  grl_lesson_takeaway(L, "v-curve",
    "Forward differences are best at $h$ = %.0e (error %.1e), central ones at"
    " %.0e (error %.1e); the complex step stays within %.1e of BPTT for every"
    " $h ≤ 10^{-8}$.", res.h[kf], res.err_forward[kf], res.h[kc],
    res.err_central[kc], flat);

  /* The plateau: a step below half an ulp of theta is lost, theta + s ==
   * theta, and both differences return 0: error exactly 1. */
  double h_lost = 0.0;
  int plateau = 1;
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++) {
    const double st = res.h[k] * sc;
    if (res.theta + st == res.theta && res.theta - st == res.theta) {
      if (h_lost == 0.0)
        h_lost = res.h[k];
      plateau &= res.err_forward[k] == 1.0 && res.err_central[k] == 1.0;
    }
  }
  if (h_lost > 0.0 && grl_lesson_expect(L, plateau, "forward and central: error exactly 1 "
                                         "wherever the step is lost"))
    grl_lesson_say(L, "From h = %.0e down, theta + h == theta in double: the step is\n"
                   "lost, both differences return 0, and their error is exactly 1 (the\n"
                   "plateau on the left of the chart).  The complex step keeps h in the\n"
                   "imaginary part, where nothing rounds it away.", h_lost);

  /* Errors of exactly 0 -- bitwise agreement with BPTT -- have no place
   * on a log axis: they are drawn at 1e-17, and the chart says so. */
  int exact = 0;
  double exact_h = 0.0;   /* the h of the first exact zero, for the note */
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++) {
    int z = (res.err_forward[k] == 0.0) + (res.err_central[k] == 0.0)
            + (res.err_complex_step[k] == 0.0);
    if (z && exact_h == 0.0)
      exact_h = res.h[k];
    exact += z;
  }

  grl_chart *ch = grl_lesson_chart(L, "v-curve",
                                   "Error against step size: truncation meets rounding");
  grl_chart_param(ch, "tensor", "%s", res.tensor);
  grl_chart_param(ch, "entry", "%zu", res.at);
  grl_chart_param(ch, "theta", "%.17g", res.theta);
  grl_chart_param(ch, "reference", "analytic (BPTT): %.17g", res.reference);
  grl_chart_param(ch, "complex_h1e-20", "%.17g", cs20);
  grl_chart_param(ch, "L", "%.17g", L0);
  grl_chart_param(ch, "L2", "%.17g (BPTT at theta +- %g)", L2, d);
  grl_chart_param(ch, "L3", "%.17g (BPTT at theta +- %g)", L3, d);
  if (exact)
    grl_chart_param(ch, "floor", "errors of exactly 0 (bitwise equal to BPTT) "
                    "are drawn at 1e-17");
  grl_chart_columns(ch, "h err_forward err_central err_complex");
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++)
    grl_chart_row(ch, 4, (double[]){res.h[k], fmax(res.err_forward[k], 1e-17),
                                    fmax(res.err_central[k], 1e-17),
                                    fmax(res.err_complex_step[k], 1e-17)});
  grl_chart_set(ch, "eps", "%.17g", eps);
  grl_chart_set(ch, "scale", "%.17g", sc);
  grl_chart_set(ch, "L0", "%.17g", L0);
  grl_chart_set(ch, "L1", "%.17g", L1);
  grl_chart_set(ch, "L2", "%.17g", L2);
  grl_chart_set(ch, "L3", "%.17g", L3);
  grl_chart_set(ch, "h_lost", "%g", h_lost);
  grl_chart_set(ch, "exact", "%d", exact > 0);
  grl_chart_set(ch, "exact_h", "%g", exact_h);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
}

/*
## 2. Every entry of every tensor, four methods

`grl_gradcheck_run` perturbs each entry of each tensor in turn (in
parallel), and reports per tensor the worst relative error, where it is,
and the two values there.
*/

static void per_tensor(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "Every entry of every tensor, four methods");
  grl_gradcheck_report *rep[GRL_GC_NMETHOD] = {NULL};
  for (int k = 0; k < GRL_GC_NMETHOD; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, k);
    int rc = grl_gradcheck_run(&rep[k], S->m, S->p, &o);
    if (rc != GRL_OK && rc != GRL_EFAIL) {
      grl_lesson_error(L, rc, "grl_gradcheck_run");
      goto done;
    }
    char label[64];
    snprintf(label, sizeof label, "%s: worst of %zu entries",
             grl_gradcheck_method_name(k), rep[k]->checked);
    grl_lesson_check(L, label, rep[k]->worst, rep[k]->tolerance);
  }
  grl_lesson_say(L, "\nThe library's own report, for central differences:");
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep[GRL_GC_CENTRAL]);
  const grl_gradcheck_report *rc_ = rep[GRL_GC_CENTRAL];
  grl_lesson_say(L,
    "worst_rel is the largest relative error over the tensor's entries, at\n"
    "index [row,col], counted from 0 as in the tensor file; for the input,\n"
    "x_t[b,i] is input x_t (t = 1 ... T, the input that makes h_t) of sequence\n"
    "b, feature i, b and i counted from 0.  The last line counts the work in\n"
    "full-batch forward passes: a parameter entry re-runs all %zu steps of all\n"
    "%zu sequences, twice (theta + h and theta - h); an entry of x_t re-runs\n"
    "only its own sequence, and only steps t ... T, twice: each time the\n"
    "fraction (T - t + 1)/(T B) of a pass (an entry of h0: 1/B); BPTT's own\n"
    "forward pass counts 1.  Hence %.1f passes for %zu entries: a sum of\n"
    "fractions.",
    rc_->T, rc_->B, rc_->passes, rc_->checked);

  /* Each method's worst per tensor, on a log axis (exact zeros at 1e-17). */
  double lo = INFINITY, hi = 0.0;
  int order = 1;   /* complex < central, gsl < forward on every tensor */
  for (size_t i = 0; i < rep[0]->nrow; i++) {
    for (int k = 0; k < GRL_GC_NMETHOD; k++) {
      lo = fmin(lo, fmax(rep[k]->row[i].worst, 1e-17));
      hi = fmax(hi, rep[k]->row[i].worst);
    }
    const double f = rep[GRL_GC_FORWARD]->row[i].worst;
    const double c = rep[GRL_GC_CENTRAL]->row[i].worst;
    const double g = rep[GRL_GC_GSL]->row[i].worst;
    const double x = rep[GRL_GC_COMPLEX]->row[i].worst;
    order &= x < c && x < g && c < f && g < f;
  }
  hi = fmax(hi, rep[GRL_GC_FORWARD]->tolerance);
  grl_chart *ch = grl_lesson_chart(L, "per-tensor",
                                   "Worst relative error per tensor, per method");
  /* T, B, I, H are the lesson's, recorded already */
  grl_chart_param(ch, "floor_rel", "%g", rep[0]->floor_rel);
  grl_chart_comment(ch, "row k is tensor k:");
  for (size_t i = 0; i < rep[0]->nrow; i++)
    grl_chart_comment(ch, "  %zu %s", i, rep[0]->row[i].name);
  grl_chart_columns(ch, "tensor forward central gsl complex");
  for (size_t i = 0; i < rep[0]->nrow; i++) {
    double row[1 + GRL_GC_NMETHOD] = {(double)i};
    for (int k = 0; k < GRL_GC_NMETHOD; k++)
      row[1 + k] = fmax(rep[k]->row[i].worst, 1e-17);
    grl_chart_row(ch, 1 + GRL_GC_NMETHOD, row);
  }
  char names[GRL_MAX_PARAMS * GRL_NAME_MAX + 64] = "";
  for (size_t i = 0, n = 0; i < rep[0]->nrow && n < sizeof names; i++)
    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? " " : "",
                          rep[0]->row[i].name);
  grl_chart_set_text(ch, "names", "%s", names);
  grl_chart_set(ch, "ymin", "1e%d", (int)floor(log10(lo)) - 1);
  grl_chart_set(ch, "ymax", "1e%d", (int)ceil(log10(hi)) + 3);
  grl_chart_set(ch, "tol_forward", "%g", rep[GRL_GC_FORWARD]->tolerance);
  grl_chart_set(ch, "tol_central", "%g", rep[GRL_GC_CENTRAL]->tolerance);
  grl_chart_set(ch, "tol_complex", "%g", rep[GRL_GC_COMPLEX]->tolerance);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_say(L,
    "The dashed lines are the default tolerances (gsl's equals central's).");
  grl_lesson_expect(L, order, "on every tensor, the V-curve's order: complex below "
                    "central and gsl, both below forward");
  /* The same check at two more seeds: does the order hold there too? */
  enum { NSEED = 3 };
  double worst[NSEED][GRL_GC_NMETHOD];
  int order_s[NSEED] = {order}, norder = order;
  for (int k = 0; k < GRL_GC_NMETHOD; k++)
    worst[0][k] = rep[k]->worst;
  for (size_t q = 1; q < NSEED; q++) {
    setup S2;
    int rc = setup_alloc(&S2, &grl_cell_gru, S->m->input_size,
                         S->m->hidden_size, S->p->T, S->p->B, L->seed + q);
    grl_gradcheck_report *r2[GRL_GC_NMETHOD] = {NULL};
    for (int k = 0; !rc && k < GRL_GC_NMETHOD; k++) {
      grl_gradcheck_opts o;
      grl_gradcheck_opts_init(&o, k);
      rc = grl_gradcheck_run(&r2[k], S2.m, S2.p, &o);
      if (rc == GRL_EFAIL)
        rc = GRL_OK;
    }
    if (!rc) {
      order_s[q] = 1;
      for (size_t i = 0; i < r2[0]->nrow; i++) {
        const double f = r2[GRL_GC_FORWARD]->row[i].worst;
        const double c = r2[GRL_GC_CENTRAL]->row[i].worst;
        const double g = r2[GRL_GC_GSL]->row[i].worst;
        const double x = r2[GRL_GC_COMPLEX]->row[i].worst;
        order_s[q] &= x < c && x < g && c < f && g < f;
      }
      for (int k = 0; k < GRL_GC_NMETHOD; k++)
        worst[q][k] = r2[k]->worst;
      norder += order_s[q];
    }
    for (int k = 0; k < GRL_GC_NMETHOD; k++)
      grl_gradcheck_report_free(r2[k]);
    setup_free(&S2);
    if (rc) {
      grl_lesson_error(L, rc, "grl_gradcheck_run, another seed");
      goto done;
    }
  }
  grl_lesson_say(L, "\nThe same check at three seeds: the worst relative error over all\n"
                 "tensors, per method, and whether the order holds on every tensor:\n"
                 "  seed    forward    central        gsl    complex   order");
  for (size_t q = 0; q < NSEED; q++)
    grl_lesson_say(L, "  %4lu  %9.2e  %9.2e  %9.2e  %9.2e   %s", L->seed + q,
                   worst[q][GRL_GC_FORWARD], worst[q][GRL_GC_CENTRAL],
                   worst[q][GRL_GC_GSL], worst[q][GRL_GC_COMPLEX],
                   order_s[q] ? "yes" : "no");
  grl_lesson_takeaway(L, "per-tensor",
    "The worst relative error over all tensors is %.1e by forward, %.1e by"
    " central, %.1e by gsl and %.1e by complex-step differences; complex"
    " below central and gsl, both below forward, holds on every tensor at %d"
    " of 3 seeds.",
    rep[GRL_GC_FORWARD]->worst, rep[GRL_GC_CENTRAL]->worst,
    rep[GRL_GC_GSL]->worst, rep[GRL_GC_COMPLEX]->worst, norder);
done:
  for (int k = 0; k < GRL_GC_NMETHOD; k++)
    grl_gradcheck_report_free(rep[k]);
}

/*
## 3. Why the plain relative error misleads on tiny entries

Rounding noise in a difference quotient is about $ε |L| / h$: the same
*absolute* size for every entry.  Divided by $|a| + |n|$, it grows without
bound as the entry shrinks: an entry of 1e-9 carrying an absolute error of
1e-11, about what this section's run measures on its smallest entries,
shows a relative error of
$10^{-11}/(2 \cdot 10^{-9}) = 5 \cdot 10^{-3}$, far above the tolerance
$10^{-6}$, although the backward pass is right.  The library's floor fixes
the denominator at no less than $\mathrm{floor_{rel}} \cdot S$, $S$ the
tensor's largest gradient:

$$\mathrm{rel} = |a - n| / \max(|a| + |n|, \mathrm{floor_{rel}} \cdot S)$$

Below, one central run with a fixed tiny floor ($\mathrm{floor_{rel}} = 0$)
keeps every entry's $a$ and $n$; both formulas are evaluated on them.
*/

static void floor_lesson(grl_lesson *L, size_t I, size_t H, size_t T,
                         size_t B)
{
  grl_lesson_section(L, "Why the plain relative error misleads on tiny entries");
  /* Tiny entries on purpose: keep only the last step's weights in g, so
   * the loss sits at the end and the gradients of early inputs fade
   * geometrically (chapter 4).  Another problem: the run's seed + 1. */
  setup F;
  grl_gradcheck_report *rep = NULL;
  int rc = setup_alloc(&F, &grl_cell_gru, I, H, T, B, L->seed + 1);
  if (rc) {
    grl_lesson_error(L, rc, "setting up");
    setup_free(&F);
    return;
  }
  /* output rows t*B+b hold h_{t+1}: zero g for h_1 ... h_{T-1} */
  memset(F.p->g, 0, (T - 1) * B * H * sizeof *F.p->g);
  grl_lesson_say(L, "T = %zu; L = g_T . h_T + 1/2 ||h_T||^2: a loss at the last output only\n"
                 "(h_0 is the initial state, h_1 ... h_T the outputs).", T);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.floor_rel = 0.0;   /* the plain formula: the floor only guards 0/0 */
  rc = grl_gradcheck_run(&rep, F.m, F.p, &o);
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run");
    setup_free(&F);
    return;
  }
  double tol = rep->tolerance;
  size_t fail_plain = 0, fail_floor = 0;
  double plain_worst = 0.0;   /* the largest plain relative error seen */
  double amin = INFINITY, amax = 0.0, abs_worst = 0.0, ymin = INFINITY;
  /* the largest |a - n| on the smallest and on the largest entries */
  double abs_small = 0.0, abs_large = 0.0;
  char still[256] = "";      /* tensors with entries that fail floored */
  size_t nstill = 0;
  /* the first tensor that fails floored: its largest |a - n|, the most
   * noise the floor lets pass (tol * floor_rel * S), and how many of its
   * entries stand more than 100x above their own error */
  const grl_gradcheck_row *bad = NULL;
  double bad_noise = 0.0, bad_allow = 0.0;
  size_t bad_clear = 0, bad_n = 0;
  double h0_noise = NAN;
  int all_below = 1;         /* every tensor: largest |a - n| <= tol floor_rel S */
  for (size_t i = 0; i < rep->nrow; i++)
    for (size_t k = 0; k < rep->row[i].checked; k++)
      if (rep->row[i].a[k] != 0.0) {
        amin = fmin(amin, fabs(rep->row[i].a[k]));
        amax = fmax(amax, fabs(rep->row[i].a[k]));
      }
  /* this section's own problem: longer, another seed, a loss at the
   * last output only, so the chart records its own parameters */
  grl_chart *ch = grl_lesson_chart_own(L, "floor",
                                       "Central differences, entry by entry: absolute noise, relative blow-up");
  grl_chart_param(ch, "cell", "%s", grl_cell_name(F.m->cell));
  grl_chart_param(ch, "T", "%zu", T);
  grl_chart_param(ch, "B", "%zu", B);
  grl_chart_param(ch, "I", "%zu", I);
  grl_chart_param(ch, "H", "%zu", H);
  grl_chart_param(ch, "init", "U(-0.9, 0.9)");
  grl_chart_param(ch, "problem_seed", "%lu (the run's seed + 1)", L->seed + 1);
  grl_chart_param(ch, "loss", "g_T . h_T + 1/2 ||h_T||^2 (last output only)");
  grl_chart_param(ch, "floor_rel", "%g", GRL_GRADCHECK_FLOOR_REL);
  grl_chart_param(ch, "tolerance", "%g", tol);
  grl_chart_comment(ch, "one line per checked entry with a != 0 and a != n;");
  grl_chart_comment(ch, "tensor k is row k of the check:");
  for (size_t i = 0; i < rep->nrow; i++)
    grl_chart_comment(ch, "  %zu %s", i, rep->row[i].name);
  grl_chart_comment(ch, "fails_floored: 1 if rel_floored > tolerance");
  grl_chart_columns(ch, "abs_analytic abs_error rel_plain rel_floored tensor fails_floored");
  grl_lesson_say(L, "\n  %-14s %12s %14s %14s", "tensor", "S",
                 "plain > tol", "floored > tol");
  for (size_t i = 0; i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    double floor = GRL_GRADCHECK_FLOOR_REL * w->scale;
    size_t fp = 0, ff = 0, clear = 0;
    double noise = 0.0;
    for (size_t k = 0; k < w->checked; k++) {
      double a = w->a[k], num = w->n[k], e = fabs(a - num);
      noise = fmax(noise, e);
      clear += fabs(a) > 100.0 * e;
      /* plain: |a-n| / (|a|+|n|);  floored: |a-n| / max(|a|+|n|, floor) */
      double plain = (fabs(a) + fabs(num)) > 0 ? e / (fabs(a) + fabs(num)) : 0.0;
      double floored = e > 0 ? e / fmax(fabs(a) + fabs(num), floor) : 0.0;
      fp += plain > tol;
      ff += floored > tol;
      plain_worst = fmax(plain_worst, plain);
      if (a == 0.0 || e == 0.0)
        continue;
      abs_worst = fmax(abs_worst, e);
      if (fabs(a) < 1e3 * amin)
        abs_small = fmax(abs_small, e);
      if (fabs(a) > 1e-3 * amax)
        abs_large = fmax(abs_large, e);
      ymin = fmin(ymin, fmin(e, floored));
      grl_chart_row(ch, 6, (double[]){fabs(a), e, plain, floored, (double)i,
                                      floored > tol});
    }
    grl_lesson_say(L, "  %-14s %12.3g %14zu %14zu", w->name, w->scale, fp, ff);
    if (!strcmp(w->name, "h0"))
      h0_noise = noise;
    all_below &= noise <= tol * floor;
    if (ff && !bad) {
      bad = w;
      bad_noise = noise;
      bad_allow = tol * floor;
      bad_clear = clear;
      bad_n = w->checked;
    }
    if (ff && nstill < 4) {
      size_t n = strlen(still);
      snprintf(still + n, sizeof still - n, "%s%s", nstill ? ", " : "", w->name);
      nstill++;
    }
    fail_plain += fp;
    fail_floor += ff;
  }
  grl_lesson_say(L, "(S: the tensor's largest |a| or |n|; the counts: its correct entries\n"
                 "that each formula puts above the tolerance %g.)", tol);
  grl_lesson_value(L, "smallest |dL/dtheta|", amin);
  grl_lesson_value(L, "largest |dL/dtheta|", amax);
  grl_lesson_value(L, "largest |a - n|, entries |a| < 1e3 x smallest", abs_small);
  grl_lesson_value(L, "largest |a - n|, entries |a| > 1e-3 x largest", abs_large);
  /* Whether a correct entry crosses the tolerance depends on this run's
   * rounding noise: say what the run showed, and claim nothing it did not. */
  if (fail_plain > fail_floor) {
    grl_lesson_expect(L, 1, "the plain formula fails more correct entries");
    grl_lesson_say(L,
      "|a| spans %.0f decades, the largest absolute error on the smallest and on\n"
      "the largest entries differ by a factor %.1f: rounding noise does not care\n"
      "how big the entry is.  The plain relative error therefore rises like 1/|a|\n"
      "as the entries shrink, and crosses the tolerance although nothing is\n"
      "wrong.  The floor stops the rise at floor_rel * S.", log10(amax / amin),
      fmax(abs_small, abs_large) / fmin(abs_small, abs_large));
  } else {
    grl_lesson_skip(L, "the plain formula fails more correct entries",
                    "not in this run");
    grl_lesson_say(L,
      "|a| spans %.0f decades, the largest absolute error on the smallest and on\n"
      "the largest entries differ by a factor %.1f: rounding noise does not care\n"
      "how big the entry is, so the plain relative error rises like 1/|a| as the\n"
      "entries shrink.  In this run it stayed below the tolerance on every\n"
      "correct entry (its largest: %.2g against %g): the entries are not small\n"
      "enough, or the noise not large enough, to show the failure.  Another\n"
      "--seed, or the default size, may show it.  The floor would stop the rise at\n"
      "floor_rel * S.", log10(amax / amin),
      fmax(abs_small, abs_large) / fmin(abs_small, abs_large), plain_worst, tol);
  }
  const grl_gradcheck_row *h0 = NULL;
  for (size_t i = 0; i < rep->nrow; i++)
    if (!strcmp(rep->row[i].name, "h0"))
      h0 = &rep->row[i];
  /* floored = |a - n| / max(|a| + |n|, floor_rel S) <= |a - n| / (floor_rel S):
   * an entry can fail floored only if |a - n| > tol * floor_rel * S. */
  grl_lesson_say(L,
    "The floored error is at most |a - n| / (floor_rel * S), so a tensor passes\n"
    "whenever its absolute noise stays below tol * floor_rel * S.");
  if (h0)
    grl_lesson_say(L, "  h0: S = %.2g, tol * floor_rel * S = %.2g, largest |a - n| = %.2g",
                   h0->scale, tol * GRL_GRADCHECK_FLOOR_REL * h0->scale, h0_noise);
  if (bad) {
    if (bad != h0) {
      char label[96];
      snprintf(label, sizeof label, "%s: largest |a - n|", bad->name);
      grl_lesson_value(L, label, bad_noise);
      snprintf(label, sizeof label, "%s: tol * floor_rel * S", bad->name);
      grl_lesson_value(L, label, bad_allow);
    }
    grl_lesson_say(L,
      "The floor cannot help %s (the loss is %zu steps after h_0): its entries are\n"
      "not below the noise (%zu of its %zu are more than 100 times their own\n"
      "error), but the noise is ABSOLUTE, set by the loss's rounding, and\n"
      "%.2g is above tol * floor_rel * S = %.2g: S is so small that the floor\n"
      "still divides by too little.  There only a more accurate derivative\n"
      "helps: the complex step.", bad->name, T, bad_clear, bad_n, bad_noise,
      bad_allow);
    grl_lesson_expect(L, bad_noise > bad_allow,
                      "a tensor that fails floored has |a - n| > tol * floor_rel * S");
  } else {
    grl_lesson_say(L,
      "Here every entry passes with the floor%s.  This run shows no tensor\n"
      "where the floor is not enough.", all_below
      ? ": on every tensor the absolute\nnoise stays below tol * floor_rel * S" : "");
  }
  grl_gradcheck_report *rc_rep = NULL;
  grl_gradcheck_opts_init(&o, GRL_GC_COMPLEX);
  rc = grl_gradcheck_run(&rc_rep, F.m, F.p, &o);
  if (rc != GRL_OK && rc != GRL_EFAIL)
    grl_lesson_error(L, rc, "grl_gradcheck_run, complex");
  else
    grl_lesson_check(L, "complex step, every entry, floored", rc_rep->worst,
                     rc_rep->tolerance);
  grl_gradcheck_report_free(rc_rep);
  grl_lesson_takeaway(L, "floor",
    "The entries span %.0f decades but their absolute error stays below %.1e:"
    " the plain relative error puts %zu correct entries above the tolerance,"
    " the floored one %zu.", log10(amax / amin), abs_worst, fail_plain,
    fail_floor);
  grl_chart_set(ch, "tol", "%g", tol);
  grl_chart_set(ch, "floor_rel", "%g", GRL_GRADCHECK_FLOOR_REL);
  grl_chart_set(ch, "ymin", "1e%d", (int)floor(log10(ymin)) - 1);
  grl_chart_set(ch, "nfail", "%zu", fail_floor);
  grl_chart_set_text(ch, "fail_names", "%s", still);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_gradcheck_report_free(rep);
  setup_free(&F);
}

/*
## 4. Exact zeros are not failures: the seed cell's o gate

The article's unused output gate.
*/

static void exact_zeros(grl_lesson *L, unsigned long seed)
{
  grl_lesson_section(L, "Exact zeros are not failures: the seed cell's o gate");
  setup S;
  grl_gradcheck_report *rep = NULL;
  int rc = setup_alloc(&S, &grl_cell_seed, 3, 4, 6, 2, seed);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  if (!rc)
    rc = grl_gradcheck_run(&rep, S.m, S.p, &o);
  if (rc != GRL_OK) {
    grl_lesson_error(L, rc, "grl_gradcheck_run, seed cell");
  } else {
    fflush(stdout);
    grl_gradcheck_report_write(stdout, rep);
    int zero_o = 0;
    for (size_t i = 0; i < rep->nrow; i++)
      if (!strcmp(rep->row[i].name, "weight_o") || !strcmp(rep->row[i].name, "bias_o"))
        zero_o += rep->row[i].all_zero;
    grl_lesson_expect(L, zero_o == 2, "weight_o, bias_o: exactly zero on both sides");
  }
  grl_gradcheck_report_free(rep);
  setup_free(&S);
}

/*
## 5. A broken backward pass, caught and located

The mistake: in the GRU's backward step, forward was

$$a_n = W_{in} x + b_{in} + r ⊙ q, \qquad q = W_{hn} h + b_{hn}$$

so `dq = da_n * r`.  Forget the $r$ and write `dq = da_n`.  The broken
cell below runs the library's correct step and then adds what the mistake
adds, `da_n * (1 - r)`, to every gradient that `dq` feeds:

    dW_hn += extra h^T,  db_hn += extra,  dh_prev += W_hn^T extra

The shipping cell is untouched: the checker accepts any `grl_cell`.
*/

static grl_cell broken_gru;   /* grl_cell_gru with broken_backward */

static void broken_backward(grl_step_grad *d, const grl_step *s,
                            const grl_const_views *p)
{
  grl_cell_gru.backward(d, s, p);
  size_t B = d->dh->size1, H = d->dh->size2;
  /* cache block 0 is r; dxp block 2 is da_n (the n gate's pre-activation);
   * dhp block 2 is dq, from which the driver makes dW_hn and db_hn */
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double r = gsl_matrix_get(s->cache, b, j);
      double extra = gsl_matrix_get(d->dxp, b, 2 * H + j) * (1.0 - r);
      double *dq = gsl_matrix_ptr(d->dhp, b, 2 * H + j);
      *dq += extra;
      for (size_t k = 0; k < H; k++) {
        double *dhp = gsl_matrix_ptr(d->dh_prev, b, k);
        *dhp += gsl_matrix_get(&p->Wh.matrix, 2 * H + j, k) * extra;
      }
    }
}

/* The test hook: scale the largest entry of weight_hh_l0 by 1 + delta. */
typedef struct {
  double delta;
  size_t at;    /* the entry scaled */
} tamper_arg;

static void tamper(const char *tensor, double *grad, size_t size, void *arg)
{
  tamper_arg *t = arg;
  if (strcmp(tensor, "weight_hh_l0") != 0)
    return;
  t->at = 0;
  for (size_t k = 1; k < size; k++)
    if (fabs(grad[k]) > fabs(grad[t->at]))
      t->at = k;
  grad[t->at] *= 1.0 + t->delta;
}

/* One tampered check: `method` at tolerance `tol` (0: its default) and
 * floor `floor_rel` (0: the default) with
 * the largest entry of dL/dweight_hh_l0 scaled by 1 + delta.  Gives the
 * error the check sees there, the worst error on every other entry,
 * whether the check failed, and whether its worst entry is the scaled
 * one; the report goes to *rep (the caller frees it). */
static int tamper_trial(const setup *S, int method, double delta, double tol,
                        double floor_rel, double *seen, double *other,
                        int *caught, int *located, grl_gradcheck_report **rep)
{
  tamper_arg arg = {delta, 0};
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, method);
  o.tolerance = tol;
  if (floor_rel > 0.0)
    o.floor_rel = floor_rel;
  o.tamper = tamper;
  o.tamper_arg = &arg;
  *rep = NULL;
  int rc = grl_gradcheck_run(rep, S->m, S->p, &o);
  if (rc != GRL_OK && rc != GRL_EFAIL)
    return rc;
  *caught = rc == GRL_EFAIL;
  *located = 0;
  *seen = NAN;
  *other = 0.0;
  for (size_t i = 0; i < (*rep)->nrow; i++) {
    const grl_gradcheck_row *r = &(*rep)->row[i];
    int scaled = !strcmp(r->name, "weight_hh_l0");
    if (scaled)
      *located = r->worst_at == arg.at;
    for (size_t k = 0; k < r->checked; k++) {
      if (scaled && r->at[k] == arg.at)
        *seen = r->rel[k];   /* the error the check sees there */
      else
        *other = fmax(*other, r->rel[k]);
    }
  }
  return GRL_OK;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void broken(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "A broken backward pass, caught and located");
  size_t H = S->m->hidden_size, I = S->m->input_size;
  broken_gru = grl_cell_gru;
  broken_gru.name = "gru-broken";
  broken_gru.backward = broken_backward;
  grl_model *mb = NULL;
  grl_gradcheck_report *rep = NULL;
  int rc = grl_model_alloc(&mb, &broken_gru, I, H, 0);
  if (rc) {
    grl_lesson_error(L, rc, "grl_model_alloc");
    return;
  }
  memcpy(mb->theta, S->m->theta, S->m->n * sizeof *mb->theta);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  rc = grl_gradcheck_run(&rep, mb, S->p, &o);
  grl_lesson_say(L, "The bug: dq = da_n instead of dq = da_n * r.  Central differences\n"
                 "over the whole sequence:");
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run");
    goto done;
  }
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep);
  grl_lesson_say(L, "grl_gradcheck_run said: %s", rc == GRL_EFAIL ? grl_strerror() : "pass");
  grl_lesson_expect(L, rc == GRL_EFAIL, "the check fails");
  grl_gradcheck_report_free(rep);
  rep = NULL;

  /* Over 30 steps the wrong dh_prev reaches every earlier step, so every
   * tensor fails.  One step locates it: with T = 1 nothing flows back
   * through time, and only what dq feeds directly can be wrong. */
  setup S1;
  rc = setup_alloc(&S1, &grl_cell_gru, I, H, 1, S->p->B, L->seed);
  if (!rc) {
    memcpy(mb->theta, S1.m->theta, S1.m->n * sizeof *mb->theta);
    rc = grl_gradcheck_run(&rep, mb, S1.p, &o);
  }
  setup_free(&S1);
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run, T = 1");
    goto done;
  }
  int located = 1;
  grl_lesson_say(L, "\nThe same broken cell on a single step (T = 1):");
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep);
  for (size_t i = 0; i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    char label[160];
    if (!strcmp(w->name, "weight_hh_l0") || !strcmp(w->name, "bias_hh_l0")) {
      /* every failing entry must be in rows [2H, 3H): the n block */
      size_t bad = 0, outside = 0, cols = w->ndim == 2 ? w->dims[1] : 1;
      for (size_t k = 0; k < w->checked; k++)
        if (w->rel[k] > rep->tolerance) {
          bad++;
          size_t row = w->at[k] / cols;
          outside += row < 2 * H || row >= 3 * H;
        }
      snprintf(label, sizeof label, "%s: %zu entries fail, all in the n block",
               w->name, bad);
      located &= grl_lesson_expect(L, bad > 0 && outside == 0, label);
    } else if (!strcmp(w->name, "h0")) {
      located &= grl_lesson_expect(L, !w->pass, "h0 fails: dh_prev carries the bug");
    } else {
      snprintf(label, sizeof label, "%s passes", w->name);
      located &= grl_lesson_expect(L, w->pass, label);
    }
  }
  if (located)
    grl_lesson_say(L,
      "Located: only W_hn, b_hn and h0 are wrong -- exactly what q = W_hn h + b_hn\n"
      "feeds.  The mistake is in dq.");
  grl_gradcheck_report_free(rep);
  rep = NULL;

  /* How small a bug can each method see?  Scale one entry by 1 + delta;
   * the relative error there is |a - n|/(|a| + |n|) = delta / (2 + delta). */
  grl_lesson_say(L, "\nOne entry of dL/dweight_hh_l0 (its largest) scaled by (1 + delta):");
  /* tol 0: the method's default.  The last trial tightens central's
   * tolerance to the gap between the noise and delta = 1e-7. */
  const struct { int method; double delta, tol; int caught; } trial[] = {
    {GRL_GC_CENTRAL, 1e-4, 0, 1}, {GRL_GC_CENTRAL, 1e-9, 0, 0},
    {GRL_GC_COMPLEX, 1e-9, 0, 1}, {GRL_GC_CENTRAL, 1e-7, 1e-8, 1},
  };
  enum { NTRIAL = sizeof trial / sizeof trial[0] };
  double seen[NTRIAL], other[NTRIAL];   /* rel at the entry; elsewhere */
  int as_expected = 1;
  for (size_t q = 0; q < NTRIAL; q++) {
    int caught = 0, found = 0;
    rc = tamper_trial(S, trial[q].method, trial[q].delta, trial[q].tol, 0.0,
                      &seen[q], &other[q], &caught, &found, &rep);
    if (rc) {
      grl_lesson_error(L, rc, "grl_gradcheck_run");
      goto done;
    }
    char label[160];
    snprintf(label, sizeof label, "%s, delta = %g: error there",
             grl_gradcheck_method_name(trial[q].method), trial[q].delta);
    if (isnan(seen[q]))
      grl_lesson_say(L, "%s: the scaled entry was not checked", label);
    else
      grl_lesson_versus(L, label, seen[q], "delta/(2+delta)",
                        trial[q].delta / (2.0 + trial[q].delta));
    snprintf(label, sizeof label, "  worst error on every other entry");
    grl_lesson_value(L, label, other[q]);
    snprintf(label, sizeof label, "  %s (tolerance %g)",
             trial[q].caught ? "caught" : "missed", rep->tolerance);
    as_expected &= grl_lesson_expect(L, caught == trial[q].caught
                                     && (!trial[q].caught || found), label);
    grl_gradcheck_report_free(rep);
    rep = NULL;
  }
  /* The same 1e-9 trial at two more seeds: is the tampered entry's error
   * below the worst error on the correct entries there too? */
  enum { NSEED = 3 };
  /* ... and with the floor at BIG_FLOOR: the absolute noise of the small
   * entries is divided by more (section 3). */
  const double big_floor = 0.9;
  double seen_s[NSEED] = {seen[1]}, other_s[NSEED] = {other[1]};
  double seen_f[NSEED], other_f[NSEED];
  size_t hidden = seen[1] <= other[1], apart = 0;
  for (size_t k = 0; k < NSEED; k++) {
    setup S2;
    int caught = 0, found = 0;
    rc = setup_alloc(&S2, &grl_cell_gru, I, H, S->p->T, S->p->B, L->seed + k);
    if (!rc && k > 0) {
      rc = tamper_trial(&S2, GRL_GC_CENTRAL, 1e-9, 0, 0.0, &seen_s[k],
                        &other_s[k], &caught, &found, &rep);
      grl_gradcheck_report_free(rep);
      rep = NULL;
    }
    if (!rc)
      rc = tamper_trial(&S2, GRL_GC_CENTRAL, 1e-9, 0, big_floor, &seen_f[k],
                        &other_f[k], &caught, &found, &rep);
    setup_free(&S2);
    grl_gradcheck_report_free(rep);
    rep = NULL;
    if (rc) {
      grl_lesson_error(L, rc, "grl_gradcheck_run, another seed");
      goto done;
    }
    if (k > 0)
      hidden += seen_s[k] <= other_s[k];
    apart += seen_f[k] > other_f[k];
  }
  grl_lesson_say(L, "\nCentral, delta = 1e-9, at three seeds (the same sizes), with the\n"
                 "default floor_rel = %g and with floor_rel = %g:\n"
                 "           floor_rel = %-4g             floor_rel = %g\n"
                 "  seed   at the entry  worst other     at the entry  worst other",
                 GRL_GRADCHECK_FLOOR_REL, big_floor, GRL_GRADCHECK_FLOOR_REL, big_floor);
  double gap_lo = INFINITY;   /* the thinnest seen / other with the big floor */
  for (size_t k = 0; k < NSEED; k++) {
    grl_lesson_say(L, "  %4lu   %12.3g  %11.3g     %12.3g  %11.3g", L->seed + k,
                   seen_s[k], other_s[k], seen_f[k], other_f[k]);
    gap_lo = fmin(gap_lo, seen_f[k] / other_f[k]);
  }
  const double shown = trial[1].delta / (2.0 + trial[1].delta);   /* 5e-10 */
  if (as_expected) {
    grl_lesson_say(L,
      "Central differences do measure the error of 1e-9 at the scaled entry:\n"
      "%.4g for delta/(2+delta) = %.4g, their own error there\n"
      "%.1e.  But that entry is the tensor's largest, where an absolute\n"
      "noise is smallest relative to the entry.", seen[1], shown,
      fabs(seen[1] - shown));
    if (other[1] >= seen[1])
      grl_lesson_say(L,
        "On the other entries the same run's worst central error is %.2g,\n"
        "%s the injected %.2g and the %.2g measured: at the\n"
        "default floor (floor_rel = %g) no tolerance can flag this 1e-9\n"
        "error without failing correct entries too.", other[1],
        other[1] >= shown ? "above both" : "above the measured but below",
        shown, seen[1], GRL_GRADCHECK_FLOOR_REL);
    else
      grl_lesson_say(L,
        "On the other entries the same run's worst central error is %.2g,\n"
        "below the %.2g measured at the scaled entry: here a tolerance\n"
        "between the two would flag it and pass every other entry.",
        other[1], seen[1]);
    grl_lesson_say(L,
      "At the three seeds, at the default floor, the scaled entry's error is\n"
      "at or below the worst correct one in %zu of 3.", hidden);
    grl_lesson_say(L,
      "The worst correct errors come from small entries, and their noise is\n"
      "absolute (section 3): a larger floor divides it by more.  With\n"
      "floor_rel = %g the scaled entry stands above every correct entry at\n"
      "%zu of 3 seeds (the smallest ratio of the two: %.2g).", big_floor,
      apart, gap_lo);
    if (apart == NSEED)
      grl_lesson_say(L,
        "So a tolerance between the two flags it there, but the margin, a\n"
        "factor %.2g at the closest seed, moves with the seed; and the larger\n"
        "floor blinds the check to errors on the small entries, as the floor\n"
        "does (section 3).", gap_lo);
    grl_lesson_say(L,
      "The default tolerance, 1e-6, sits far above this noise, leaving room\n"
      "for less accurate differences elsewhere: the seed cell, measured at\n"
      "the end of this section.");
    grl_lesson_say(L,
      "An error that central differences can separate needs delta/2 above the\n"
      "noise: delta = 1e-7 shows as %.2g, and with the tolerance at 1e-8,\n"
      "between the worst correct entry (%.2g) and that, the check flags it at\n"
      "that entry and passes every other.  The scaled entry is the tensor's\n"
      "largest; on an entry below S/20 the floor binds as well: there the\n"
      "error shows as delta |a| / (floor_rel S), smaller the smaller the\n"
      "entry.  The complex step, exact to rounding (its error at the entry\n"
      "%.1e, on the other entries at most %.1e), catches delta = 1e-9\n"
      "at its own tolerance, 1e-11.", seen[3], other[3],
      fabs(seen[2] - trial[2].delta / (2.0 + trial[2].delta)), other[2]);
  }
  /* The seed cell at the same sizes, over many seeds: how close does a
   * correct gradient come to the default tolerance? */
  {
    const size_t NS = L->quick ? 8 : 40;
    double *w = malloc(NS * sizeof *w), wmax = 0.0;   /* (NS) worst per seed */
    size_t above = 0, at = 0;
    for (size_t k = 0; w && k < NS; k++) {
      setup Sc;
      grl_gradcheck_report *rs = NULL;
      grl_gradcheck_opts oc;
      grl_gradcheck_opts_init(&oc, GRL_GC_CENTRAL);
      rc = setup_alloc(&Sc, &grl_cell_seed, I, H, S->p->T, S->p->B, k + 1);
      if (!rc) {
        rc = grl_gradcheck_run(&rs, Sc.m, Sc.p, &oc);
        if (rc == GRL_EFAIL)
          rc = GRL_OK;
      }
      if (!rc) {
        w[k] = rs->worst;
        above += w[k] > 1e-7;
        if (w[k] > wmax) {
          wmax = w[k];
          at = k + 1;
        }
      }
      grl_gradcheck_report_free(rs);
      setup_free(&Sc);
      if (rc) {
        free(w);
        grl_lesson_error(L, rc, "grl_gradcheck_run, seed cell");
        goto done;
      }
    }
    if (w) {
      qsort(w, NS, sizeof *w, cmp_double);
      double med = NS % 2 ? w[NS / 2] : 0.5 * (w[NS / 2 - 1] + w[NS / 2]);
      grl_lesson_say(L, "\nThe seed cell at the same sizes (I = %zu, H = %zu, T = %zu, B = %zu),\n"
                     "central differences, default floor and tolerance, seeds 1 to %zu:",
                     I, H, S->p->T, S->p->B, NS);
      grl_lesson_value(L, "median worst relative error", med);
      grl_lesson_value(L, "largest worst relative error", wmax);
      grl_lesson_say(L, "  (at seed %zu; %zu of %zu seeds above 1e-7)", at, above, NS);
      grl_lesson_say(L,
        "Most seeds stay far below the tolerance (median %.1e); the worst of\n"
        "%zu, seed %zu, reaches %.1e, %s the default 1e-6 ('grulab gradcheck\n"
        "--cell seed --input-size %zu --hidden-size %zu --seq-len %zu --batch %zu\n"
        "--seed %zu' shows it).", med, NS, at, wmax,
        wmax < 1e-6 ? "still below" : "ABOVE", I, H, S->p->T, S->p->B, at);
      grl_lesson_expect(L, wmax < 1e-6, "the seed cell passes at every seed");
      free(w);
    }
  }
  grl_lesson_expect(L, other[3] <= trial[3].tol && other[2] <= 1e-11,
                    "no correct entry fails at tolerance 1e-8 (central) or 1e-11 "
                    "(complex)");
done:
  grl_gradcheck_report_free(rep);
  grl_model_free(mb);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;

  /* The check size: I=5, H=7, T=30, B=3 (quick: I=3, H=4, T=8, B=2). */
  size_t I = L.quick ? 3 : 5, H = L.quick ? 4 : 7, T = L.quick ? 8 : 30,
         B = L.quick ? 2 : 3;
  setup S;
  int rc = setup_alloc(&S, &grl_cell_gru, I, H, T, B, L.seed);
  if (rc) {
    grl_lesson_error(&L, rc, "setting up the problem");
    setup_free(&S);
    return grl_lesson_end(&L);
  }
  grl_lesson_param(&L, "cell", "%s", grl_cell_name(S.m->cell));
  grl_lesson_param(&L, "T", "%zu", T);
  grl_lesson_param(&L, "B", "%zu", B);
  grl_lesson_param(&L, "I", "%zu", I);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "init", "U(-0.9, 0.9)");

  v_curve(&L, &S);
  per_tensor(&L, &S);
  /* Longer, so that early gradients fade to well below the noise. */
  floor_lesson(&L, I, H, L.quick ? 40 : 60, B);
  exact_zeros(&L, L.seed);
  broken(&L, &S);
  setup_free(&S);
  return grl_lesson_end(&L);
}
