/*
# Chapter 1: Gates: sigma, tanh and one GRU step by hand

**Prerequisites:** none.

A gated recurrent cell is built from two squashing functions and a few
matrix products.  This chapter takes the two functions apart, then does
one step of a GRU by hand on a cell of two units and checks every number
against PyTorch and against the library.

### What you will learn

1. The logistic sigmoid σ and tanh, and their derivatives.
   $σ'(a) = σ(a)(1 - σ(a))$ is at most 1/4, at $a = 0$, and
   $\tanh'(a) = 1 - \tanh^2(a)$ at most 1.  A gradient that passes back
   through a sigmoid is multiplied by $σ' ≤ 1/4$ (and by the weights in
   between, which may be larger than 1).  A GRU's memory does not go
   through σ′: along the kept path $h' = \dots + z h$ the gradient is
   multiplied by $z$ itself.  Chapter 7 measures that.
2. The numerically stable forms.  σ has two textbook forms.
   $A = 1/(1 + e^{-a})$ overflows $e^{-a}$ below $a = -709.78$: it still
   returns 0, off by less than 1e-308, but raises the overflow flag.
   $B = e^a/(1 + e^a)$ overflows above $a = +709.78$ and returns NaN
   (inf/inf).  The library switches form on the sign of $a$.  tanh written
   with exponentials loses about half its digits at $a = 10^{-8}$ and all
   of them near $|a| = 10^{-16}$, where it returns one of a few fixed
   values: 0 for $0 < a ≤ 2^{-54} ≈ 5.6 \cdot 10^{-17}$ and for
   $-2^{-55} ≈ -2.8 \cdot 10^{-17} ≤ a < 0$, and $-5.55 \cdot 10^{-17}$
   for every $a$ between $-8.3 \cdot 10^{-17}$ and $-2.8 \cdot 10^{-17}$.
   It returns NaN beyond $a = 354.9$.  The chapter measures each of these
   thresholds.
3. A saturated gate's own gradient.  σ′ computed as $s(1 - s)$ from the
   output is 0 once $s$ rounds to 1 ($a ≥ 36.74$), where the truth is
   about $e^{-a}$: that gate's bias gradient is then 100 % wrong relative
   to itself, yet off by less than $2 \cdot 10^{-16} \cdot |∂L/∂s|$, a
   rounding error next to the $|∂L/∂s|/4$ of an unsaturated gate.  So a
   gradient entry's error is judged against the size of its tensor, not
   of itself; chapter 5 §3 builds the gradient check that way.
4. One step of nn.GRU on a 2-unit cell, every intermediate printed: the
   pre-activations, $r$, $z$, $n$ and $h'$, next to PyTorch's values.
5. The same step through the library: its naive reference step (plain
   loops, like ours) and its batched BLAS path must agree with it.
6. What each gate does: $z$ is the fraction of the old state *kept*
   ($z → 1$ copies $h$ through, $z → 0$ replaces it by $n$); $r$ decides
   how much of the old state the candidate $n$ may look at.

### The equations

PyTorch nn.GRU, the "reset-after" convention; gate blocks stacked $r$,
$z$, $n$ in $W_{ih}$ (3H, I), $W_{hh}$ (3H, H), $b_{ih}$, $b_{hh}$:

::: equations
-----------------------  ----------------------------
$σ(a) = 1/(1 + e^{−a})$  $σ′(a) = σ(a)(1 − σ(a))$
$\tanh(a)$               $\tanh′(a) = 1 − \tanh^2(a)$
-----------------------  ----------------------------
:::

::: equations
--------------------------------------------------------  ---------------
$r = σ(W_{ir} x + b_{ir} + W_{hr} h + b_{hr})$            reset gate
$z = σ(W_{iz} x + b_{iz} + W_{hz} h + b_{hz})$            update gate
$n = \tanh(W_{in} x + b_{in} + r ⊙ (W_{hn} h + b_{hn}))$  candidate state
$h′ = (1 − z) ⊙ n + z ⊙ h$                                new state
--------------------------------------------------------  ---------------
:::

(⊙ is the elementwise product.)

Time steps: $h_0$ is the initial state, $h_1 \dots h_T$ the outputs; here
one step, from $h = h_0$ to $h' = h_1$.

### Run it

    chapters/ch01-gates              the lesson; charts go to plots/
    chapters/ch01-gates --help       this summary and the options
    make plots                       renders the charts to PNG and PDF

### Charts

- `ch01-activations`: σ, tanh and their derivatives over $a ∈ [-6, 6]$.
- `ch01-stable-forms`: the error of the tempting and the stable formulas
  against long double, each point the worst over its bin: σ's forms A
  and B and the library's σ over $a ∈ [-760, 760]$ (relative error), tanh
  over $|a|$ from 1e-18 to 1000 and σ′ over $a ∈ [-40, 40]$ (relative
  error solid, absolute dashed).  An error of 0 or below $10^{-24}$ is
  drawn at $10^{-24}$, a NaN on its own line.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <fenv.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>   /* RUNNING_ON_VALGRIND */
#endif
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"activations", "stable-forms", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* sigma'(2.385) from the output */
{
  *v = grl_dsigmoid(grl_sigmoid(2.385));
  return GRL_OK;
}

static int ex2_answer(double *v)   /* smallest k with (1/4)^k < 1e-12 */
{
  int k = 0;
  while (pow(0.25, k) >= 1e-12)
    k++;
  *v = k;
  return GRL_OK;
}

static int ex3_answer(double *v)   /* expf(a) overflows: a > ln(FLT_MAX) */
{
  *v = log(FLT_MAX);
  return GRL_OK;
}

