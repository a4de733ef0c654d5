/* activation.c -- numerically stable sigmoid and tanh.
 *
 * The textbook sigma(x) = 1/(1+exp(-x)) overflows exp() for x < -709; the
 * result is still right (1/inf = 0), but it raises FE_OVERFLOW and, in the
 * complex-step forward, turns into inf/inf = NaN.  So for x < 0 we use the
 * algebraically equal e^x/(1+e^x), where e^x underflows harmlessly to 0. */
#include <config.h>
#include "grulab.h"
#include "backend.h"

#include <math.h>

/* sigma(x) = 1 / (1 + e^{-x})          for x >= 0
 *          = e^{x} / (1 + e^{x})       for x <  0   (same value, no overflow) */
double grl_sigmoid(double x)
{
  if (x >= 0.0)
    return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* tanh from the C library is already stable: it saturates to +-1 exactly
 * for |x| > ~19.1 and never overflows.  (The tempting form
 * (e^{2x}-1)/(e^{2x}+1) is inf/inf = NaN for x > 354.) */
double grl_tanh(double x)
{
  return tanh(x);
}

/* ---- over arrays: the cells' gate loops ------------------------------- */

/* The fast backend vectorises these (src/fast/vmath.c); the loops below
 * are the plain path. */
void grl_sigmoid_n(double *y, const double *x, size_t n)
{
  if (!grl_fast_sigmoid_n(y, x, n))
    return;
  for (size_t i = 0; i < n; i++)
    y[i] = grl_sigmoid(x[i]);
}

void grl_tanh_n(double *y, const double *x, size_t n)
{
  if (!grl_fast_tanh_n(y, x, n))
    return;
  for (size_t i = 0; i < n; i++)
    y[i] = grl_tanh(x[i]);
}

const char *grl_vmath_name(void)
{
  const char *name = grl_fast_vmath_name();
  return name ? name : "libm";
}
