/*
# Lab 5: Your own gradient checker

**Prerequisites:** chapter 5 §1, §2, §3 (the V-curve, checking every entry, and the floor).

How do you know a backward pass is right?  Compare it, entry by entry,
with the derivative measured from the loss itself.  Chapter 5 does this
with four methods; here you write one, the central difference, with the
relative error and the floor that make it a reliable verdict.

### What you will write

1. `rel_error(a, n, floor)`: the relative error of $a$ against $n$.
2. `numerical_gradient(grad, f, arg, theta, n, h)`: central differences of
   a loss `f` of `n` parameters; `theta` must come back unchanged, to the
   bit.
3. `gradient_check(&worst, &worst_rel, analytic, numeric, n, tol,
   floor_rel)`: the verdict, and the worst entry.

### The equations

$$g_k ≈ \frac{f(θ + h e_k) − f(θ − h e_k)}{2h}$$

(an error of order $h^2$, against $h$ for the one-sided
$(f(θ + h e_k) − f(θ))/h$: chapter 5 §1's V-curve);

$$\mathrm{rel}(a, n) = \frac{|a − n|}{\max(|a| + |n|,\ \mathit{floor})}, \qquad \mathrm{rel} = 0 \text{ when } a = n,$$

with $\mathit{floor} = \mathit{floor\_rel} \cdot S$ and
$S = \max_k \max(|a_k|, |n_k|)$ over the arrays: one floor for the whole
vector (the GRU's 108 parameters below).  Chapter 5 ties the floor to
each tensor's largest entry instead, which is stricter on a tensor whose
entries are all small; here the floor is global, to keep the checker one
loop.  Without a floor, an
entry of $10^{−9}$ that a difference quotient measures to $10^{−11}$ (the
rounding of $f$ divided by $2h$) has a relative error of 1 %, and a right
gradient fails (chapter 5 §3).  A check passes when every entry's
relative error is at most the tolerance.

### What the grader checks

Your `rel_error` on 9 known pairs; your `numerical_gradient` on a GRU's
loss (108 parameters, $h = 10^{−5}$) against the library's own central
differences (`grl_gradcheck_run`), and that `theta` is unchanged; your
`gradient_check` on 5 pairs of arrays whose verdict is known.  Then your
whole checker on the GRU, as chapter 5 does (with the global floor): it must pass the library's
BPTT gradient and flag three planted wrong ones, each at the entry it was
planted in.

### Run it

    make lab LAB=5            (HINT=1, HINT=2 for hints)
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