static int ex4_answer(double *v)   /* smallest whole a with tanh(a) == 1 */
{
  int a = 1;
  while (tanh((double)a) != 1.0)
    a++;
  *v = a;
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"A sigmoid's slope comes from its output: σ′(a) = s(1 − s) with\n"
   "s = σ(a).  Section 1 prints σ(−2.385); use 1 − σ(−2.385) = σ(2.385)\n"
   "to work out σ′(2.385) by hand.", ex1_answer, 0.005, 0},
  {"A gradient that passes back through k sigmoids, joined by weights of\n"
   "size at most 1, is multiplied by at most (1/4)^k.  What is the smallest\n"
   "k for which that bound is below 1e-12?", ex2_answer, 0.01, 1},
  {"Section 2 finds form B, e^a/(1 + e^a), turning into NaN from\n"
   "a = ln(DBL_MAX) on.  A GPU often computes in float.  From which a on is\n"
   "form B NaN in single precision (FLT_MAX, in <float.h>)?  Three figures\n"
   "are enough.", ex3_answer, 5e-4, 0},
  {"libm's tanh(a) returns exactly 1.0 once 1 − tanh(a) ≈ 2·e^(−2a) is less\n"
   "than half the gap between 1 and the double just below it, 2^(−54).\n"
   "Predict the smallest whole number a with tanh(a) == 1.0, then test\n"
   "your prediction with a three-line C program.", ex4_answer, 0.01, 1},
  {"Some textbooks write the update as h′ = z ⊙ n + (1 − z) ⊙ h.  Change the\n"
   "line of section 3 that computes h′ to that form and rerun: which checks\n"
   "fail, and what does z mean now?  Which form does PyTorch use?",
   NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch01-gates",
  .title = "Gates: sigma, tanh and one GRU step by hand",
  .summary =
    "Chapter 1 takes apart the two squashing functions of every gated cell,\n"
    "the logistic sigmoid and tanh, with their derivatives and their\n"
    "numerically stable forms (sigma'(0) = 1/4 is the largest slope of a\n"
    "sigmoid).  Then it runs one step of PyTorch's GRU by hand on a cell of\n"
    "two units, printing r, z, n and h' next to PyTorch's values, checks the\n"
    "library's naive and BLAS paths against it, and shows which way the\n"
    "update gate z points: z is the fraction of the old state kept.",
  .charts = charts,
  .seed = 1,
};

/*
## 1. σ and tanh, and their derivatives

Both squash a pre-activation $a$ into a bounded range: σ into (0, 1), the
range of a gate (how much passes), tanh into (−1, 1), the range of a
state.  Their derivatives are cheap to get from the *output*, which the
forward pass keeps anyway:

$$σ' = s\,(1 - s), \qquad \tanh' = 1 - t^2.$$
*/

static void activations(grl_lesson *L)
{
  grl_lesson_section(L, "sigma and tanh, and their derivatives");
  grl_lesson_say(L,
    "sigma(a) = 1/(1+e^-a) squashes into (0,1): a gate's 'how much passes'.\n"
    "tanh(a) squashes into (-1,1): a state's range.  Their slopes come from\n"
    "the outputs, s = sigma(a) and t = tanh(a): sigma' = s(1-s), tanh' = 1-t^2.\n"
    "A line 'known K  error E' prints the value the program computed, the\n"
    "value known exactly (or by an identity), and E = computed - known,\n"
    "the signed absolute error.");

  /* sigma(0) = 1/2 and sigma'(0) = 1/2 * 1/2 = 1/4, exactly. */
  double s0 = grl_sigmoid(0.0), t0 = grl_tanh(0.0);
  grl_lesson_known(L, "sigma(0)", s0, 0.5);
  grl_lesson_known(L, "sigma'(0) = s(1-s)", grl_dsigmoid(s0), 0.25);
  grl_lesson_known(L, "tanh'(0) = 1-t^2", grl_dtanh(t0), 1.0);

  /* Two identities hold for every a; check them at a high-entropy point:
   *   sigma(-a) = 1 - sigma(a)        tanh(a) = 2 sigma(2a) - 1 */
  double a = 2.385;
  grl_lesson_known(L, "sigma(-2.385) vs 1 - sigma(2.385)", grl_sigmoid(-a),
                   1.0 - grl_sigmoid(a));
  grl_lesson_known(L, "tanh(2.385) vs 2 sigma(4.77) - 1", grl_tanh(a),
                   2.0 * grl_sigmoid(2.0 * a) - 1.0);

  /* The largest slope, searched on the chart's grid: sigma' <= 1/4. */
  size_t n = L->quick ? 49 : 241;
  double lo = -6.0, hi = 6.0, ds_max = 0.0, dt_max = 0.0;
  grl_chart *ch = grl_lesson_chart(L, "activations",
                                   "σ and tanh and their derivatives");
  grl_chart_param(ch, "points", "%zu", n);
  grl_chart_columns(ch, "a sigma dsigma tanh dtanh");
  for (size_t i = 0; i < n; i++) {
    double x = lo + (hi - lo) * (double)i / (double)(n - 1);
    double s = grl_sigmoid(x), t = grl_tanh(x);
    ds_max = fmax(ds_max, grl_dsigmoid(s));
    dt_max = fmax(dt_max, grl_dtanh(t));
    grl_chart_row(ch, 5, (double[]){x, s, grl_dsigmoid(s), t, grl_dtanh(t)});
  }
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);

  grl_lesson_known(L, "largest sigma' on the grid", ds_max, 0.25);
  grl_lesson_known(L, "largest tanh' on the grid", dt_max, 1.0);
  grl_lesson_takeaway(L, "activations",
    "The largest slopes on the grid are σ′ = %.4g and tanh′ = %.4g, both at"
    " $a = 0$: a gradient through one sigmoid keeps at most a quarter of"
    " itself.", ds_max, dt_max);
  grl_lesson_say(L,
    "A gradient that flows back through a sigmoid is multiplied by its slope\n"
    "sigma' <= 1/4, and by the weights in between, which can be larger than\n"
    "1.  Through k sigmoids joined by weights of size at most 1 it shrinks\n"
    "to at most (1/4)^k of itself: %.2g for k = 10.  A GRU's memory avoids\n"
    "sigma': along the kept path h' = (1-z)*n + z*h the gradient is\n"
    "multiplied by z itself, close to 1 when the gate keeps.  Chapter 7\n"
    "measures how fast a GRU's gradient fades for each keep-gate bias.",
    pow(0.25, 10));
}

/*
## 2. The numerically stable forms

σ has two textbook forms, equal in exact arithmetic:

    A: 1 / (1 + e^-a)     e^-a overflows for a < -709.78: 1/(1+inf)
                          is 0, off by less than 5.6e-309, but the
                          overflow flag is raised (a trap, if enabled)
    B: e^a / (1 + e^a)    e^a overflows for a > +709.78: inf/inf = NaN

The library picks A for $a ≥ 0$ and B for $a < 0$, so neither ever
overflows, and below $a = -709.78$ it still returns σ's tiny value:
subnormal (fewer bits) below $a = -708.40$, where σ drops under the
smallest normal double, and 0 only from $a = -745.13$ on, where σ is
below half the smallest subnormal (the run measures both).  tanh written as
$(e^{2a} - 1)/(e^{2a} + 1)$ subtracts two nearly equal numbers near 0:
its *absolute* error stays near 1e-16, so its *relative* error is about
$10^{-16}/|a|$ -- half the digits at $a = 10^{-8}$, and none left near
$|a| = 10^{-16}$, where $e^{2a}$ is 1 or one of its neighbours.  Above 1
the doubles are $2^{-52}$ apart, below 1 only $2^{-53}$, so the two sides
differ: $e^{2a}$ rounds to 1, and tanh to 0, for $0 < a ≤ 2^{-54}$ but
only for $-2^{-55} ≤ a < 0$; for $-3 \cdot 2^{-55} < a < -2^{-55}$ it
rounds to $1 - 2^{-53}$, and tanh comes out $-5.55 \cdot 10^{-17}$
whatever $a$ is.  Beyond $a = 354.9$ it is inf/inf.  libm's tanh is
accurate everywhere.

The derivative from the output, $s(1 - s)$, has the same trouble on one
side: for $a > 0$, $1 - s$ cancels and loses *relative* accuracy (the
library's $s$ is exactly 1 from $a = 36.74$ on, and $s(1-s)$ then 0),
while its absolute error stays near 1e-16 (the run prints it; the check
allows 2.3e-16).  `grl_dsigmoid` and every backward pass use $s(1-s)$,
from the cached output.  What that does to a gradient depends on which
error one asks for: the run below measures both.
*/

