/*
# Lab 3: One GRU step backward

**Prerequisites:** chapter 4 (the backward step, derived line by line), labs 1 and 2.

The backward pass of the step of lab 2.  Given $δ = ∂L/∂h′$ for the step's
output, it returns the gradients of the step's inputs, $∂L/∂x$ and
$∂L/∂h$, and adds the step's share to every parameter's gradient.

### What you will write

`gru_step_backward(dx, dh_prev, dp, dh, cache, x, h_prev, p)`: from
`dh` $= δ$, the cache of the forward step and its inputs again, `dx`
$(B, I)$, `dh_prev` $(B, H)$ and the parameter gradients `dp`.  Two rules
of the library's (and llm.c's) backward passes:

- `dp` is **accumulated** (`+=`): the caller zeroes it once, then every
  step of a sequence adds its share (lab 4 relies on this).
- `dx` and `dh_prev` are **overwritten**: whatever the caller left in them
  is not a gradient.

### The equations

Chapter 4 derives them by reading the forward pass backwards, one line at
a time: each forward line hands a gradient to each of its inputs.

| forward | backward |
|---|---|
| $h′ = (1 − z) ⊙ n + z ⊙ h$ | $dn = δ ⊙ (1 − z)$, $dz = δ ⊙ (h − n)$, $dh \mathrel{\text{+=}} δ ⊙ z$ |
| $n = \tanh(a_n)$, $a_n = W_{in}x + b_{in} + r ⊙ q$ | $da_n = dn ⊙ (1 − n^2)$, $dr = da_n ⊙ q$, $dq = da_n ⊙ r$ |
| $n$'s input half, $W_{in}x + b_{in}$ | $dW_{in} \mathrel{\text{+=}} da_n\, x^T$, $db_{in} \mathrel{\text{+=}} da_n$, $dx \mathrel{\text{+=}} W_{in}^T da_n$ |
| $n$'s recurrent half, $q = W_{hn} h + b_{hn}$ | $dW_{hn} \mathrel{\text{+=}} dq\, h^T$, $db_{hn} \mathrel{\text{+=}} dq$, $dh \mathrel{\text{+=}} W_{hn}^T dq$ |
| $z = σ(a_z)$, $r = σ(a_r)$ | $da_z = dz ⊙ z(1 − z)$, $da_r = dr ⊙ r(1 − r)$ |
| $a_g = W_{ig} x + b_{ig} + W_{hg} h + b_{hg}$, $g ∈ \{r, z\}$ | $dW_{ig} \mathrel{\text{+=}} da_g\, x^T$, $db_{ig} \mathrel{\text{+=}} da_g$, $dW_{hg} \mathrel{\text{+=}} da_g\, h^T$, $db_{hg} \mathrel{\text{+=}} da_g$, $dx \mathrel{\text{+=}} W_{ig}^T da_g$, $dh \mathrel{\text{+=}} W_{hg}^T da_g$ |

$h$ here is the step's input state $h_{t−1}$, and the derivatives of σ
and tanh are your `lab_dsigmoid` and `lab_dtanh`, from the cached outputs.
For a batch the rows are the samples: $dW_{ig} \mathrel{\text{+=}} da_g\, x^T$
summed over the batch is $da_g^T x$, with `da_g` $(B, H)$ and `x`
$(B, I)$; and $W_{ig}^T da_g$ is a row of `da_g W_ig`.

### What the grader checks

It gives your function the library's cache of a forward step, so this lab
does not depend on your lab 2, and compares every entry of `dx`,
`dh_prev` and the three gate blocks of each parameter gradient with the
library's backward pass (one step of `grl_seq_backward`), to 1e-10, on
the two batches of lab 2.  `dp` starts with random values (so
overwriting it shows), `dx` and `dh_prev` with 7.125 (so adding into them
shows).

### Run it

    make lab LAB=3            (HINT=1, HINT=2 for hints)
*/
#include "lab.h"

/*
## 1. The step backward
*/
void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p)
{
  /* delta = dh (B, H), the gradient of this step's output h.
   * forward was h = (1 - z) * n + z * h_prev, so
   *   dn      = delta * (1 - z)
   *   dz      = delta * (h_prev - n)
   *   dh_prev = delta * z   (the direct path, plus the products below)
   * forward was n = tanh(a_n), a_n = x W_in^T + b_in + r * q, so
   *   da_n    = dn * (1 - n^2)
   *   dr      = da_n * q
   *   dq      = da_n * r
   * forward was r = sigma(a_r), z = sigma(a_z), so
   *   da_r    = dr * r * (1 - r)
   *   da_z    = dz * z * (1 - z)
   * the parameters, ACCUMULATED (+=), summed over the batch rows:
   *   dW_ir += da_r^T x       dW_iz += da_z^T x       dW_in += da_n^T x
   *   dW_hr += da_r^T h_prev  dW_hz += da_z^T h_prev  dW_hn += dq^T h_prev
   *   db_i{r,z,n} += da_{r,z,n}                db_h{r,z,n} += da_r, da_z, dq
   * the inputs, OVERWRITTEN:
   *   dx       = da_r W_ir + da_z W_iz + da_n W_in
   *   dh_prev += da_r W_hr + da_z W_hz + dq W_hn */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}
