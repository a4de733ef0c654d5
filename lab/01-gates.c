/*
# Lab 1: Gates

**Prerequisites:** chapter 1 §1, §2 (σ and tanh, their derivatives, and where the tempting formulas fail).

A gated cell is built from two squashing functions, the logistic sigmoid
$σ$ and $\tanh$, and its backward pass needs their derivatives.  In this
lab you write all four, the way the library does.

### What you will write

1. `lab_sigmoid(a)`: $σ(a)$, for any finite $a$, without overflow.
2. `lab_tanh(a)`: $\tanh(a)$, without overflow, NaN or cancellation.
3. `lab_dsigmoid(s)` and `lab_dtanh(t)`: the derivatives, from the
   *outputs* $s = σ(a)$ and $t = \tanh(a)$ that the forward pass keeps.

### The equations

$$σ(a) = \frac{1}{1 + e^{−a}} = \frac{e^a}{1 + e^a}, \qquad σ′(a) = s\,(1 − s),$$
$$\tanh(a) = \frac{1 − e^{−2a}}{1 + e^{−2a}}, \qquad \tanh′(a) = 1 − t^2.$$

Chapter 1 §2 measured where the tempting forms fail: $1/(1 + e^{−a})$
overflows $e^{−a}$ below $a = −709.78$, $e^a/(1 + e^a)$ is $∞/∞$, a NaN,
above $+709.78$, and $1 − e^{−2a}$ keeps six digits at $a = 10^{−10}$.
Choose the form by the sign of $a$; C's `expm1(x)` computes $e^x − 1$
without the cancellation.  (Calling C's `tanh` would pass, and teach you
nothing: write it from `expm1`.)

### What the grader checks

Your σ and tanh at 28 points from $a = −800$ to $800$, against the
library's (`grl_sigmoid`, `grl_tanh`) to 1e-12, relatively; your
derivatives at 9 outputs each against their exact values $s − s^2$ and
$1 − t^2$, to 1e-12 relatively or one rounding of $s^2$ or $t^2$
(so $s(1 − s)$, $s − s \cdot s$, $1 − t \cdot t$ and $(1 − t)(1 + t)$ all
pass); and that σ and tanh never raise the floating-point overflow or
invalid-operation flag.

### Run it

    make lab LAB=1            grade this lab
    make lab LAB=1 HINT=1     with a hint for what is not right
    make lab LAB=1 HINT=2     and the line of its equation
*/
#include "lab.h"

/*
## 1. σ without overflow

Both forms below are the same number; each is safe on one side of 0.
*/
double lab_sigmoid(double a)
{
  double s = 0.0;
  /* sigma(a) = 1 / (1 + e^-a)       safe for a >= 0
   *          = e^a / (1 + e^a)      safe for a <  0  (the same value) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return s;
}

/*
## 2. tanh without overflow or cancellation

$\tanh$ is odd, $\tanh(−a) = −\tanh(a)$, so it is enough to compute it for
$a ≥ 0$, where $e^{−2a} ≤ 1$ cannot overflow. With $u = e^{−2a} − 1$
(`expm1(-2 * a)`), $\tanh(a) = −u/(2 + u)$.
*/
double lab_tanh(double a)
{
  double t = 0.0;
  /* tanh(a) = (1 - e^-2a) / (1 + e^-2a)          for a >= 0
   *         = -u / (2 + u),   u = e^-2a - 1 = expm1(-2a)
   * tanh(-a) = -tanh(a) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return t;
}

/*
## 3. The derivatives, from the outputs

The backward pass of lab 3 calls these with the gates it cached.
*/
double lab_dsigmoid(double s)
{
  double ds = 0.0;
  /* sigma'(a) = s (1 - s),   s = sigma(a) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return ds;
}

double lab_dtanh(double t)
{
  double dt = 0.0;
  /* tanh'(a) = 1 - t^2,   t = tanh(a) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return dt;
}