static double sigmoid_form_a(double x) { return 1.0 / (1.0 + exp(-x)); }
static double sigmoid_form_b(double x) { double e = exp(x); return e / (1.0 + e); }
static double tanh_by_exp(double x) { double e = exp(2.0 * x); return (e - 1.0) / (e + 1.0); }

static int a_is_zero(double a) { return sigmoid_form_a(a) == 0.0; }
static int b_is_nan(double a) { return isnan(sigmoid_form_b(a)); }
static int tanh_exp_is_zero(double a) { return tanh_by_exp(a) == 0.0; }
static int tanh_exp_is_nan(double a) { return isnan(tanh_by_exp(a)); }
static int sigmoid_is_one(double a) { return grl_sigmoid(a) == 1.0; }
static int sigmoid_is_zero(double a) { return grl_sigmoid(a) == 0.0; }
static int sigmoid_is_subnormal(double a) { return grl_sigmoid(a) < DBL_MIN; }
/* x rounded UP to two significant figures, for "within x" sentences */
static double up2(double x)
{
  if (!(x > 0.0))
    return x;
  double u = pow(10.0, floor(log10(x)) - 1.0);
  return ceil(x / u) * u;
}
/* below the plateau where tanh by exp returns -2^-54 */
static int tanh_exp_below_plateau(double a) { return tanh_by_exp(a) < -ldexp(1.0, -54); }

/* Where a formula starts to fail: `fails` is false at `good` and true at
 * `bad`; bisection (on log|a| when both have the same sign and are apart
 * by decades) down to adjacent doubles.  Returns the failing side. */
static double threshold(int (*fails)(double), double good, double bad)
{
  for (int k = 0; k < 2000; k++) {
    double mid = (good > 0 && bad > 0) || (good < 0 && bad < 0)
                 ? copysign(sqrt(fabs(good)) * sqrt(fabs(bad)), good)
                 : good + (bad - good) / 2.0;
    /* near the end the geometric midpoint can round onto an end point
     * although doubles remain between them: split arithmetically, and
     * stop only when good and bad are adjacent doubles */
    if (mid == good || mid == bad)
      mid = good + (bad - good) / 2.0;
    if (mid == good || mid == bad)
      break;
    if (fails(mid))
      bad = mid;
    else
      good = mid;
  }
  return bad;
}

/* Chart encodings, also stated in the .dat header and the template:
 * an error of 0 or below ERR_EXACT is drawn at ERR_EXACT, a NaN at
 * ERR_NAN. */
#define ERR_EXACT 1e-24
#define ERR_NAN 1e6

/* |computed - truth| / |truth|, with long double as the truth. */
static double relerr(double computed, long double truth)
{
  if (isnan(computed))
    return ERR_NAN;
  long double e = fabsl((long double)computed - truth) / fabsl(truth);
  return fmax((double)e, ERR_EXACT);
}

static double abserr(double computed, long double truth)
{
  if (isnan(computed))
    return ERR_NAN;
  return fmax((double)fabsl((long double)computed - truth), ERR_EXACT);
}

/* The same against the truth rounded to double, the best a double can
 * hold: where that is 0 (sigma below 4.9e-324), 0 is exact. */
static double relerr_d(double computed, long double truth)
{
  double t = (double)truth;
  if (isnan(computed))
    return ERR_NAN;
  if (t == 0.0)
    return computed == 0.0 ? ERR_EXACT : 1.0;
  return fmax(fabs(computed - t) / fabs(t), ERR_EXACT);
}

