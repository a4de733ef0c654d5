/* tests/lib/activation.c -- sigmoid and tanh: exact values at 0, clean
 * saturation at +-800 without overflow, symmetries, agreement with an
 * extended-precision reference, and derivatives computed from the OUTPUTS
 * (sigma' = s(1-s), tanh' = 1-t^2) against GSL's numerical derivative.
 *
 * grl_sigmoid is grulab's own (a stable form for each sign of x).
 * grl_tanh is the C library's tanh and nothing else: one assertion checks
 * that, bit for bit; the tanh assertions after it test libm's tanh for the
 * properties the cells rely on (exact saturation, oddness, range), and say
 * "libm" in their names.  tanh' = 1 - t^2 (grl_dtanh) is grulab's. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>

static double f_sigmoid(double x, void *p)
{
  (void)p;
  return grl_sigmoid(x);
}

static double f_tanh(double x, void *p)
{
  (void)p;
  return grl_tanh(x);
}

/* sigma(x) = 1/(1+e^{-x}) in long double: an independent reference. */
static double ref_sigmoid(double x)
{
  return (double)(1.0L / (1.0L + expl(-(long double)x)));
}

static const double pts[] = {2.385, -0.731, 7.919, -4.2617, 0.0137, -13.05};
#define NPTS (sizeof pts / sizeof pts[0])

