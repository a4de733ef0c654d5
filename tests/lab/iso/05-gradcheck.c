/*
# Lab 5 with rel_error alone wrong

The solution with rel_error dividing by max(|a|, |n|) (a reviewer's
submission): gradient_check, which calls it from this file, must still
pass, graded on the library's rel_error.
*/
#include "lab.h"

double rel_error(double a, double n, double floor)
{
  double rel = 0.0;
  /* rel = |a - n| / max(|a| + |n|, floor),   0 when a == n */
  /* YOUR CODE */
  if (a != n)
    rel = fabs(a - n) / fmax(fmax(fabs(a), fabs(n)), floor);
  /* END YOUR CODE */
  return rel;
}

void numerical_gradient(double *grad, loss_fn f, void *arg, double *theta,
                        size_t n, double h)
{
  /* for k < n:   grad[k] = (f(theta + h e_k) - f(theta - h e_k)) / 2h
   * theta[k] back to its value before the next k */
  /* YOUR CODE */
  for (size_t k = 0; k < n; k++) {
    double keep = theta[k];
    theta[k] = keep + h;
    double fp = f(theta, arg);
    theta[k] = keep - h;
    double fm = f(theta, arg);
    theta[k] = keep;
    grad[k] = (fp - fm) / (2.0 * h);
  }
  /* END YOUR CODE */
}

int gradient_check(size_t *worst, double *worst_rel, const double *analytic,
                   const double *numeric, size_t n, double tol,
                   double floor_rel)
{
  int pass = 0;
  /* S     = max over k of max(|analytic[k]|, |numeric[k]|)
   * floor = floor_rel * S
   * rel_k = rel_error(analytic[k], numeric[k], floor)
   * *worst = the k of the largest rel_k (the first on a tie; a NaN counts
   *          as the largest),
   * *worst_rel = that rel_k;   pass = (*worst_rel <= tol) */
  /* YOUR CODE */
  double S = 0.0;
  for (size_t k = 0; k < n; k++)
    S = fmax(S, fmax(fabs(analytic[k]), fabs(numeric[k])));
  double floor = floor_rel * S;
  *worst = 0;
  *worst_rel = 0.0;
  for (size_t k = 0; k < n; k++) {
    double rel = rel_error(analytic[k], numeric[k], floor);
    if (!(rel <= *worst_rel) && !isnan(*worst_rel)) {
      *worst = k;
      *worst_rel = rel;
    }
  }
  pass = *worst_rel <= tol;
  /* END YOUR CODE */
  return pass;
}