static void stable_forms(grl_lesson *L)
{
  grl_lesson_section(L, "The numerically stable forms");
  volatile double big = 1000.0;  /* volatile: evaluate at run time */

  /* A raises the overflow flag at -1000; its value, 0, is sigma(-1000)
   * = 5e-435 rounded to the nearest double. */
  feclearexcept(FE_OVERFLOW);
  double a_neg = sigmoid_form_a(-big);
  int overflowed = fetestexcept(FE_OVERFLOW) != 0;
  grl_lesson_value(L, "form A 1/(1+e^-a) at a = -1000", a_neg);
#ifdef RUNNING_ON_VALGRIND
  /* valgrind does not model the floating-point exception flags: under it
   * FE_OVERFLOW is never raised, so that half of the check is skipped. */
  if (RUNNING_ON_VALGRIND) {
    (void)overflowed;
    grl_lesson_expect(L, a_neg == 0.0, "... is 0 (right: sigma = 5e-435)");
    grl_lesson_skip(L, "... and e^1000 raised FE_OVERFLOW",
                    "valgrind does not model floating-point exception flags");
  } else
#endif
  grl_lesson_expect(L, a_neg == 0.0 && overflowed,
                    "... is 0 (right: sigma = 5e-435), but e^1000 raised FE_OVERFLOW");
  /* B is NaN at +1000: e^1000 = inf, and inf/(1+inf) = inf/inf. */
  double b_pos = sigmoid_form_b(big);
  grl_lesson_say(L, "%-34s = %s", "form B e^a/(1+e^a) at a = +1000",
                 isnan(b_pos) ? "NaN (inf/inf: not a number)" : "a number");
  grl_lesson_expect(L, isnan(b_pos), "... is NaN, and every sum it enters is NaN");
  /* The library's sigma switches form on the sign of a. */
  grl_lesson_known(L, "grl_sigmoid(+1000)", grl_sigmoid(big), 1.0);
  grl_lesson_known(L, "grl_sigmoid(-1000)", grl_sigmoid(-big), 0.0);

  /* Where each tempting form starts to fail, found by bisection. */
  double a_zero = threshold(a_is_zero, -700.0, -800.0);
  double b_nan = threshold(b_is_nan, 700.0, 800.0);
  double t_zero = threshold(tanh_exp_is_zero, 1e-8, 1e-20);
  double t_zero_neg = threshold(tanh_exp_is_zero, -1e-8, -1e-20);
  double t_plateau = threshold(tanh_exp_below_plateau, -5e-17, -1e-15);
  double t_nan = threshold(tanh_exp_is_nan, 300.0, 400.0);
  double s_one = threshold(sigmoid_is_one, 30.0, 40.0);
  double s_sub = threshold(sigmoid_is_subnormal, -700.0, -720.0);
  double s_zero = threshold(sigmoid_is_zero, -740.0, -750.0);
  grl_lesson_say(L,
    "\nWhere the tempting forms fail, found by bisection to adjacent doubles;\n"
    "known: e^x overflows for x > ln(DBL_MAX) = 709.78, and e^2a rounds to 1\n"
    "while |2a| is at most half the gap to the next double: 2^-53 above 1,\n"
    "2^-54 below it (the doubles below 1 are twice as dense):");
  double ln_max = log(DBL_MAX);
  grl_lesson_known(L, "form A is 0 for a <=", a_zero, -ln_max);
  long double sL = 1.0L / (1.0L + expl(-(long double)a_zero));
  grl_lesson_value(L, "  true sigma there (long double)", (double)sL);
  grl_lesson_known(L, "  grl_sigmoid there vs true", grl_sigmoid(a_zero), (double)sL);
  grl_lesson_known(L, "grl_sigmoid subnormal for a <=", s_sub, log(DBL_MIN));
  grl_lesson_known(L, "grl_sigmoid is 0 for a <=", s_zero, -1075.0 * log(2.0));
  grl_lesson_say(L, "  (known: sigma ~ e^a there; DBL_MIN = 2^-1022 is the smallest normal\n"
                    "  double, and e^a rounds to 0 at or below half the smallest subnormal,\n"
                    "  2^-1075)");
  grl_lesson_known(L, "form B is NaN for a >=", b_nan, ln_max);
  grl_lesson_known(L, "tanh by exp is 0 for 0 < a <=", t_zero, ldexp(1.0, -54));
  /* the failing side of the negative search is the last a that gives 0 */
  grl_lesson_known(L, "tanh by exp is 0 for 0 > a >=", t_zero_neg, -ldexp(1.0, -55));
  grl_lesson_known(L, "tanh by exp is NaN for a >=", t_nan, ln_max / 2.0);
  grl_lesson_expect(L, fabs(a_zero + ln_max) < 1e-12 * ln_max
                       && fabs(b_nan - ln_max) < 1e-12 * ln_max
                       && fabs(t_nan - ln_max / 2.0) < 1e-12 * ln_max
                       && fabs(t_zero - ldexp(1.0, -54)) < 1e-3 * ldexp(1.0, -54)
                       && fabs(t_zero_neg + ldexp(1.0, -55)) < 1e-3 * ldexp(1.0, -55)
                       && fabs(t_plateau + 3.0 * ldexp(1.0, -55)) < 1e-3 * ldexp(1.0, -55),
                    "each threshold is where the known overflow or rounding says");
  /* Just beyond the negative threshold e^2a rounds to 1 - 2^-53, the
   * double below 1, and the formula returns -2^-53/(2 - 2^-53): the same
   * value for every a in (-3 2^-55, -2^-55). */
  grl_lesson_known(L, "tanh by exp is -2^-54 for a >", t_plateau, -3.0 * ldexp(1.0, -55));
  const double a_tiny[3] = {-3e-17, -5e-17, -8e-17};
  for (size_t i = 0; i < 3; i++) {
    char label[64];
    snprintf(label, sizeof label, "tanh by exp at a = %.0e", a_tiny[i]);
    grl_lesson_known(L, label, tanh_by_exp(a_tiny[i]), (double)tanhl(a_tiny[i]));
  }
  grl_lesson_expect(L, tanh_by_exp(a_tiny[0]) == tanh_by_exp(a_tiny[1])
                       && tanh_by_exp(a_tiny[1]) == tanh_by_exp(a_tiny[2])
                       && tanh_by_exp(a_tiny[0]) == -ldexp(1.0, -54),
                    "... all three are -2^-54 = -5.55e-17");
  double t8 = tanh_by_exp(1e-8);
  double e8 = fabs((double)(((long double)t8 - tanhl(1e-8L)) / tanhl(1e-8L)));
  grl_lesson_value(L, "tanh by exp, rel. error at 1e-8", e8);
  grl_lesson_value(L, "  digits kept, -log10(rel. error)", -log10(e8));
  grl_lesson_say(L,
    "So form A fails quietly: 0 where sigma is below 5.6e-309, and a raised\n"
    "flag.  Form B fails loudly: NaN.  tanh by exponentials loses about\n"
    "%.0f of its 16 digits at a = 1e-8, and all of them near |a| = 1e-16: it\n"
    "returns 0 for 0 < a <= %.2g and for %.2g <= a < 0, and %.3g for\n"
    "every a between %.2g and %.2g.",
    fmax(0.0, 16.0 + log10(e8)), t_zero, t_zero_neg, tanh_by_exp(a_tiny[1]),
    t_plateau, t_zero_neg);

  /* The chart, three panels, all from the same run:
   *   block 0  sigma's worst relative error in bins of a in [-760, 760]:
   *            forms A, B and the library's, against the truth rounded to
   *            double, and the library's against long double itself;
   *   block 1  tanh's worst error in bins of |a| from 1e-18 to 1000, over
   *            a and -a: by exponentials and libm, relative and absolute;
   *   block 2  sigma''s worst error in bins of a in [-40, 40]: s(1-s) and
   *            sigma(a) sigma(-a), relative and absolute.
   * Rounding errors jump from point to point, so each point is the WORST
   * error among 16 values of a across its bin. */
  size_t nv = L->quick ? 76 : 304, n = L->quick ? 60 : 300, sub = 16;
  double worst_libm = 0.0, worst_abs = 0.0, worst_lib_sigma = 0.0, worst_rel_ds = 0.0;
  double worst_lib_sigma_d = 0.0;   /* against the truth rounded to double */
  grl_chart *ch = grl_lesson_chart(L, "stable-forms",
                                   "Tempting and stable formulas, against long double");
  grl_chart_param(ch, "points", "%zu (sigma), %zu (tanh, sigma')", nv, n);
  grl_chart_param(ch, "per_bin", "%zu (each error point is the worst of its bin)", sub);
  grl_chart_param(ch, "truth", "long double, %d-bit mantissa", LDBL_MANT_DIG);
  grl_chart_param(ch, "encoding", "an error of 0 or below %g is written as %g, a NaN as %g",
                  ERR_EXACT, ERR_EXACT, ERR_NAN);
  grl_chart_columns(ch, "x y1 y2 y3 y4");
  grl_chart_block(ch, "sigma errors: a rel_form_A rel_form_B rel_grl_sigmoid "
                      "rel_sigma_rounded");
  double w0 = 1520.0 / (double)nv;   /* bin width */
  for (size_t i = 0; i < nv; i++) {
    double row[5] = {-760.0 + w0 * ((double)i + 0.5), 0, 0, 0, 0};
    for (size_t k = 0; k < sub; k++) {
      double x = -760.0 + w0 * ((double)i + (double)k / (double)(sub - 1));
      long double tL = 1.0L / (1.0L + expl(-(long double)x));
      double lib = grl_sigmoid(x);
      /* against the truth rounded to double: the best any double formula
       * can return, also where sigma is subnormal or rounds to 0 */
      double e[4] = {relerr_d(sigmoid_form_a(x), tL), relerr_d(sigmoid_form_b(x), tL),
                     relerr_d(lib, tL), relerr(lib, tL)};
      for (size_t c = 0; c < 4; c++)
        row[c + 1] = fmax(row[c + 1], e[c]);
      if (tL >= DBL_MIN) {   /* a normal double: full precision */
        worst_lib_sigma = fmax(worst_lib_sigma, e[3]);
        worst_lib_sigma_d = fmax(worst_lib_sigma_d, e[2]);
      }
    }
    grl_chart_row(ch, 5, row);
  }
  grl_chart_block(ch, "tanh errors: |a| rel_by_exp rel_libm abs_by_exp abs_libm");
  double lo = -18.0, hi = 3.0, step = (hi - lo) / (double)(n - 1);
  for (size_t i = 0; i < n; i++) {
    double row[5] = {pow(10.0, lo + step * (double)i), 0, 0, 0, 0};
    for (size_t k = 0; k < 2 * sub; k++) {
      double x = pow(10.0, lo + step * ((double)i + (double)(k / 2) / (double)sub));
      x = (k % 2) ? -x : x;   /* both signs */
      long double tL = tanhl((long double)x);
      double e[4] = {relerr(tanh_by_exp(x), tL), relerr(grl_tanh(x), tL),
                     abserr(tanh_by_exp(x), tL), abserr(grl_tanh(x), tL)};
      for (size_t c = 0; c < 4; c++)
        row[c + 1] = fmax(row[c + 1], e[c]);
    }
    worst_libm = fmax(worst_libm, row[2]);
    grl_chart_row(ch, 5, row);
  }
  grl_chart_block(ch, "sigma' errors: a rel_s(1-s) rel_sigma(a)sigma(-a) "
                      "abs_s(1-s) abs_sigma(a)sigma(-a)");
  for (size_t i = 0; i < n; i++) {
    double w = 80.0 / (double)n;   /* bin width */
    double row[5] = {-40.0 + w * ((double)i + 0.5), 0, 0, 0, 0};
    for (size_t k = 0; k < sub; k++) {
      double x = -40.0 + w * ((double)i + (double)k / (double)(sub - 1));
      long double X = (long double)x;
      /* sigma'(a) = e^-a / (1 + e^-a)^2, the truth in long double */
      long double E = expl(-X), ds_true = E / ((1.0L + E) * (1.0L + E));
      double s = grl_sigmoid(x), pq = grl_sigmoid(x) * grl_sigmoid(-x);
      double e[4] = {relerr(grl_dsigmoid(s), ds_true), relerr(pq, ds_true),
                     abserr(grl_dsigmoid(s), ds_true), abserr(pq, ds_true)};
      for (size_t c = 0; c < 4; c++)
        row[c + 1] = fmax(row[c + 1], e[c]);
    }
    worst_abs = fmax(worst_abs, row[3]);
    worst_rel_ds = fmax(worst_rel_ds, row[1]);
    grl_chart_row(ch, 5, row);
  }
  grl_chart_set(ch, "a_zero", "%.17g", a_zero);
  grl_chart_set(ch, "b_nan", "%.17g", b_nan);
  grl_chart_set(ch, "s_one", "%.17g", s_one);
  grl_chart_set(ch, "s_zero", "%.17g", s_zero);
  grl_chart_set(ch, "err_exact", "%g", ERR_EXACT);
  grl_chart_set(ch, "err_nan", "%g", ERR_NAN);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_value(L, "worst relative error, libm tanh", worst_libm);
  grl_lesson_value(L, "worst absolute error of s(1-s)", worst_abs);
  grl_lesson_value(L, "worst rel. error, grl_sigmoid", worst_lib_sigma);
  grl_lesson_value(L, "  vs sigma rounded to double", worst_lib_sigma_d);
  grl_lesson_say(L, "(grl_sigmoid's worst over a in [-760, 760] where sigma is a normal\n"
                    "double, >= 2.2e-308, a > %.2f; below that, doubles carry fewer bits:\n"
                    "the chart's grey line, against the unrounded sigma, climbs from there\n"
                    "and reaches 1 where sigma rounds to 0, a <= %.2f)", s_sub, s_zero);
  grl_lesson_check(L, "libm tanh is accurate to", worst_libm, 1e-15);
  grl_lesson_check(L, "s(1-s) absolute error is", worst_abs, 2.3e-16);
  grl_lesson_value(L, "worst relative error of s(1-s)", worst_rel_ds);
  grl_lesson_known(L, "grl_sigmoid(a) is 1 for a >=", s_one, 53.0 * log(2.0));
  grl_lesson_say(L, "  (known: 1 + e^-a rounds to 1 once e^-a <= 2^-53, a >= 53 ln 2)");
  /* A saturated gate: sigma'(40) = e^-40/(1 + e^-40)^2 in long double,
   * against s(1-s) from the cached s = grl_sigmoid(40) = 1. */
  long double E40 = expl(-40.0L);
  double ds40_true = (double)(E40 / ((1.0L + E40) * (1.0L + E40)));
  double s40 = grl_sigmoid(40.0);
  grl_lesson_known(L, "s(1-s) at a = 40 vs sigma'(40)", grl_dsigmoid(s40), ds40_true);
  grl_lesson_say(L,
    "The chart's sigma' panel compares s(1-s), computed from the cached output\n"
    "s -- what grl_dsigmoid and every backward pass use -- with sigma(a)sigma(-a)\n"
    "computed from a.  For large a, 1 - s cancels and s(1-s) loses its RELATIVE\n"
    "accuracy (worst here %.2g%s),\n"
    "while its ABSOLUTE error stays at %.2g.  Which of the two matters depends\n"
    "on what is asked.  A saturated gate's own gradient is one product with\n"
    "sigma': its bias gets dL/ds * s(1-s).  At a = 40 that is 0 where the\n"
    "truth is dL/ds * %.2g, so that entry is 100%% wrong relative to itself.\n"
    "Its error is still below %.2g |dL/ds|, a rounding error next to the\n"
    "|dL/ds|/4 that an unsaturated gate (a = 0) receives: measured against\n"
    "the gradients around it, the entry is right.  So an entry far below its\n"
    "tensor's largest is judged by its absolute error, against that largest\n"
    "entry.  A numerical derivative's rounding is absolute too, and chapter 5\n"
    "§3 builds the gradient check that way.", worst_rel_ds,
    worst_rel_ds >= 1.0 ? ", where s rounds to 1 and s(1-s) to 0" : "",
    worst_abs, ds40_true, up2(worst_abs));
  grl_lesson_expect(L, worst_rel_ds > 1e-3 && worst_abs <= 2.3e-16
                       && s40 == 1.0 && grl_dsigmoid(s40) == 0.0,
                    "s(1-s): large relative error, absolute error at rounding");
  grl_lesson_takeaway(L, "stable-forms",
    "Form B of σ turns NaN from $a = %.2f$ and tanh by exponentials returns 0"
    " for $0 < a ≤ %.2g$ and for $%.2g ≤ a < 0$.  Where σ is a normal double"
    " ($a > %.2f$) the library's σ stays within %.2g of long double (%.2g of"
    " σ rounded to double); below, σ is subnormal and keeps fewer bits, and"
    " from $a = %.2f$ it rounds to 0 (the grey line's rise to 1).  libm's tanh"
    " stays within %.2g of long double; $s(1-s)$ is 0 from $a = %.2f$, yet its"
    " absolute error stays below %.2g.", b_nan, t_zero, t_zero_neg, s_sub,
    up2(worst_lib_sigma), up2(worst_lib_sigma_d), s_zero, up2(worst_libm),
    s_one, up2(worst_abs));
  grl_lesson_check(L, "grl_sigmoid accurate to", worst_lib_sigma,
                   1e-15);
}

