/*
# Lab 4: Backpropagation through time

**Prerequisites:** chapter 4 (BPTT: the gradient carried back through time), labs 2 and 3.

A sequence is the step of lab 2 run $T$ times, each step reading the state
the last one wrote; its backward pass is the step of lab 3 run $T$ times
in the other direction.

### What you will write

1. `gru_forward(hs, caches, xs, h0, p)`: $h_1 … h_T$ into `hs` and every
   step's cache, calling your `gru_step_forward`.
2. `gru_backward(dxs, dh0, dp, dhs, caches, xs, h0, hs, p)`: from `dhs`,
   the loss's own $∂L/∂h_t$ at every step, the gradients of every $x_t$,
   of $h_0$ and of the parameters, calling your `gru_step_backward`.

### The equations

$$h_t = \mathrm{GRU}(x_t, h_{t−1}), \qquad t = 1, …, T,$$

from a given $h_0$.  The loss reads every $h_t$, so the gradient reaching
$h_t$ has two parts: what the loss itself sends, $∂L/∂h_t$ from the output
(`dhs`), and what step $t + 1$ sends back through $h_t$, its input state.
BPTT walks $t = T, …, 1$ carrying that second part (chapter 4):

$$δ_t = \frac{∂L}{∂h_t}\Big|_{\text{output}} + \frac{∂L}{∂h_t}\Big|_{\text{from step } t+1}, \qquad δ_T = \frac{∂L}{∂h_T}\Big|_{\text{output}},$$

and runs the step backward on $δ_t$, with step $t$'s own input $x_t$,
input state $h_{t−1}$ and cache.  What step 1 sends back is $∂L/∂h_0$.
The parameters are the same at every step, so their gradient is the sum
over the steps: your step backward accumulates (`+=`), so passing the same
`dp` to every step sums them.

**Time in C.** Step $t = 1, …, T$ is row block $t − 1$ of a sequence
matrix: rows $[(t−1)B, tB)$ of `xs` hold $x_t$, the same rows of `hs` hold
$h_t$, and $h_0$ is a matrix of its own.  In C, with the block index
`k = 0 .. T-1` (step $t = k + 1$), step `k` reads its input state from
row block `k - 1` of `hs`, or from `h0` when `k == 0`.  `gsl_matrix_submatrix(xs, t * B, 0, B, I)` is a view of a
row block, no copy.

### What the grader checks

Your two functions at $T = 1$, 3 and 9 ($B = 2$, $I = 3$, $H = 4$),
against the library's `grl_seq_forward` and `grl_seq_backward`, every
entry.  Your `gru_backward` gets the library's forward (`hs`, caches), so
it does not depend on your `gru_forward`.  When a result is wrong, the
grader says at which steps, and whether the error grows with $T$ (a
mistake in the time loop) or is there already at $T = 1$ (a mistake in a
step).  Your steps of labs 2 and 3 are used where they pass, the
library's where not: the report says which.

### Run it

    make lab LAB=4            (HINT=1, HINT=2 for hints)
*/
#include "lab.h"

/*
## 1. Forward through time
*/
void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p)
{
  /* for t = 1 .. T:   h_t = GRU(x_t, h_{t-1}),  keeping step t's cache
   * xs (T*B, I), hs (T*B, H): step t is row block t-1; h_0 is h0 (B, H) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}

/*
## 2. Backward through time
*/
void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p)
{
  /* for t = T .. 1:
   *   delta_t = dhs_t + (dL/dh_t sent back by step t+1;  0 for t = T)
   *   step t backward on delta_t, with x_t, h_{t-1} and cache t:
   *     dx_t = dxs row block t-1,  its dh_prev is what goes to step t-1,
   *     dp accumulates
   * dh0 = what step 1 sent back */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}
