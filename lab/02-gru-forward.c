/*
# Lab 2: One GRU step forward

**Prerequisites:** chapter 1 §3, §4, §5 (one GRU step by hand, and which way z points), chapter 2 §1, lab 1.

One step of the GRU as PyTorch's `nn.GRU` computes it, for a batch of $B$
inputs at once.

### What you will write

`gru_step_forward(h, cache, x, h_prev, p)`: the new state `h` $(B, H)$
from the inputs `x` $(B, I)$ and the states `h_prev` $(B, H)$, and in
`cache` what lab 3's backward pass will need: the gates $r, z, n$ and
$q = W_{hn} h + b_{hn}$, the recurrent half of $n$'s pre-activation before
$r$ multiplies it.  Use your `lab_sigmoid` and `lab_tanh` of lab 1; write
it with plain loops or with `gsl_blas_dgemm`, as you like.

### The equations

For one input $x$ and state $h$ (chapter 1 §3):

$$r = σ(W_{ir} x + b_{ir} + W_{hr} h + b_{hr})$$
$$z = σ(W_{iz} x + b_{iz} + W_{hz} h + b_{hz})$$
$$n = \tanh\big(W_{in} x + b_{in} + r ⊙ (W_{hn} h + b_{hn})\big)$$
$$h′ = (1 − z) ⊙ n + z ⊙ h$$

The gates are stacked $r, z, n$ in the weights: `W_ih` is $(3H, I)$, with
$W_{ir}$ in rows $[0, H)$, $W_{iz}$ in $[H, 2H)$, $W_{in}$ in $[2H, 3H)$;
the same for `W_hh`, `b_ih`, `b_hh`.  A batch is the rows of a matrix, so
$W_{ir} x$ becomes a row of $x W_{ir}^T$.  Two conventions to get right:

- **Reset-after.** $r$ multiplies the recurrent product *after* it is
  taken, bias $b_{hn}$ included: $r ⊙ (W_{hn} h + b_{hn})$.  Cho et al.'s
  original GRU resets before, $W_{hn}(r ⊙ h)$; chapter 3 §6 shows the two
  give different outputs from the same weights.
- **Which way $z$ points.** $z$ is the fraction of the old state *kept*
  (chapter 1 §5): $z = 1$ copies $h$ through, $z = 0$ replaces it by $n$.

### What the grader checks

Your step on two batches ($B = 3$, $I = 5$, $H = 4$ and $B = 2$, $I = 3$,
$H = 6$) of random weights, inputs and states: $h′$ and every cache entry
against the library's GRU (one step of `grl_seq_forward`), to 1e-12.  The
cache shows which gate is wrong.

### Run it

    make lab LAB=2            (HINT=1, HINT=2 for hints)
*/
#include "lab.h"

/*
## 1. The step

For each row $b$ of the batch, first the two gates $r, z$ over all $H$
units, then $q$ and the candidate $n$, then the new state.
*/

void gru_step_forward(gsl_matrix *h, gru_cache *cache, const gsl_matrix *x,
                      const gsl_matrix *h_prev, const gru_params *p)
{
  /* rows are the batch: x (B, I), h_prev and h (B, H)
   *   a_r = x W_ir^T + b_ir + h_prev W_hr^T + b_hr      r = sigma(a_r)
   *   a_z = x W_iz^T + b_iz + h_prev W_hz^T + b_hz      z = sigma(a_z)
   *   q   = h_prev W_hn^T + b_hn
   *   a_n = x W_in^T + b_in + r * q                     n = tanh(a_n)
   *   h   = (1 - z) * n + z * h_prev          (z: the fraction of h_prev kept)
   * cache: r, z, n and q, each (B, H) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}