/*
## 3. One GRU step by hand, H = 2, I = 2

A cell of $H = 2$ units reading an input of $I = 2$, with hand-picked
weights, so that every number can be followed.  The loops below are the
equations, one unit $j$ at a time.  PyTorch's values for the same weights
(nn.GRU in float64) are the known answers; the script
`tests/reference/ch01-step.py` prints them.
*/

enum { H2 = 2, I2 = 2 };

/* Gate blocks r, z, n, one row per unit: W_ih (3H, I), W_hh (3H, H). */
static const double W_ih[3 * H2][I2] = {
  {0.385, -0.731}, {-0.219, 0.463},    /* W_ir */
  {0.647, 0.128},  {-0.532, -0.874},   /* W_iz */
  {1.093, -0.406}, {0.271, 0.758},     /* W_in */
};
static const double W_hh[3 * H2][H2] = {
  {0.512, -0.294}, {0.367, 0.845},     /* W_hr */
  {-0.623, 0.411}, {0.158, -0.276},    /* W_hz */
  {0.934, -0.517}, {-0.482, 0.691},    /* W_hn */
};
static const double b_ih[3 * H2] = {0.117, -0.243, 0.352, -0.085, 0.064, -0.198};
static const double b_hh[3 * H2] = {-0.091, 0.176, 0.229, 0.143, -0.137, 0.258};
static const double x_in[I2] = {0.83, -1.27};     /* (I) x_1 */
static const double h_in[H2] = {0.412, -0.356};   /* (H) h_0 */

