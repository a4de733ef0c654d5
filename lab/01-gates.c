/*
# Lab 1: Gates

**Prerequisites:** chapter 1 §1 and §2

A gated cell is built from two squashing functions, the logistic sigmoid
$σ$ and $\tanh$, and its backward pass needs their derivatives. In this
lab you write all four, the way the library does (chapter 1):

$$σ(a) = \frac{1}{1 + e^{−a}}, \qquad σ′(a) = σ(a)\,(1 − σ(a)),$$
$$\tanh(a) = \frac{1 − e^{−2a}}{1 + e^{−2a}}, \qquad \tanh′(a) = 1 − \tanh^2(a).$$

What the grader asks of them:

- **No overflow, no NaN, for any finite $a$.** Chapter 1 §2 measured where
  the tempting forms fail: $1/(1 + e^{−a})$ overflows $e^{−a}$ below
  $a = −709.78$, and $e^a/(1 + e^a)$ is $∞/∞$ = NaN above $+709.78$. Choose
  the form by the sign of $a$. The grader calls your functions from
  $a = −800$ to $+800$ and watches the floating-point overflow flag.
- **Full precision.** Each value must agree with the library's to 1e-12,
  relatively, also at $a = 10^{−10}$, where $1 − e^{−2a}$ keeps only six
  digits. C's `expm1(x)` computes $e^x − 1$ without that loss. (Calling
  C's `tanh` would pass, and teach you nothing: write it from `expm1`.)
- **Derivatives from the outputs.** The backward pass keeps $s = σ(a)$ and
  $t = \tanh(a)$, not $a$; so `lab_dsigmoid(s)` and `lab_dtanh(t)` take
  the output and return $s(1 − s)$ and $1 − t^2$.

Run `make lab LAB=1` to grade this lab alone, `make lab` for all of them.
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