int main(void)
{
  gsl_set_error_handler_off();
  plan(5 + 1 + 10 + NPTS + 4 + 2 + 1 + 3 * NPTS);

  /* ---- exact values at 0 ------------------------------------------ */
  is_double(grl_sigmoid(0.0), 0.5, 0.0, "sigmoid(0) = 0.5 exactly");
  is_double(grl_dsigmoid(grl_sigmoid(0.0)), 0.25, 0.0, "sigmoid'(0) = s(1-s) = 0.25");
  is_double(grl_sigmoid(-0.0), 0.5, 0.0, "sigmoid(-0) = 0.5");
  is_double(grl_tanh(0.0), 0.0, 0.0, "libm: tanh(0) = 0");
  is_double(grl_dtanh(grl_tanh(0.0)), 1.0, 0.0, "tanh'(0) = 1 - t^2 = 1");

  /* ---- grl_tanh is libm's tanh, bit for bit ------------------------ */
  int same = 1;
  for (int k = -40000; k <= 40000; k++) {
    double x = k * 1e-3 + 0.000317;
    same = same && grl_tanh(x) == tanh(x);
  }
  for (size_t i = 0; i < NPTS; i++)
    same = same && grl_tanh(pts[i]) == tanh(pts[i]);
  ok(same, "grl_tanh(x) == tanh(x) bit for bit on [-40, 40] (step 1e-3) and %zu points", NPTS);

  /* ---- saturation: finite, exact, and no overflow raised ----------- */
  feclearexcept(FE_ALL_EXCEPT);
  double sp = grl_sigmoid(800.0), sm = grl_sigmoid(-800.0);
  double tp = grl_tanh(800.0), tm = grl_tanh(-800.0);
  int raised = fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO);
  ok(!raised, "sigmoid(+-800), libm tanh(+-800) raise no overflow/invalid/divide-by-zero");
  ok(sp == 1.0, "sigmoid(800) == 1 exactly");
  ok(isfinite(sm) && sm >= 0.0 && sm < DBL_MIN, "sigmoid(-800) is finite, >= 0 and below DBL_MIN (got %g)", sm);
  ok(tp == 1.0, "libm: tanh(800) == 1 exactly");
  ok(tm == -1.0, "libm: tanh(-800) == -1 exactly");
  ok(grl_dsigmoid(sp) == 0.0 && grl_dsigmoid(sm) >= 0.0 && grl_dsigmoid(sm) < DBL_MIN,
     "sigmoid' from saturated outputs is 0 (or a non-negative subnormal)");
  ok(grl_dtanh(tp) == 0.0 && grl_dtanh(tm) == 0.0, "tanh' from saturated outputs is 0");
  ok(grl_sigmoid(DBL_MAX) == 1.0 && grl_sigmoid(-DBL_MAX) == 0.0
     && grl_tanh(DBL_MAX) == 1.0 && grl_tanh(-DBL_MAX) == -1.0,
     "+-DBL_MAX saturates too");
  /* Deep in the tail sigma(x) ~ e^x: still accurate, not flushed to 0. */
  is_double(grl_sigmoid(-700.0), (double)expl(-700.0L), 1e-14,
            "sigmoid(-700) = e^-700 to 1e-14 relative");
  ok(grl_sigmoid(-700.0) > 0.0, "sigmoid(-700) > 0");

  /* ---- agreement with an extended-precision reference ------------- */
  for (size_t i = 0; i < NPTS; i++) {
    double x = pts[i], want = ref_sigmoid(x);
    double got = grl_sigmoid(x);
    ok(fabs(got - want) <= 4 * DBL_EPSILON * want,
       "sigmoid(%g) = %.17g within 4 ulp of long double", x, got);
  }

  /* ---- symmetries ------------------------------------------------- */
  for (size_t i = 0; i < 4; i++) {
    double x = pts[i];
    /* 1 - sigma(x) cancels: it is known only to about DBL_EPSILON
     * absolute, so this symmetry is an absolute check. */
    is_double_abs(grl_sigmoid(-x), 1.0 - grl_sigmoid(x), 2 * DBL_EPSILON,
                  "sigma(-x) = 1 - sigma(x) at x = %g, to 2 eps absolute", x);
  }
  int odd = 1, ident = 1;
  for (size_t i = 0; i < NPTS; i++) {
    double x = pts[i];
    odd = odd && grl_tanh(-x) == -grl_tanh(x);
    /* sigma(x) = (1 + tanh(x/2)) / 2 */
    ident = ident && fabs(grl_sigmoid(x) - 0.5 * (1.0 + grl_tanh(0.5 * x))) <= 2e-16;
  }
  ok(odd, "libm: tanh(-x) = -tanh(x) exactly at %zu points", NPTS);
  ok(ident, "sigma(x) = (1 + tanh(x/2))/2 at %zu points", NPTS);

  /* Monotone and in range on a fine grid over [-40, 40]. */
  int mono = 1;
  double prev_s = -1.0, prev_t = -2.0;
  for (int k = -40000; k <= 40000; k++) {
    double x = k * 1e-3 + 0.000317;
    double s = grl_sigmoid(x), t = grl_tanh(x);
    mono = mono && s >= prev_s && t >= prev_t && s >= 0.0 && s <= 1.0
           && t >= -1.0 && t <= 1.0;
    prev_s = s;
    prev_t = t;
  }
  ok(mono, "sigmoid and (libm) tanh are monotone and within range on [-40, 40]");

  /* ---- derivatives from outputs against gsl_deriv_central --------- */
  gsl_function Fs = {f_sigmoid, NULL}, Ft = {f_tanh, NULL};
  for (size_t i = 0; i < NPTS; i++) {
    double x = pts[i], d, err;
    int st = gsl_deriv_central(&Fs, x, 1e-4, &d, &err);
    double got = grl_dsigmoid(grl_sigmoid(x));
    ok(st == GSL_SUCCESS && fabs(got - d) <= 4 * err + 1e-13,
       "sigmoid'(%g) = s(1-s) = %.12g, numerical %.12g +- %.1e", x, got, d, err);
  }
  for (size_t i = 0; i < NPTS; i++) {
    double x = pts[i], d, err;
    int st = gsl_deriv_central(&Ft, x, 1e-4, &d, &err);
    double got = grl_dtanh(grl_tanh(x));
    ok(st == GSL_SUCCESS && fabs(got - d) <= 4 * err + 1e-13,
       "tanh'(%g) = 1-t^2 = %.12g, numerical %.12g +- %.1e", x, got, d, err);
  }
  /* From the outputs, 1 - t^2 loses relative accuracy where t ~ +-1, but
   * its absolute error stays at rounding level: compare with sech^2. */
  for (size_t i = 0; i < NPTS; i++) {
    double x = pts[i];
    long double c = coshl((long double)x);
    double want = (double)(1.0L / (c * c));
    double got = grl_dtanh(grl_tanh(x));
    ok(fabs(got - want) <= 4 * DBL_EPSILON,
       "tanh'(%g) = 1-t^2 within 4 eps (absolute) of sech^2 = %.6g", x, want);
  }
  return exit_status();
}