/* nn.GRU(2, 2) in torch.float64 with the weights above, as printed by
 *   python3 tests/reference/ch01-step.py
 * (h' is nn.GRU's output; r, z, n are recomputed by the script from the
 * same parameters with torch.sigmoid and torch.tanh). */
static const double torch_r[H2] = {0.8305496856103074, 0.27162452257819064};
static const double torch_z[H2] = {0.63470567755027474, 0.70884311912906806};
static const double torch_n[H2] = {0.9513194916546277, -0.75582724594238015};
static const double torch_h[H2] = {0.60901034828790745, -0.47241245381579838};

/* The hand step's results, kept for the library comparison. */
typedef struct {
  double r[H2], z[H2], n[H2], h[H2];  /* (H) each */
} hand_step;

/* W[j] . v for a row-major (rows, cols) weight. */
static double dot(const double *w, const double *v, size_t cols)
{
  double s = 0.0;
  for (size_t k = 0; k < cols; k++)
    s += w[k] * v[k];
  return s;
}

static void gru_by_hand(grl_lesson *L, hand_step *out)
{
  grl_lesson_section(L, "One GRU step by hand, H = 2, I = 2");
  grl_lesson_say(L,
    "Everything the step uses, so that it can be redone by hand: the input\n"
    "x = x_1, the previous state h = h_0, each gate's weights (two rows per\n"
    "gate: unit 0's row, then unit 1's) and each gate's biases (one row per\n"
    "gate: unit 0, unit 1).");
  grl_lesson_vector(L, "x   (input)", I2, x_in);
  grl_lesson_vector(L, "h   (previous state)", H2, h_in);
  grl_lesson_matrix(L, "W_ir W_iz W_in (rows)", 3 * H2, I2, &W_ih[0][0], I2);
  grl_lesson_matrix(L, "W_hr W_hz W_hn (rows)", 3 * H2, H2, &W_hh[0][0], H2);
  grl_lesson_matrix(L, "b_ir / b_iz / b_in", 3, H2, b_ih, H2);
  grl_lesson_matrix(L, "b_hr / b_hz / b_hn", 3, H2, b_hh, H2);

  double a_r[H2], a_z[H2], a_nx[H2], a_nh[H2];   /* (H) pre-activations */
  for (size_t j = 0; j < H2; j++) {
    /* a_r = W_ir x + b_ir + W_hr h + b_hr */
    a_r[j] = dot(W_ih[j], x_in, I2) + b_ih[j] + dot(W_hh[j], h_in, H2) + b_hh[j];
    /* a_z = W_iz x + b_iz + W_hz h + b_hz */
    a_z[j] = dot(W_ih[H2 + j], x_in, I2) + b_ih[H2 + j]
             + dot(W_hh[H2 + j], h_in, H2) + b_hh[H2 + j];
    /* the candidate's two halves: W_in x + b_in, and W_hn h + b_hn */
    a_nx[j] = dot(W_ih[2 * H2 + j], x_in, I2) + b_ih[2 * H2 + j];
    a_nh[j] = dot(W_hh[2 * H2 + j], h_in, H2) + b_hh[2 * H2 + j];
  }
  grl_lesson_vector(L, "a_r = W_ir x+b_ir+W_hr h+b_hr", H2, a_r);
  grl_lesson_vector(L, "a_z = W_iz x+b_iz+W_hz h+b_hz", H2, a_z);
  grl_lesson_vector(L, "W_in x + b_in", H2, a_nx);
  grl_lesson_vector(L, "W_hn h + b_hn", H2, a_nh);

  for (size_t j = 0; j < H2; j++) {
    /* r = sigma(a_r),  z = sigma(a_z) */
    out->r[j] = grl_sigmoid(a_r[j]);
    out->z[j] = grl_sigmoid(a_z[j]);
    /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) */
    out->n[j] = grl_tanh(a_nx[j] + out->r[j] * a_nh[j]);
    /* h' = (1 - z) * n + z * h */
    out->h[j] = (1.0 - out->z[j]) * out->n[j] + out->z[j] * h_in[j];
  }
  grl_lesson_vector(L, "r  = sigma(a_r)", H2, out->r);
  grl_lesson_vector(L, "z  = sigma(a_z)", H2, out->z);
  grl_lesson_vector(L, "n  = tanh(W_in x+b_in + r*(..))", H2, out->n);
  grl_lesson_vector(L, "h' = (1-z)*n + z*h", H2, out->h);

  grl_lesson_say(L,
    "\nNext to PyTorch's nn.GRU (float64) on the same weights, as printed by\n"
    "python3 tests/reference/ch01-step.py:");
  char label[64];
  for (size_t j = 0; j < H2; j++) {
    snprintf(label, sizeof label, "r[%zu]", j);
    grl_lesson_known(L, label, out->r[j], torch_r[j]);
    snprintf(label, sizeof label, "z[%zu]", j);
    grl_lesson_known(L, label, out->z[j], torch_z[j]);
    snprintf(label, sizeof label, "n[%zu]", j);
    grl_lesson_known(L, label, out->n[j], torch_n[j]);
    snprintf(label, sizeof label, "h'[%zu]", j);
    grl_lesson_known(L, label, out->h[j], torch_h[j]);
  }
  double all[4 * H2], want[4 * H2];
  memcpy(all, out->r, sizeof out->r);       memcpy(want, torch_r, sizeof torch_r);
  memcpy(all + 2, out->z, sizeof out->z);   memcpy(want + 2, torch_z, sizeof torch_z);
  memcpy(all + 4, out->n, sizeof out->n);   memcpy(want + 4, torch_n, sizeof torch_n);
  memcpy(all + 6, out->h, sizeof out->h);   memcpy(want + 6, torch_h, sizeof torch_h);
  grl_lesson_say(L,
    "'relative' below is the normwise relative difference of two vectors,\n"
    "max_i |a_i - b_i| / max_i max(|a_i|, |b_i|): one number for all entries,\n"
    "not fooled by an entry that happens to be near 0.");
  grl_lesson_check(L, "by hand vs PyTorch, relative", grl_lesson_reldiff(8, all, want),
                   1e-15);
}

