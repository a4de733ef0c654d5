/*
# Lab 5: Your own gradient checker

**Prerequisites:** chapter 5 §1 to §3

How do you know a backward pass is right? Compare it, entry by entry,
with the derivative measured from the loss itself. Chapter 5 does this
with four methods; here you write the central difference, the relative
error with a floor, and the verdict:

$$g_k ≈ \frac{f(θ + h e_k) − f(θ − h e_k)}{2h}$$

(an error of order $h^2$, against $h$ for the one-sided
$(f(θ + h e_k) − f(θ))/h$: chapter 5 §1's V-curve);

$$\mathrm{rel}(a, n) = \frac{|a − n|}{\max(|a| + |n|,\ \mathit{floor})}, \qquad \mathrm{rel} = 0 \text{ when } a = n,$$

with the floor $\mathit{floor} = \mathit{floor\_rel} \cdot S$,
$S = \max_k \max(|a_k|, |n_k|)$ over the tensor. Without a floor, an entry
of $10^{−9}$ that a difference quotient measures to $10^{−11}$ (the
rounding of $f$ divided by $2h$) has a relative error of 1 %, and a right
gradient fails (chapter 5 §3). A check passes when every entry's
relative error is at most the tolerance.

The grader calls your `rel_error` on known pairs, your
`numerical_gradient` on a GRU's loss (its $θ$ must come back
unchanged, to the bit), and your `gradient_check` on arrays where it
knows the answer. Then it runs your whole checker on the GRU, as chapter
5 does: it must pass the library's right BPTT gradient, and flag three
planted wrong ones, each at the planted entry.

Run `make lab LAB=5`.
*/
#include "lab.h"

/*
## 1. The relative error, with a floor
*/
double rel_error(double a, double n, double floor)
{
  double rel = 0.0;
  /* rel = |a - n| / max(|a| + |n|, floor),   0 when a == n */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return rel;
}

/*
## 2. The central difference

Change one entry, evaluate, change it back: the loss reads `theta`, so
every entry but the $k$-th must be exactly as it was.
*/
void numerical_gradient(double *grad, loss_fn f, void *arg, double *theta,
                        size_t n, double h)
{
  /* for k < n:   grad[k] = (f(theta + h e_k) - f(theta - h e_k)) / 2h
   * theta[k] back to its value before the next k */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}

/*
## 3. The verdict
*/
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
  LAB_TODO();
  /* END YOUR CODE */
  return pass;
}
