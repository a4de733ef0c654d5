/*
# Lab 7 (stretch): An LSTM step, forward and backward

**Prerequisites:** chapter 3 §3 (between the LSTM and the GRU), §7 (the LSTM: its memory $c$ and $h = o ⊙ \tanh(c)$) and §8 (its step backward, derived and checked), chapter 7 §3 (the forget gate's memory), labs 1 to 3.

The long short-term memory cell as PyTorch's `nn.LSTM` computes it.  Its
state is a pair, $h$ and the cell state $c$.

### What you will write

1. `lstm_step_forward(next, cache, x, prev, p)`: the new state pair and
   what the backward pass needs, the gates and $\tanh(c′)$.
2. `lstm_step_backward(dx, dprev, dp, dnext, cache, x, prev, p)`: its
   mirror, with the rules of lab 3 (`dp` accumulated, the rest
   overwritten).

### The equations

Four gates are stacked $i, f, g, o$ in the weights (`W_ih` is $(4H, I)$:
$W_{ii}$ in rows $[0, H)$, $W_{if}$ in $[H, 2H)$, $W_{ig}$ in $[2H, 3H)$,
$W_{io}$ in $[3H, 4H)$):

$$i = σ(a_i), \quad f = σ(a_f), \quad g = \tanh(a_g), \quad o = σ(a_o), \qquad a_\cdot = W_{i\cdot} x + b_{i\cdot} + W_{h\cdot} h + b_{h\cdot},$$
$$c′ = f ⊙ c + i ⊙ g, \qquad h′ = o ⊙ \tanh(c′).$$

The memory lives in $c$: along $c′ = f ⊙ c + …$ the gradient is multiplied
by $f$ itself (chapter 7 §3).  So the backward pass receives *two*
gradients from the future, $∂L/∂h′$ and $∂L/∂c′$, and the one reaching
$c′$ is the sum of what comes in directly and what comes through $h′$:

$$dc′ = \mathrm{dnext}_c + \mathrm{dnext}_h ⊙ o ⊙ (1 − \tanh^2 c′),$$
$$do = \mathrm{dnext}_h ⊙ \tanh c′, \quad di = dc′ ⊙ g, \quad df = dc′ ⊙ c, \quad dg = dc′ ⊙ i, \quad dc = dc′ ⊙ f,$$

then through the gates' activations to the pre-activations $da_\cdot$
and, as in lab 3, to the parameters, $x$ and $h$.  Chapter 3 §8 derives
this mirror line by line and checks it on every entry; here you write it
yourself, over a batch.

### What the grader checks

$h′$, $c′$, the cache, and every entry of `dx`, `dprev` and the four gate
blocks of each parameter gradient, against the library's LSTM (one step
of `grl_seq_forward` and `grl_seq_backward`), on two batches.

### Run it

    make lab LAB=7            (HINT=1, HINT=2 for hints)
*/
#include "lab.h"

/*
## 1. The step forward
*/
void lstm_step_forward(lstm_state *next, lstm_cache *cache,
                       const gsl_matrix *x, const lstm_state *prev,
                       const lstm_params *p)
{
  /* rows are the batch; gate blocks i, f, g, o (PyTorch's order):
   *   a_i, a_f, a_g, a_o = x W_i.^T + b_i. + h_prev W_h.^T + b_h.
   *   i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)
   *   c = f * c_prev + i * g
   *   h = o * tanh(c)
   * cache: i, f, g, o and tc = tanh(c) */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}

/*
## 2. Backward: two gradients from the future
*/
void lstm_step_backward(gsl_matrix *dx, lstm_state *dprev, lstm_params *dp,
                        const lstm_state *dnext, const lstm_cache *cache,
                        const gsl_matrix *x, const lstm_state *prev,
                        const lstm_params *p)
{
  /* dnext = (dh, dc): the gradients of this step's h and c.
   * forward was h = o * tc, tc = tanh(c), so
   *   do  = dh * tc
   *   dct = dc + dh * o * (1 - tc^2)      (the total gradient of c)
   * forward was c = f * c_prev + i * g, so
   *   di = dct * g    df = dct * c_prev    dg = dct * i
   *   dc_prev = dct * f
   * forward was i, f, o = sigma(a), g = tanh(a), so
   *   da_i = di * i (1 - i)   da_f = df * f (1 - f)
   *   da_g = dg * (1 - g^2)   da_o = do * o (1 - o)
   * the parameters ACCUMULATED, dx and dh_prev OVERWRITTEN, as in lab 3:
   *   dW_i. += da_.^T x     dW_h. += da_.^T h_prev    db_i., db_h. += da_.
   *   dx = sum over gates of da_. W_i.    dh_prev = sum of da_. W_h. */
  /* YOUR CODE */
  LAB_TODO();
  /* END YOUR CODE */
}
