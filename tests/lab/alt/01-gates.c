/*
# Lab 1: correct, written differently

A correct lab 1 written differently from lab/solutions/: the derivatives
as s - s*s and (1 - t)(1 + t).  (1 - t)(1 + t) is more accurate than
1 - t*t near |t| = 1 (9e-17 against 1.1e-11 relatively at t = 0.999999),
and s - s*s cancels exactly as 1 - t*t does (1e-10 at s = 1 - 1e-10): the
grader allows one rounding of s^2 or t^2, so all four forms pass.
*/
#include "lab.h"

double lab_sigmoid(double a)
{
  double s = 0.0;
  /* sigma(a) = 1 / (1 + e^-a)       safe for a >= 0
   *          = e^a / (1 + e^a)      safe for a <  0  (the same value) */
  /* YOUR CODE */
  if (a >= 0.0) {
    s = 1.0 / (1.0 + exp(-a));
  } else {
    double e = exp(a);
    s = e / (1.0 + e);
  }
  /* END YOUR CODE */
  return s;
}

double lab_tanh(double a)
{
  double t = 0.0;
  /* tanh(a) = (1 - e^-2a) / (1 + e^-2a)          for a >= 0
   *         = -u / (2 + u),   u = e^-2a - 1 = expm1(-2a)
   * tanh(-a) = -tanh(a) */
  /* YOUR CODE */
  double u = expm1(-2.0 * fabs(a));
  t = -u / (2.0 + u);
  if (a < 0.0)
    t = -t;
  /* END YOUR CODE */
  return t;
}

double lab_dsigmoid(double s)
{
  double ds = 0.0;
  /* sigma'(a) = s (1 - s),   s = sigma(a) */
  /* YOUR CODE */
  ds = s - s * s;
  /* END YOUR CODE */
  return ds;
}

double lab_dtanh(double t)
{
  double dt = 0.0;
  /* tanh'(a) = 1 - t^2,   t = tanh(a) */
  /* YOUR CODE */
  dt = (1.0 - t) * (1.0 + t);
  /* END YOUR CODE */
  return dt;
}