/*
## 4. The same step through the library

The library keeps every parameter in one block `theta`, laid out as
PyTorch's `state_dict`: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
`bias_hh_l0`.  Its naive reference step is the loops above; its fast path
computes $x W_{ih}^T + b_{ih}$ for all steps with one GEMM and
$h W_{hh}^T + b_{hh}$ for the whole batch with another.  Both must give
our numbers.
*/

/* The hand example's weights into m's block, tensor by tensor. */
static void set_hand_weights(grl_model *m)
{
  memcpy(grl_model_tensor(m, m->theta, "weight_ih_l0"), W_ih, sizeof W_ih);
  memcpy(grl_model_tensor(m, m->theta, "weight_hh_l0"), W_hh, sizeof W_hh);
  memcpy(grl_model_tensor(m, m->theta, "bias_ih_l0"), b_ih, sizeof b_ih);
  memcpy(grl_model_tensor(m, m->theta, "bias_hh_l0"), b_hh, sizeof b_hh);
}

static int gru_in_library(grl_lesson *L, const hand_step *hs)
{
  grl_lesson_section(L, "The same step through the library");
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, I2, H2, 0);
  if (rc)
    return grl_lesson_error(L, rc, "grl_model_alloc");
  set_hand_weights(m);
  grl_lesson_say(L, "cell %s: %s", grl_cell_name(m->cell), m->cell->title);

  /* The naive reference step: one row, plain loops. */
  double h_naive[H2], gates[3 * H2];   /* (H), (3H) r z n */
  m->cell->naive(m, m->theta, x_in, h_in, NULL, h_naive, NULL, gates);
  grl_lesson_vector(L, "naive step h'", H2, h_naive);
  grl_lesson_check(L, "naive vs by hand, h' relative",
                   grl_lesson_reldiff(H2, h_naive, hs->h), 1e-15);
  double hand_gates[3 * H2];
  memcpy(hand_gates, hs->r, sizeof hs->r);
  memcpy(hand_gates + H2, hs->z, sizeof hs->z);
  memcpy(hand_gates + 2 * H2, hs->n, sizeof hs->n);
  grl_lesson_check(L, "naive vs by hand, r z n relative",
                   grl_lesson_reldiff(3 * H2, gates, hand_gates), 1e-15);

  /* The BLAS path: the sequence driver with T = 1, B = 1. */
  grl_seq *s;
  rc = grl_seq_alloc(&s, m, 1, 1);
  if (!rc)
    rc = grl_seq_forward(s, NULL, x_in, h_in, NULL);
  if (rc) {
    grl_model_free(m);
    grl_seq_free(s);
    return grl_lesson_error(L, rc, "grl_seq_forward");
  }
  gsl_matrix_view hT = grl_seq_hT(s);           /* (1, H) */
  grl_lesson_vector(L, "BLAS path h'", H2, hT.matrix.data);
  grl_lesson_check(L, "BLAS vs by hand, h' relative",
                   grl_lesson_reldiff(H2, hT.matrix.data, hs->h), 1e-13);
  /* The driver caches the gates: block k of a cache row is gate_names[k]. */
  double cached[3 * H2];
  for (size_t k = 0; k < m->cell->ngate; k++)
    for (size_t j = 0; j < H2; j++)
      cached[k * H2 + j] = gsl_matrix_get(grl_seq_cache(s), 0, k * H2 + j);
  grl_lesson_check(L, "BLAS cache vs by hand, r z n",
                   grl_lesson_reldiff(3 * H2, cached, hand_gates), 1e-13);
  grl_seq_free(s);
  grl_model_free(m);
  return GRL_OK;
}

