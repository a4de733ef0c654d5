/*
# Lab 6: Training

**Prerequisites:** chapter 6 §3 (the adding problem), §5 (Adam), §7 (clipping by global norm), §8 (a GRU's first training), labs 1 to 4.

Your GRU of labs 2 to 4 learns.  Three pieces turn a gradient into
learning, and then you train on the adding problem.

### What you will write

1. `clip_global_norm(g, max_norm)`: clipping by the global norm.
2. `adam_step(s, params, grads)`: one update of Adam.
3. `train_step(net, grad, opt, w, xs, y, max_norm)`: one training step on
   a batch.

### The equations

**Clipping by the global norm** (Pascanu, Mikolov and Bengio 2013,
chapter 6 §7).  All the parameters' gradients together are one vector
$g$; when its length passes a threshold, shrink it, keeping its direction:

$$\|g\| = \sqrt{\textstyle\sum_k \sum_i g_{k,i}^2}, \qquad g ← g \cdot \frac{\mathit{max\_norm}}{\|g\|} \quad \text{if } \|g\| ≥ \mathit{max\_norm}.$$

The sum runs over *every* tensor $k$ at once; clipping each tensor by its
own norm changes the direction of $g$.

**Adam** (Kingma and Ba 2015, in PyTorch's form).  For every entry, with
$t$ the number of updates so far, this one included:

$$m ← β_1 m + (1 − β_1) g, \qquad v ← β_2 v + (1 − β_2) g^2,$$
$$\hat m = \frac{m}{1 − β_1^t}, \qquad \hat v = \frac{v}{1 − β_2^t}, \qquad θ ← θ − \mathit{lr} \frac{\hat m}{\sqrt{\hat v} + ε}.$$

$m$ and $v$ start at 0, so early on they are too small; the two divisions
(the bias corrections) undo that.

**One training step.**  Zero the gradients; run your `gru_forward` over
the batch; the readout $\hat y = h_T W_o^T + b_o$ and the mean squared
error against the targets (the library's, `readout_mse`), which also gives
$∂L/∂h_T$; put that at step $T$ of `dhs` (the loss reads no other step);
run your `gru_backward`; clip; update with Adam.  Return the loss.

**The adding problem** (chapter 6 §3).  Each step's input is a value in
$[0, 1]$ and a marker; two steps are marked, one in each half, and the
target is the sum of the two marked values.  Always answering 1 scores
$1/6$, the baseline.

### What the grader checks

Clipping on gradients of norm about 6 and 0.6, against
`grl_clip_global_norm`; four Adam steps against `grl_optim_step`; two
training steps against the library's (its forward, readout, BPTT, clip
and Adam on one flat parameter block).  Then it trains your GRU
($H = 12$) with your `train_step` on batches of 16 sequences of $T = 20$
steps, learning rate 0.01, clipping at 1, for 300 steps from its fixed
seed, and tests it on 1000 fresh sequences on the library's forward pass:
it has learned when the test MSE is below a tenth of the baseline,
$1/60$.

### Run it

    make lab LAB=6            (HINT=1, HINT=2 for hints)
*/
#include "lab.h"

/*
## 1. Clipping by the global norm
*/
double clip_global_norm(tensor_list *g, double max_norm)
{
  double norm = 0.0;
  /* ||g|| = sqrt(sum over every tensor k and entry i of g_k[i]^2)
   * if ||g|| >= max_norm:   g_k <- g_k * (max_norm / ||g||)  for every k
   * return ||g||, as it was before clipping */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return norm;
}

/*
## 2. Adam
*/
void adam_step(adam_state *s, tensor_list *params, const tensor_list *grads)
{
  /* t <- t + 1;  for every tensor k and entry i, with g = grads_k[i]:
   *   m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
   *   m_hat = m / (1 - beta1^t)             v_hat = v / (1 - beta2^t)
   *   theta <- theta - lr m_hat / (sqrt(v_hat) + eps)
   * m and v are s->m.t[k], s->v.t[k]; theta is params->t[k] */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}

/*
## 3. One training step
*/
double train_step(gru_net *net, gru_net *grad, adam_state *opt, train_work *w,
                  const gsl_matrix *xs, const gsl_matrix *y, double max_norm)
{
  double loss = 0.0;
  /* grad <- 0
   * hs, caches = gru_forward(xs, h0)                     (lab 4)
   * loss, dW_o, db_o, dL/dh_T = readout_mse(h_T, y)      (the library)
   * dhs = 0 but at step T, where it is dL/dh_T
   * dxs, dh0, grad = gru_backward(dhs, ...)              (lab 4)
   * clip grad to max_norm;  Adam: net <- net - ...       (sections 1, 2) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
  return loss;
}
