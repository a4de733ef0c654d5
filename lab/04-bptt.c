/*
# Lab 4: Backpropagation through time

**Prerequisites:** chapter 4, labs 2 and 3

A sequence is the step of lab 2 run $T$ times, each step reading the
state the last one wrote:

$$h_t = \mathrm{GRU}(x_t, h_{t−1}), \qquad t = 1, …, T,$$

from a given $h_0$. The loss reads every $h_t$, so its gradient with
respect to $h_t$ has two parts: what the loss itself sends,
$∂L/∂h_t$ from the output (here `dhs`), and what step $t + 1$ sends back
through $h_t$, its input state. Backpropagation through time walks
$t = T, …, 1$ carrying that second part (chapter 4):

$$δ_t = \frac{∂L}{∂h_t}\Big|_{\text{output}} + \frac{∂L}{∂h_t}\Big|_{\text{from step } t+1}, \qquad δ_T = \frac{∂L}{∂h_T}\Big|_{\text{output}},$$

and runs lab 3's step backward on $δ_t$, with step $t$'s own input $x_t$,
input state $h_{t−1}$ and cache. What step 1 sends back is $∂L/∂h_0$.
The parameters are the same at every step, so their gradients are the
sum over the steps: your step backward accumulates (`+=`), so passing the
same `dp` to every step sums them.

**Time in C.** Step $t = 1, …, T$ is row block $t − 1$ of a sequence
matrix: `xs` rows $[(t−1)B, tB)$ hold $x_t$, `hs` the same rows hold
$h_t$, and $h_0$ is a matrix of its own. A C loop over `t = 0 .. T-1`
therefore reads $h_{t−1}$ from row block `t - 1` of `hs`, or from `h0` when
`t == 0`. `gsl_matrix_submatrix(xs, t * B, 0, B, I)` is a view of a row
block, no copy.

The grader runs your two functions at $T = 1$, 3 and 9 and compares every
entry with the library's `grl_seq_forward` and `grl_seq_backward`. When a
sequence result is wrong it says whether the error grows with $T$ (a
mistake in the time loop) or is there already at $T = 1$ (a mistake in a
step).

Run `make lab LAB=4`.
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