/*
## 5. What the gates do, and which way z points

Push a gate's bias far out and the gate saturates at 0 or 1; then the
equations say exactly what must come out:

::: equations
--------  ------------------------------  --------------------------
$z → 1$:  $h' = (1-z)\,n + z\,h → h$     the old state is *kept*
$z → 0$:  $h' → n$                        it is *replaced* by $n$
$r → 0$:  $n → \tanh(W_{in} x + b_{in})$  $n$ ignores the old state
--------  ------------------------------  --------------------------
:::

So $z$ is the fraction of $h_{prev}$ kept.  (Some texts, Cho et al. among
them, write $h' = z h + (1-z) n$ with the roles named the same way, others
swap $z$ and $1-z$: read the equation, not the name.)
*/

static void gates_roles(grl_lesson *L)
{
  grl_lesson_section(L, "What the gates do, and which way z points");
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, I2, H2, 0);
  if (rc) {
    grl_lesson_error(L, rc, "grl_model_alloc");
    return;
  }
  set_hand_weights(m);
  double *b = grl_model_tensor(m, m->theta, "bias_ih_l0");   /* (3H) */
  double h1[H2], g[3 * H2];   /* (H) h', (3H) r z n */

  /* z -> 1: b_iz = +40 */
  for (size_t j = 0; j < H2; j++)
    b[H2 + j] = 40.0;
  m->cell->naive(m, m->theta, x_in, h_in, NULL, h1, NULL, g);
  grl_lesson_vector(L, "b_iz = +40:  z", H2, g + H2);
  grl_lesson_vector(L, "             h'", H2, h1);
  grl_lesson_vector(L, "             h (previous)", H2, h_in);
  grl_lesson_check(L, "z -> 1 keeps h: |h' - h|", grl_lesson_absdiff(H2, h1, h_in),
                   1e-15);

  /* z -> 0: b_iz = -40 */
  for (size_t j = 0; j < H2; j++)
    b[H2 + j] = -40.0;
  m->cell->naive(m, m->theta, x_in, h_in, NULL, h1, NULL, g);
  grl_lesson_vector(L, "b_iz = -40:  z", H2, g + H2);
  grl_lesson_vector(L, "             h'", H2, h1);
  grl_lesson_vector(L, "             n", H2, g + 2 * H2);
  grl_lesson_check(L, "z -> 0 takes n: |h' - n|",
                   grl_lesson_absdiff(H2, h1, g + 2 * H2), 1e-15);

  /* r -> 0: b_ir = -40 (z back to its own bias) */
  memcpy(b, b_ih, sizeof b_ih);
  for (size_t j = 0; j < H2; j++)
    b[j] = -40.0;
  m->cell->naive(m, m->theta, x_in, h_in, NULL, h1, NULL, g);
  double n_x[H2];   /* (H) tanh(W_in x + b_in): the candidate without h */
  for (size_t j = 0; j < H2; j++)
    n_x[j] = grl_tanh(dot(W_ih[2 * H2 + j], x_in, I2) + b_ih[2 * H2 + j]);
  grl_lesson_vector(L, "b_ir = -40:  r", H2, g);
  grl_lesson_vector(L, "             n", H2, g + 2 * H2);
  grl_lesson_vector(L, "  tanh(W_in x + b_in)", H2, n_x);
  grl_lesson_check(L, "r -> 0 cuts h out: |n - tanh(..)|",
                   grl_lesson_absdiff(H2, g + 2 * H2, n_x), 1e-15);
  grl_lesson_say(L,
    "In PyTorch's reset-after GRU, r multiplies W_hn h + b_hn -- the bias\n"
    "b_hn too.  Cho et al. reset h before the product: W_hn (r*h) + b_hn.\n"
    "Same parameters, different outputs: chapter 3 measures by how much.");
  grl_model_free(m);
}

/*
## 6. A random batch: naive rows vs one batched step

The hand example is small; the agreement must not be luck.  A larger cell
at PyTorch's default initialisation, $U(-1/\sqrt{H}, 1/\sqrt{H})$, drawn
from `--seed`, on a batch of $B$ rows: the naive step row by row against
the driver's one GEMM for the batch.
*/

static void random_batch(grl_lesson *L)
{
  size_t I = 5, H = L->quick ? 4 : 16, B = 4;
  grl_lesson_section(L, "A random batch: naive rows vs one batched step");
  grl_model *m = NULL;
  grl_seq *s = NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *x = malloc(B * I * sizeof *x);      /* (B, I) */
  double *h0 = malloc(B * H * sizeof *h0);    /* (B, H) */
  double *hn = malloc(B * H * sizeof *hn);    /* (B, H) naive h' */
  double *g = malloc(3 * H * sizeof *g);      /* (3H) gates of one row */
  /* Our own allocations record their message with grl_fail, as the
   * library's do, so that the report below says what failed. */
  int rc = (!rng || !x || !h0 || !hn || !g)
           ? grl_fail(GRL_ENOMEM, "ch01: out of memory for the random batch")
           : GRL_OK;
  if (!rc)
    rc = grl_model_alloc(&m, &grl_cell_gru, I, H, 0);
  if (!rc)
    rc = grl_seq_alloc(&s, m, 1, B);
  if (rc) {
    grl_lesson_error(L, rc, "allocation");
    goto done;
  }
  gsl_rng_set(rng, L->seed);
  grl_model_init_uniform(m, rng);
  for (size_t i = 0; i < B * I; i++)
    x[i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
  for (size_t i = 0; i < B * H; i++)
    h0[i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
  grl_lesson_say(L, "I = %zu, H = %zu, B = %zu, parameters and inputs from --seed %lu",
                 I, H, B, L->seed);

  for (size_t b = 0; b < B; b++)
    m->cell->naive(m, m->theta, x + b * I, h0 + b * H, NULL, hn + b * H, NULL, g);
  rc = grl_seq_forward(s, NULL, x, h0, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  gsl_matrix_view hT = grl_seq_hT(s);   /* (B, H) */
  grl_lesson_vector(L, "row 0, naive h'", H, hn);
  grl_lesson_vector(L, "row 0, BLAS  h'", H, hT.matrix.data);
  grl_lesson_check(L, "naive vs BLAS, all rows, relative",
                   grl_lesson_reldiff(B * H, hn, hT.matrix.data), 1e-13);
done:
  grl_seq_free(s);
  grl_model_free(m);
  free(x); free(h0); free(hn); free(g);
  if (rng)
    gsl_rng_free(rng);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;   /* --help, --charts: 0; a bad option: 2 */

  activations(&L);
  stable_forms(&L);
  hand_step hs;
  gru_by_hand(&L, &hs);
  gru_in_library(&L, &hs);
  gates_roles(&L);
  random_batch(&L);
  return grl_lesson_end(&L);
}
