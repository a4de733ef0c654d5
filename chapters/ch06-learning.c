/*
# Chapter 6: Learning

**Prerequisites:** chapter 1 §3 (one GRU step), chapter 2 §3 (a GRU run
over a sequence), chapter 4 §1 (BPTT), chapter 5 §2 and §3 (the
gradient check of every entry, the floored relative error).

Chapters 1 to 5 built a GRU and its gradient and checked that gradient
entry by entry.  Nothing has learned yet.  This chapter puts a readout on
top of the cell, gives it a loss, and follows the gradient downhill: first
on the readout alone, where everything can be computed exactly, then on a
whole GRU learning the adding problem, the task that chapters 7 and 8 use.

### What you will learn

1. **The readout and the losses.**  A linear readout $\hat y = W_o h + b_o$
   turns the state into an answer; the mean squared error scores a number,
   softmax cross-entropy a class.  Their gradients follow in three lines
   each, and chapter 5's checker (central differences and the complex step)
   confirms them on every entry.
2. **The adding problem**, the task of the rest of the chapter (and of
   chapters 7 and 8), with the two baselines that tell memory from none:
   $1/6$ without any memory and $1/12$ with only the second marker.
3. **Gradient descent and the learning rate.**  On the readout alone the
   loss is a quadratic.  Gradient descent multiplies the error along each
   eigenvector of the Hessian by $1 - \eta\lambda_i$ per step, so it
   diverges exactly when $\eta > 2/\lambda_{\max}$.  The chapter computes
   $\lambda_{\max}$ with GSL's eigensolver and runs just below and just
   above the threshold.
4. **Momentum, RMSprop and Adam**, from their update formulas (PyTorch's),
   with what each changes, measured on ill-conditioned quadratics (one of
   them in two geometries, axis-aligned and rotated, over three seeds).
   `tests/lib/optim.c` checks every step of each against `torch.optim`.
5. **Mini-batches and noise.**  A batch of $B$ sequences averages $B$
   per-sequence gradients, so the variance of the batch gradient falls as
   $1/B$; the chapter measures it.
6. **Clipping by global norm** (Pascanu, Mikolov and Bengio 2013): it keeps
   the gradient's direction and caps its length.
7. **A GRU's first training** on the adding problem, with all of the above.

### The equations

Per row of the batch; $R$ rows, $O$ outputs, $C$ classes:

$$\hat y = W_o h + b_o$$
$$L_{\mathrm{MSE}} = \frac{1}{RO}\sum_{r,o} (\hat y_{ro} - t_{ro})^2, \qquad \frac{\partial L_{\mathrm{MSE}}}{\partial \hat y_{ro}} = \frac{2}{RO} (\hat y_{ro} - t_{ro})$$
$$L_{\mathrm{CE}} = \frac{1}{R} \sum_r \Big[\log \sum_c e^{z_{rc}} - z_{r\ell_r}\Big], \qquad \frac{\partial L_{\mathrm{CE}}}{\partial z_{rc}} = \frac{1}{R} \big(p_{rc} - [c = \ell_r]\big)$$
$$\theta \leftarrow \theta - \eta\, g, \qquad \text{stable on a quadratic iff } 0 < \eta < 2/\lambda_{\max}$$

### Run it

    chapters/ch06-learning                 the lesson: about 15 s of CPU time,
                                           most of it the trainings of §6 and
                                           §8, which run in parallel
    chapters/ch06-learning --quick         tiny sizes, about 0.1 s of CPU;
                                           too short to learn the task
    chapters/ch06-learning --seq-len 30    the adding problem at T = 30
    chapters/ch06-learning --help          options and exercises

### Charts

- `ch06-descent`: the readout's excess loss $L - L^*$ against the step, for
  gradient descent at three learning rates around $2/\lambda_{\max}$, with the
  predicted growth $(\eta\lambda_{\max} - 1)^{2k}$ of the diverging run.
- `ch06-valley`: the four optimisers' paths in a 2-D valley 20 times steeper
  across than along, and their loss against the step (one start).
- `ch06-optimisers`: their loss on a 20-dimensional quadratic with
  $\kappa = 100$, axis-aligned and rotated, geometric mean and range over
  three seeds.
- `ch06-batch-noise`: the variance of the batch gradient against $B$,
  log-log, against the $1/B$ law, at initialisation and on the plateau.
- `ch06-clipping`: per-sequence gradients before and after clipping, by
  global norm and by value: their norms, and their cosine to the original.
- `ch06-adding`: a GRU's training loss on the adding problem, mean and range
  over the seeds, against the baselines $1/6$ and $1/12$.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <complex.h>
#undef I /* complex.h's imaginary unit: I is the input size here */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static const char *const charts[] = {"descent", "valley", "optimisers",
                                     "batch-noise", "clipping", "adding",
                                     NULL};

/* 0 = the chapter's default (full run, or --quick's) */
static size_t opt_T, opt_H, opt_steps, opt_seeds, opt_threads;

enum { MAX_SEEDS = 10 };

/* --hidden-size stops at 128: section 4's least squares fits H + 1 numbers
 * to max(256, 4(H + 1)) sequences (quick: max(64, 4(H + 1))), and the
 * lesson should stay quick.  --seeds starts at 3: a comparison rests on at
 * least three. */
static const grl_opt options[] = {
  {"seq-len", GRL_OPT_SIZE, &opt_T, "T",
   .help = "the adding problem's length, 2 .. 1000 (default 20, quick 10)",
   .lo = 2, .hi = 1000},
  {"hidden-size", GRL_OPT_SIZE, &opt_H, "H",
   .help = "hidden units of the GRU, 1 .. 128 (default 32, quick 8)",
   .lo = 1, .hi = 128},
  {"steps", GRL_OPT_SIZE, &opt_steps, "N",
   .help = "optimiser steps of section 8's trainings, N >= 1 (default 2000, quick 60)",
   .lo = 1},
  {"seeds", GRL_OPT_SIZE, &opt_seeds, "N",
   .help = "seeds of every comparison: --seed, --seed+1, ... (3 .. 10, default 3)",
   .lo = 3, .hi = MAX_SEEDS},
  {"threads", GRL_OPT_SIZE, &opt_threads, "N",
   .help = "trainings run at once (default: one per core); the output is the same",
   .lo = 1, .hi = 1024},
  {NULL}};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* 2 / lambda_max, lambda_max = 2(H+1), H = 16 */
{
  *v = 2.0 / (2.0 * (16.0 + 1.0));
  return GRL_OK;
}

static int ex2_answer(double *v)   /* |m_1| / sqrt(v_1) = (1-b1) / sqrt(1-b2) */
{
  *v = (1.0 - 0.9) / sqrt(1.0 - 0.999);
  return GRL_OK;
}

static int ex3_answer(double *v)   /* keep only u_1: Var(u_2) = 1/12 */
{
  *v = 1.0 / 12.0;
  return GRL_OK;
}

static int ex4_answer(double *v)   /* smallest t with 0.999^t < 0.01 */
{
  int t = 0;
  while (pow(0.999, t) >= 0.01)
    t++;
  *v = t;
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"Section 4 bounds the readout's $\\lambda_{\\max}$ by $2(H+1)$, approached\n"
   "when every state $h_T$ nears the same corner of $[-1, 1]^H$.  For $H = 16$\n"
   "and $\\lambda_{\\max} = 2(H+1)$, above which learning rate does gradient\n"
   "descent on the readout diverge?  Give it to three significant figures.\n"
   "Then run `chapters/ch06-learning --hidden-size 16` (and `--hidden-size 64`)\n"
   "and read section 4's lambda_max and tr A: does lambda_max follow 2(H+1)\n"
   "or tr A, and what does that say about the threshold a wider net has?",
   ex1_answer, 0.01, 0},
  {"Adam without bias correction would step by $\\eta\\, m_1 / \\sqrt{v_1}$ at\n"
   "step 1, with $m_1 = (1-\\beta_1) g$ and $v_1 = (1-\\beta_2) g^2$.  By what\n"
   "factor is that step longer than the corrected one, $\\eta\\,\\mathrm{sign}(g)$,\n"
   "for $\\beta_1 = 0.9$, $\\beta_2 = 0.999$?  (Two figures are enough.)",
   ex2_answer, 0.02, 0},
  {"A net that keeps only the FIRST marker's value answers $u_1 + 1/2$.\n"
   "Derive its mean squared error, then measure it: add it to section 3's\n"
   "baselines (the default run's 20000 sequences) and give the measured\n"
   "value.", ex3_answer, 0.03, 0},
  {"Adam divides $v_t$ by $1 - \\beta_2^t$.  With $\\beta_2 = 0.999$, after how\n"
   "many steps is $\\beta_2^t$ first below 0.01, so that the correction\n"
   "changes $\\sqrt{\\hat v_t}$ by only about half a percent?", ex4_answer, 0, 1},
  {"Train the GRU of section 8 with plain SGD instead of Adam, on three\n"
   "seeds (one run is one sample):\n"
   "`grulab train --task adding --cell gru --seq-len 20 --steps 2000 --optimizer sgd --lr 0.1 --seed S`\n"
   "for S = 1, 2, 3, then with `--lr 1`, and each again with `--clip 0`.\n"
   "Which settings get below $1/12$ on every seed, on some, on none?  Which\n"
   "diverge, and does clipping save them?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch06-learning",
  .title = "Learning: losses, gradient descent, optimisers, the adding problem",
  .summary =
    "Chapter 6 teaches learning.  It derives the gradients of a linear readout\n"
    "under the mean squared error and softmax cross-entropy and checks them\n"
    "with central differences and the complex step; defines the adding\n"
    "problem with its baselines 1/6 (no memory) and 1/12 (only the second\n"
    "marker), measured with their standard errors; runs gradient descent on\n"
    "the readout alone just below and just above lr = 2/lambda_max of the\n"
    "loss's Hessian; derives momentum, RMSprop and Adam and compares them over\n"
    "three seeds; measures how the batch gradient's variance falls as 1/B\n"
    "and the noise scale on three seeds; shows that clipping by global norm\n"
    "keeps the direction and caps the length; and ends with a GRU's first\n"
    "training on the adding problem at T = 20, three seeds.",
  .charts = charts,
  .seed = 6,
  .opts = options,
};

/* The run's sizes, from the options. */
typedef struct {
  size_t T;          /* the adding problem's length           */
  size_t H;          /* hidden units                           */
  size_t nseed;      /* seeds of every comparison              */
  unsigned long seed;
  int quick;
} sizes;

/* A GRU with a one-output readout at PyTorch's initialisation (every entry
 * ~ U(-1/sqrt(H), 1/sqrt(H)), readout included), drawn from mt19937(seed);
 * r is left where the draw ended, ready for the batches. */
static int net_alloc(grl_model **m, const sizes *sz, gsl_rng *r,
                     unsigned long seed)
{
  int rc = grl_model_alloc(m, &grl_cell_gru, 2, sz->H, 1);
  if (rc)
    return rc;
  gsl_rng_set(r, seed);
  grl_model_init_uniform(*m, r);
  return GRL_OK;
}

/* Where the readout starts in theta: Wo (1, H), then bo (1), at its end. */
static size_t readout_offset(const grl_model *m)
{
  return grl_model_param(m, "readout_weight")->offset;
}

/*
## 1. The readout and the two losses

A cell's state is not yet an answer.  A **linear readout** maps each state
row $h$ (length $H$) to $O$ outputs, $\hat y = W_o h + b_o$, with $W_o$ of
shape $(O, H)$; for a batch of $R$ rows, $\hat Y = H_{\mathrm{rows}} W_o^\top +
\mathbf 1 b_o^\top$.  It is PyTorch's `nn.Linear(H, O)`, and its weights
sit at the end of the model's one parameter block, so the optimiser and
the gradient check treat them like any other parameter.

The **mean squared error** over all $N = RO$ outputs,
$L = \frac{1}{N} \sum (\hat y - t)^2$, has
$\partial L / \partial \hat y = \frac{2}{N} (\hat y - t)$.
**Softmax cross-entropy** scores class scores (logits) $z_r$ against a
label $\ell_r$: the softmax $p_{rc} = e^{z_{rc}} / \sum_{c'} e^{z_{rc'}}$
is the predicted distribution, and $L = -\frac{1}{R} \sum_r \log p_{r\ell_r}
= \frac{1}{R} \sum_r [\operatorname{lse}(z_r) - z_{r\ell_r}]$ with
$\operatorname{lse}(z) = \log \sum_c e^{z_c}$.  Since
$\partial \operatorname{lse}/\partial z_c = e^{z_c} / \sum e^{z_{c'}} = p_c$,

$$\frac{\partial L}{\partial z_{rc}} = \frac{1}{R} \big(p_{rc} - [c = \ell_r]\big):$$

the predicted distribution minus the one-hot truth.  The library computes
$\operatorname{lse}(z)$ as $z_{\max} + \log \sum e^{z_c - z_{\max}}$, so that
logits of $10^4$ do not overflow.

Back through the readout, $\hat Y = H_{\mathrm{rows}} W_o^\top + \mathbf 1 b_o^\top$
gives, with $G = \partial L/\partial \hat Y$ of shape $(R, O)$:

$$\frac{\partial L}{\partial W_o} = G^\top H_{\mathrm{rows}}, \qquad
  \frac{\partial L}{\partial b_o} = \sum_r G_r, \qquad
  \frac{\partial L}{\partial H_{\mathrm{rows}}} = G\, W_o .$$

The last is where backpropagation through time starts (chapter 4).  The
section works one row by hand: a readout with $H = 3$ and $O = 2$, its MSE
and its cross-entropy, each gradient printed beside the same product
written out as loops.
*/

/* The tiny readout of section 1: H = 3, O = 2 outputs (or C = 2 classes). */
static const double tiny_h[3] = {0.412, -0.731, 0.257};
static const double tiny_W[6] = {0.385, -0.219, 0.647, -0.532, 0.128, 0.874};
static const double tiny_b[2] = {0.117, -0.243};
static const double tiny_t[2] = {1.1, -0.37};
static const size_t tiny_label = 1;

static void readout_by_hand(grl_lesson *L)
{
  grl_lesson_section(L, "The readout and the two losses, one row by hand");
  enum { H = 3, O = 2 };
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, 1, H, O);
  if (rc) {
    grl_lesson_error(L, rc, "grl_model_alloc");
    return;
  }
  memcpy(grl_model_tensor(m, m->theta, "readout_weight"), tiny_W, sizeof tiny_W);
  memcpy(grl_model_tensor(m, m->theta, "readout_bias"), tiny_b, sizeof tiny_b);
  double y[O], dy[O], dh[H];
  double *dtheta = calloc(m->n, sizeof *dtheta);       /* (n) */
  if (!dtheta) {
    grl_model_free(m);
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
    return;
  }
  gsl_matrix_const_view hv = gsl_matrix_const_view_array(tiny_h, 1, H);
  gsl_matrix_view yv = gsl_matrix_view_array(y, 1, O), dyv = gsl_matrix_view_array(dy, 1, O);
  gsl_matrix_view dhv = gsl_matrix_view_array(dh, 1, H);
  gsl_matrix_const_view tv = gsl_matrix_const_view_array(tiny_t, 1, O);
  grl_lesson_vector(L, "h", H, tiny_h);
  grl_lesson_matrix(L, "W_o (2 x 3)", O, H, tiny_W, H);
  grl_lesson_vector(L, "b_o", O, tiny_b);

  grl_readout_forward(m, NULL, &hv.matrix, &yv.matrix);
  for (size_t o = 0; o < O; o++) {
    /* y_o = sum_j W_oj h_j + b_o */
    double s = tiny_b[o];
    for (size_t j = 0; j < H; j++)
      s += tiny_W[o * H + j] * tiny_h[j];
    char label[48];
    snprintf(label, sizeof label, "y_%zu = W_o h + b_o", o);
    grl_lesson_known(L, label, y[o], s);
  }

  /* ---- the MSE against t */
  grl_lesson_say(L, "\nThe mean squared error against t = (%.2f, %.2f), N = 2 outputs:",
                 tiny_t[0], tiny_t[1]);
  double Lm = grl_loss_mse(&yv.matrix, &tv.matrix, &dyv.matrix);
  double e0 = y[0] - tiny_t[0], e1 = y[1] - tiny_t[1];
  grl_lesson_known(L, "L = ((y0-t0)^2 + (y1-t1)^2) / 2", Lm, (e0 * e0 + e1 * e1) / 2.0);
  grl_lesson_known(L, "dL/dy_0 = 2 (y0 - t0) / 2", dy[0], e0);
  grl_lesson_known(L, "dL/dy_1 = 2 (y1 - t1) / 2", dy[1], e1);
  grl_readout_backward(m, NULL, dtheta, &hv.matrix, &dyv.matrix, &dhv.matrix);
  const double *dW = grl_model_tensor(m, dtheta, "readout_weight");
  const double *db = grl_model_tensor(m, dtheta, "readout_bias");
  double worst = 0.0;
  for (size_t o = 0; o < O; o++) {
    /* dW_oj = dy_o h_j;  db_o = dy_o */
    for (size_t j = 0; j < H; j++)
      worst = fmax(worst, fabs(dW[o * H + j] - dy[o] * tiny_h[j]));
    worst = fmax(worst, fabs(db[o] - dy[o]));
  }
  for (size_t j = 0; j < H; j++) {
    /* dh_j = sum_o dy_o W_oj */
    double s = 0.0;
    for (size_t o = 0; o < O; o++)
      s += dy[o] * tiny_W[o * H + j];
    worst = fmax(worst, fabs(dh[j] - s));
  }
  grl_lesson_matrix(L, "dL/dW_o = dy h^T", O, H, dW, H);
  grl_lesson_vector(L, "dL/db_o = dy", O, db);
  grl_lesson_vector(L, "dL/dh = W_o^T dy", H, dh);
  grl_lesson_check(L, "library against the loops above, max abs", worst, 1e-15);

  /* ---- cross-entropy with label 1, the outputs read as logits */
  grl_lesson_say(L, "\nThe same outputs read as logits z of C = 2 classes, label %zu:",
                 tiny_label);
  double Lx = grl_loss_xent(&yv.matrix, &tiny_label, &dyv.matrix);
  double p1 = 1.0 / (1.0 + exp(y[0] - y[1]));   /* softmax of two classes */
  grl_lesson_known(L, "p_1 = e^z1 / (e^z0 + e^z1)", 1.0 - dy[0], p1);
  grl_lesson_known(L, "L = -log p_1", Lx, -log(p1));
  grl_lesson_known(L, "dL/dz_0 = p_0 - 0", dy[0], 1.0 - p1);
  grl_lesson_known(L, "dL/dz_1 = p_1 - 1", dy[1], p1 - 1.0);
  grl_lesson_say(L,
    "The cross-entropy gradient is the predicted distribution minus the\n"
    "one-hot truth: its entries sum to 0, and it vanishes only when the\n"
    "net puts all its probability on the right class.");
  free(dtheta);
  grl_model_free(m);
}

/*
## 2. Their gradients, checked entry by entry

Three lines of algebra can hide a slip, so the gradients meet chapter 5's
checker.  `grl_gradcheck_fn_run` is the library's gradient check for any
scalar function of a flat block of numbers: the same estimates, steps,
relative error $|a - n| / \max(|a| + |n|, \text{floor})$, per-tensor floor
and tolerances as chapter 5 §2, with one report row per named tensor.
Here the block is $(W_o, b_o, H_{\mathrm{rows}})$, the readout's parameters and
the states it reads, and the function is the loss of the readout's output.

The real loss is the library's own (`grl_readout_forward`, then
`grl_loss_mse` or `grl_loss_xent`); the gradient under test is the
library's backward.  For the complex step the loss is written once more
below in `double _Complex`, as the formula says: no `abs`, no `conj`, and
the log-sum-exp shifted by the real part of the largest logit, so that it
stays analytic and $\operatorname{Im} L(u + ih)/h$ is the derivative to
rounding.
*/

/* The check's problem: R rows of states, a readout of K outputs, and MSE
 * targets or cross-entropy labels. */
typedef struct {
  grl_model *m;          /* K readout outputs; its cell is not used   */
  size_t R, H, K;
  int xent;              /* 0: MSE against t, 1: cross-entropy        */
  double *t;             /* (R, K) MSE targets                        */
  size_t *labels;        /* (R) cross-entropy labels                  */
  double *theta;         /* (n) the model's block, readout written in */
  gsl_matrix *y, *dy, *dh;   /* (R, K), (R, K), (R, H)                */
} lossfn;

/* u = (W_o (K, H), b_o (K), h (R, H)) laid end to end. */
static double lossfn_real(const double *u, void *ctx)
{
  lossfn *f = ctx;
  const size_t KH = f->K * f->H;
  memcpy(grl_model_tensor(f->m, f->theta, "readout_weight"), u,
         (KH + f->K) * sizeof *u);
  gsl_matrix_const_view h = gsl_matrix_const_view_array(u + KH + f->K, f->R, f->H);
  grl_readout_forward(f->m, f->theta, &h.matrix, f->y);
  if (f->xent)
    return grl_loss_xent(f->y, f->labels, NULL);
  gsl_matrix_const_view t = gsl_matrix_const_view_array(f->t, f->R, f->K);
  return grl_loss_mse(f->y, &t.matrix, NULL);
}

/* The same loss in double _Complex, written out:
 *   y_rk = sum_j W_kj h_rj + b_k
 *   MSE   L = (1/(R K)) sum (y - t)^2                      (no conj)
 *   xent  L = (1/R) sum_r [ m + log sum_k e^{y_rk - m} - y_r,label ],
 *         m = max_k Re y_rk                                  (a constant shift) */
static double _Complex lossfn_complex(const double _Complex *u, void *ctx)
{
  lossfn *f = ctx;
  const size_t R = f->R, H = f->H, K = f->K;
  const double _Complex *W = u, *b = u + K * H, *h = u + K * H + K;
  double _Complex L = 0.0;
  for (size_t r = 0; r < R; r++) {
    double _Complex y[16];               /* (K), K <= 16: lossfn_alloc refuses more */
    double m = -INFINITY;
    for (size_t k = 0; k < K; k++) {
      y[k] = b[k];
      for (size_t j = 0; j < H; j++)
        y[k] += W[k * H + j] * h[r * H + j];
      m = fmax(m, creal(y[k]));
    }
    if (f->xent) {
      double _Complex s = 0.0;
      for (size_t k = 0; k < K; k++)
        s += cexp(y[k] - m);
      L += m + clog(s) - y[f->labels[r]];
    } else {
      for (size_t k = 0; k < K; k++)
        L += (y[k] - f->t[r * K + k]) * (y[k] - f->t[r * K + k]);
    }
  }
  return f->xent ? L / (double)R : L / (double)(R * K);
}

static void lossfn_free(lossfn *f)
{
  grl_model_free(f->m);
  free(f->t);
  free(f->labels);
  free(f->theta);
  if (f->y) gsl_matrix_free(f->y);
  if (f->dy) gsl_matrix_free(f->dy);
  if (f->dh) gsl_matrix_free(f->dh);
}

/* Draw the problem from r: u ~ U(-1, 1) ("high-entropy" values), MSE
 * targets ~ U(-1, 2), labels uniform; then the analytic gradient of u. */
static int lossfn_alloc(lossfn *f, int xent, size_t R, size_t H, size_t K,
                        gsl_rng *r, double *u, double *grad)
{
  memset(f, 0, sizeof *f);
  if (K > 16)        /* lossfn_complex keeps one row's K outputs on the stack */
    return grl_fail(GRL_EINVAL, "ch06: at most 16 outputs (K = %zu)", K);
  f->R = R;
  f->H = H;
  f->K = K;
  f->xent = xent;
  int rc = grl_model_alloc(&f->m, &grl_cell_gru, 1, H, K);
  if (rc)
    return rc;
  f->t = malloc(R * K * sizeof *f->t);
  f->labels = malloc(R * sizeof *f->labels);
  f->theta = calloc(f->m->n, sizeof *f->theta);
  f->y = gsl_matrix_alloc(R, K);
  f->dy = gsl_matrix_alloc(R, K);
  f->dh = gsl_matrix_alloc(R, H);
  if (!f->t || !f->labels || !f->theta || !f->y || !f->dy || !f->dh)
    return grl_fail(GRL_ENOMEM, "ch06: out of memory");
  const size_t n = K * H + K + R * H;
  for (size_t i = 0; i < n; i++)
    u[i] = 2.0 * gsl_rng_uniform(r) - 1.0;
  for (size_t i = 0; i < R * K; i++)
    f->t[i] = 3.0 * gsl_rng_uniform(r) - 1.0;
  for (size_t i = 0; i < R; i++)
    f->labels[i] = gsl_rng_uniform_int(r, K);
  /* the analytic gradient: the loss's dL/dy, then the readout's backward */
  const size_t KH = K * H;
  lossfn_real(u, f);
  if (xent) {
    grl_loss_xent(f->y, f->labels, f->dy);
  } else {
    gsl_matrix_const_view t = gsl_matrix_const_view_array(f->t, R, K);
    grl_loss_mse(f->y, &t.matrix, f->dy);
  }
  double *dtheta = calloc(f->m->n, sizeof *dtheta);   /* (n) */
  if (!dtheta)
    return grl_fail(GRL_ENOMEM, "ch06: out of memory");
  gsl_matrix_const_view h = gsl_matrix_const_view_array(u + KH + K, R, H);
  grl_readout_backward(f->m, f->theta, dtheta, &h.matrix, f->dy, f->dh);
  memcpy(grad, grl_model_tensor(f->m, dtheta, "readout_weight"),
         (KH + K) * sizeof *grad);
  memcpy(grad + KH + K, f->dh->data, R * H * sizeof *grad);
  free(dtheta);
  return GRL_OK;
}

static void gradients_checked(grl_lesson *L, const sizes *sz)
{
  grl_lesson_section(L, "Their gradients, checked entry by entry");
  const size_t R = sz->quick ? 4 : 8, H = 5, K = 4;
  const size_t n = K * H + K + R * H;
  const grl_gradcheck_fn_tensor ts[3] = {
    {"readout_weight", 2, {K, H, 1}}, {"readout_bias", 1, {K, 1, 1}},
    {"h", 2, {R, H, 1}}};
  grl_lesson_say(L,
    "R = %zu rows of states (H = %zu), a readout of K = %zu outputs; u and the\n"
    "MSE targets ~ U(-1, 1) and U(-1, 2), cross-entropy labels uniform over\n"
    "the K classes.  Every entry is checked; per tensor, the worst relative\n"
    "error against the method's tolerance:", R, H, K);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double *u = malloc(n * sizeof *u), *grad = malloc(n * sizeof *grad);
  if (!r || !u || !grad) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
    goto done;
  }
  gsl_rng_set(r, sz->seed);
  int all_pass = 1;
  printf("  %-14s %-16s %-8s %12s %10s\n", "loss", "tensor", "method",
         "worst rel", "tolerance");
  for (int xent = 0; xent < 2; xent++) {
    lossfn f;
    int rc = lossfn_alloc(&f, xent, R, H, K, r, u, grad);
    if (rc) {
      grl_lesson_error(L, rc, "the loss's problem");
      lossfn_free(&f);
      goto done;
    }
    grl_gradcheck_fn fn = {xent ? "readout + cross-entropy" : "readout + MSE",
                           3, ts, lossfn_real, lossfn_complex, &f};
    static const int methods[2] = {GRL_GC_CENTRAL, GRL_GC_COMPLEX};
    for (int k = 0; k < 2; k++) {
      grl_gradcheck_opts o;
      grl_gradcheck_opts_init(&o, methods[k]);
      grl_gradcheck_report *rep = NULL;
      rc = grl_gradcheck_fn_run(&rep, &fn, u, grad, &o);
      if (rep)
        for (size_t i = 0; i < rep->nrow; i++)
          printf("  %-14s %-16s %-8s %12.3g %10.0e  %s\n",
                 xent ? "cross-entropy" : "MSE", rep->row[i].name,
                 grl_gradcheck_method_name(methods[k]), rep->row[i].worst,
                 rep->tolerance, rep->row[i].pass ? "ok" : "FAILED");
      char label[96];
      snprintf(label, sizeof label, "%s, %s: every entry within tolerance",
               fn.what, grl_gradcheck_method_name(methods[k]));
      if (rc == GRL_OK || rc == GRL_EFAIL)
        grl_lesson_expect(L, rc == GRL_OK, label);
      else
        grl_lesson_error(L, rc, label);
      all_pass &= rc == GRL_OK;
      grl_gradcheck_report_free(rep);
    }
    lossfn_free(&f);
  }
  if (all_pass)
    grl_lesson_say(L,
      "Both losses pass both checks on every entry of W_o, b_o and h.  The\n"
      "golden test tests/lib/optim.c compares the same functions with\n"
      "PyTorch's nn.Linear, mse_loss and cross_entropy as well.");
done:
  if (r)
    gsl_rng_free(r);
  free(u);
  free(grad);
}

/*
## 3. The adding problem and its two baselines

The adding problem (Hochreiter and Schmidhuber 1997, experiment 4), in
the benchmark form of Arjovsky, Shah and Bengio (2016, §4.2), is the
task of chapters 7 and 8.  Each of the $T$ steps feeds two numbers: a
value $u_t \sim U[0, 1]$ and a marker $m_t$.  Exactly two markers are 1:
one at a step of the first half, drawn uniformly from steps
$1 \dots \lfloor T/2 \rfloor$, and one of the second half, from
$\lfloor T/2 \rfloor + 1 \dots T$.  After the last step the net must answer

$$y = \sum_t m_t u_t = u_1 + u_2,$$

where $u_1$ and $u_2$ are the two marked values.  `grl_task_sample`
draws a batch: input column 0 holds the values, column 1 the markers.

Two baselines say what a score means.

- **No memory.**  A net that keeps nothing can only answer a constant
  $a$; the best is $a = \mathbb E[y] = 1$, and it scores
  $\mathbb E[(y-1)^2] = \operatorname{Var}(u_1 + u_2) = \frac{1}{12} + \frac{1}{12} = \frac{1}{6} \approx 0.1667$.
- **Only the second marker.**  The second marker sits within the last
  $T - \lfloor T/2 \rfloor$ steps.  A net that keeps only its value knows
  $u_2$, and its best answer is
  $\mathbb E[y \mid u_2] = \frac{1}{2} + u_2$, which scores
  $\mathbb E[(u_1 - \frac{1}{2})^2] = \operatorname{Var}(u_1) = \frac{1}{12} \approx 0.0833$.

So falling from about $0.17$ to $0.083$ can be done with a memory of at
most $T/2$ steps; only going below $1/12$ shows that the net carries the first
value, which can be up to $T - 1$ steps back, to the end.  (A value of
$U[0, 1]$ has variance $\int_0^1 (u - \frac{1}{2})^2 du = \frac{1}{12}$.)  Both are
measured below on the generator's own sequences, each beside its exact
value, with its standard error $\mathrm{SE} = \mathrm{sd}/\sqrt{n}$.
*/

static void adding_problem(grl_lesson *L, const sizes *sz)
{
  grl_lesson_section(L, "The adding problem and its two baselines");
  const size_t N = sz->quick ? 2000 : 20000, T = sz->T, half = T / 2;
  grl_task *t = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double *e1 = malloc(2 * N * sizeof *e1), *e2 = e1 ? e1 + N : NULL;
  int rc = r && e1 ? grl_task_alloc(&t, "adding", T, N)
                   : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (rc) {
    grl_lesson_error(L, rc, "the adding problem");
    goto done;
  }
  gsl_rng_set(r, sz->seed + 7);
  grl_task_sample(t, r);
  /* sequence 0, step by step (row s*N + 0 holds step s+1) */
  grl_lesson_say(L, "Sequence 0 of %zu, T = %zu (steps 1..%zu are the first half):",
                 N, T, half);
  printf("  step  ");
  for (size_t s = 0; s < T && s < 25; s++)
    printf("%5zu", s + 1);
  printf("\n  u_t   ");
  for (size_t s = 0; s < T && s < 25; s++)
    printf("%5.2f", gsl_matrix_get(t->x, s * N, 0));
  printf("\n  m_t   ");
  for (size_t s = 0; s < T && s < 25; s++)
    printf("%5.0f", gsl_matrix_get(t->x, s * N, 1));
  printf("%s\n", T > 25 ? "  ..." : "");
  grl_lesson_value(L, "target y = u_1 + u_2", gsl_matrix_get(t->y, 0, 0));

  /* the two baselines on every sequence */
  int layout = 1;
  for (size_t b = 0; b < N; b++) {
    double u2 = NAN;
    size_t nm1 = 0, nm2 = 0;
    for (size_t s = 0; s < T; s++)
      if (gsl_matrix_get(t->x, s * N + b, 1) == 1.0) {
        if (s < half)
          nm1++;
        else {
          nm2++;
          u2 = gsl_matrix_get(t->x, s * N + b, 0);
        }
      }
    layout &= nm1 == 1 && nm2 == 1;
    double y = gsl_matrix_get(t->y, b, 0);
    e1[b] = (y - 1.0) * (y - 1.0);                 /* no memory: answer 1    */
    e2[b] = (y - 0.5 - u2) * (y - 0.5 - u2);       /* second marker: 1/2 + u_2 */
  }
  grl_lesson_expect(L, layout, "every sequence: one marker in each half");
  const double m1 = gsl_stats_mean(e1, 1, N), s1 = gsl_stats_sd(e1, 1, N) / sqrt((double)N);
  const double m2 = gsl_stats_mean(e2, 1, N), s2 = gsl_stats_sd(e2, 1, N) / sqrt((double)N);
  grl_lesson_say(L, "\nThe two baselines on these %zu sequences:", N);
  printf("  %-36s %9s %9s %10s %8s %8s\n", "", "measured", "exact", "error", "SE", "error/SE");
  printf("  %-36s %9.5f %9.5f %+10.2e %8.5f %+8.2f\n", "no memory: answer 1",
         m1, 1.0 / 6.0, m1 - 1.0 / 6.0, s1, (m1 - 1.0 / 6.0) / s1);
  printf("  %-36s %9.5f %9.5f %+10.2e %8.5f %+8.2f\n", "second marker only: answer 1/2 + u_2",
         m2, 1.0 / 12.0, m2 - 1.0 / 12.0, s2, (m2 - 1.0 / 12.0) / s2);
  grl_lesson_expect(L, fabs(m1 - 1.0 / 6.0) < 4 * s1 && fabs(m2 - 1.0 / 12.0) < 4 * s2,
                    "both measured baselines within 4 SE of 1/6 and 1/12");
  grl_lesson_say(L,
    "A test MSE over 1000 sequences has an SE of about %.4f at 1/6 and %.4f\n"
    "at 1/12 (sd / sqrt(1000)): differences smaller than a few of those are\n"
    "noise.", gsl_stats_sd(e1, 1, N) / sqrt(1000.0), gsl_stats_sd(e2, 1, N) / sqrt(1000.0));
done:
  grl_task_free(t);
  free(e1);
  if (r)
    gsl_rng_free(r);
}

/*
## 4. Gradient descent on the readout, and the largest learning rate

Freeze the cell and learn only the readout.  Run a GRU at PyTorch's
initialisation over $B$ sequences of the adding problem (§3), and keep
the final states $h_b$.  With $x_b = [h_b; 1]$ and $w = [W_o^\top; b_o]$, the readout's MSE is
$L(w) = \frac{1}{B} \sum_b (x_b^\top w - y_b)^2$: a **quadratic** in $w$, with
the constant Hessian

$$A = \frac{2}{B} \sum_b x_b x_b^\top .$$

A primer on the words that follow.  The **Hessian** of a loss is the
matrix of its second derivatives, $A_{ij} = \partial^2 L / \partial w_i
\partial w_j$: the curvature.  A symmetric $A$ has orthonormal
**eigenvectors** $q_i$ with $A q_i = \lambda_i q_i$; the **eigenvalue**
$\lambda_i$ is the curvature along $q_i$.  Take the valley
$L = \frac{1}{2}(x^2 + 20 y^2)$ (§5 runs four optimisers in it):
$A = \operatorname{diag}(1, 20)$, the
eigenvectors are the two axes, the eigenvalues 1 and 20.  Gradient descent
with rate $\eta$ maps $x \to (1 - \eta)\, x$ and $y \to (1 - 20\eta)\, y$,
so $y$ grows once $|1 - 20\eta| > 1$, that is once $\eta > 2/20 = 0.1$, and
$x$ shrinks slowly whenever $\eta$ is small.  Every quadratic is such a
valley in the coordinates of its eigenvectors.

Write $w^*$ for its minimum and $L^*$ for its loss (GSL's least squares
finds both).  Then $L(w) = L^* + \frac{1}{2} (w - w^*)^\top A (w - w^*)$,
the gradient is $g = A (w - w^*)$, and one step of gradient descent,
$w \leftarrow w - \eta g$, maps the error $e = w - w^*$ to
$(I - \eta A)\, e$.  Along the eigenvector of each eigenvalue
$\lambda_i$ the error is multiplied by $1 - \eta\lambda_i$ at every step.
All of them shrink iff $|1 - \eta\lambda_i| < 1$ for every $i$:

$$0 < \eta < \frac{2}{\lambda_{\max}} .$$

Above the threshold the component along $\lambda_{\max}$ grows by
$|1 - \eta\lambda_{\max}|$ per step and the loss by its square.  Below it,
the slowest component shrinks by $1 - \eta\lambda_{\min}$ per step: the
largest curvature caps the learning rate, the smallest sets the pace, and
their ratio $\kappa = \lambda_{\max}/\lambda_{\min}$ (the condition number)
says how badly the two disagree.

A bound for any states: $\lambda_{\max} \le \operatorname{tr} A =
2\,\overline{(\lVert h_b \rVert^2 + 1)} \le 2(H+1)$, since every $|h_j| < 1$.
The first inequality is nearly an equality when the vectors
$x_b = [h_b; 1]$ are nearly parallel: then $A$ is close to rank one and
one eigenvalue carries almost the whole trace.  The second needs every
$|h_j|$ near 1.  Both hold when every $h_b$ nears the same corner of
$[-1, 1]^H$; saturation alone is not enough, since states at different
corners point different ways.  The run below measures how close each
comes at initialisation.

The section computes $A$ from the formula (`grl_readout_mse_hessian`),
checks it against differences of the library's gradient, takes its
eigenvalues with `gsl_eigen_symm`,
and runs gradient descent at $\eta = 1, 1.9$ and $2.1 \times 1/\lambda_{\max}$,
that is at $0.5$, $0.95$ and $1.05$ of the threshold.
*/

/* The readout problem of one seed. */
typedef struct {
  size_t B, H;
  grl_model *m;        /* the net whose readout is fitted; cell frozen  */
  size_t off;          /* readout offset in theta                        */
  gsl_matrix *h;       /* (B, H) final states h_T                        */
  gsl_matrix *t;       /* (B, 1) targets                                 */
  gsl_matrix *y, *dy;  /* (B, 1) readout output, dL/dy                   */
  double *dtheta;      /* (n) gradient block                             */
  double *w0;          /* (H+1) the initial readout: W_o, then b_o       */
  double *wstar;       /* (H+1) the least-squares readout                 */
  gsl_matrix *A;       /* (H+1, H+1) the Hessian (2/B) X^T X             */
  double lmax, lmin, Lstar;
  double Lfresh;       /* w*'s loss on B fresh sequences                 */
} fit;

static void fit_free(fit *f)
{
  grl_model_free(f->m);
  if (f->h) gsl_matrix_free(f->h);
  if (f->t) gsl_matrix_free(f->t);
  if (f->y) gsl_matrix_free(f->y);
  if (f->dy) gsl_matrix_free(f->dy);
  if (f->A) gsl_matrix_free(f->A);
  free(f->dtheta);
  free(f->w0);
  free(f->wstar);
}

/* L(w) for the readout w (H+1); g (H+1) receives dL/dw unless NULL.  The
 * readout's forward and backward and the MSE are the library's. */
static double fit_loss(fit *f, const double *w, double *g)
{
  double *wo = f->m->theta + f->off;
  memcpy(wo, w, (f->H + 1) * sizeof *w);
  grl_readout_forward(f->m, NULL, f->h, f->y);
  double L = grl_loss_mse(f->y, f->t, g ? f->dy : NULL);
  if (g) {
    memset(f->dtheta + f->off, 0, (f->H + 1) * sizeof *g);
    grl_readout_backward(f->m, NULL, f->dtheta, f->h, f->dy, NULL);
    memcpy(g, f->dtheta + f->off, (f->H + 1) * sizeof *g);
  }
  return L;
}

/* The net of seed `seed`, B sequences of length T, their final states;
 * A from its formula, its extreme eigenvalues; w* and L* by least squares. */
static int fit_alloc(fit *f, const sizes *sz, size_t B, unsigned long seed)
{
  memset(f, 0, sizeof *f);
  const size_t H = sz->H, P = H + 1;
  f->B = B;
  f->H = H;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  grl_task *task = NULL;
  grl_seq *s = NULL;
  gsl_matrix *X = NULL, *Ac = NULL, *cov = NULL;
  gsl_vector *ev = NULL, *c = NULL;
  gsl_eigen_symm_workspace *ews = NULL;
  gsl_multifit_linear_workspace *lws = NULL;
  int rc = r ? net_alloc(&f->m, sz, r, seed) : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (!rc)
    rc = grl_task_alloc(&task, "adding", sz->T, B);
  if (!rc)
    rc = grl_seq_alloc(&s, f->m, sz->T, B);
  if (!rc) {
    f->off = readout_offset(f->m);
    f->h = gsl_matrix_alloc(B, H);
    f->t = gsl_matrix_alloc(B, 1);
    f->y = gsl_matrix_alloc(B, 1);
    f->dy = gsl_matrix_alloc(B, 1);
    f->A = gsl_matrix_alloc(P, P);
    f->dtheta = calloc(f->m->n, sizeof *f->dtheta);
    f->w0 = malloc(P * sizeof *f->w0);
    f->wstar = malloc(P * sizeof *f->wstar);
    X = gsl_matrix_alloc(B, P);
    Ac = gsl_matrix_alloc(P, P);
    cov = gsl_matrix_alloc(P, P);
    ev = gsl_vector_alloc(P);
    c = gsl_vector_alloc(P);
    ews = gsl_eigen_symm_alloc(P);
    lws = gsl_multifit_linear_alloc(B, P);
    if (!f->h || !f->t || !f->y || !f->dy || !f->A || !f->dtheta || !f->w0
        || !f->wstar || !X || !Ac || !cov || !ev || !c || !ews || !lws)
      rc = grl_fail(GRL_ENOMEM, "ch06: out of memory");
  }
  if (!rc) {
    grl_task_sample(task, r);
    rc = grl_seq_forward(s, NULL, task->x->data, NULL, NULL);
  }
  if (!rc) {
    gsl_matrix_view hT = grl_seq_hT(s);
    gsl_matrix_memcpy(f->h, &hT.matrix);
    gsl_matrix_memcpy(f->t, task->y);
    memcpy(f->w0, f->m->theta + f->off, P * sizeof *f->w0);
    /* A = (2/B) sum_b [h_b; 1][h_b; 1]^T, the formula, in the library */
    grl_readout_mse_hessian(f->h, 1, f->A);
    /* X = [h, 1]  (B, H+1), the least-squares design matrix */
    for (size_t b = 0; b < B; b++) {
      for (size_t j = 0; j < H; j++)
        gsl_matrix_set(X, b, j, gsl_matrix_get(f->h, b, j));
      gsl_matrix_set(X, b, H, 1.0);
    }
    gsl_matrix_memcpy(Ac, f->A);
    gsl_eigen_symm(Ac, ev, ews);       /* destroys Ac */
    f->lmax = gsl_vector_max(ev);
    f->lmin = gsl_vector_min(ev);
    /* w* minimises sum_b (x_b . w - y_b)^2: GSL's least squares (SVD) */
    gsl_vector_view yb = gsl_matrix_column(f->t, 0);
    double chisq;
    if (gsl_multifit_linear(X, &yb.vector, c, cov, &chisq, lws))
      rc = grl_fail(GRL_EINVAL, "ch06: least squares failed");
    memcpy(f->wstar, c->data, P * sizeof *f->wstar);
    f->Lstar = chisq / (double)B;
  }
  if (!rc) {
    /* w* on B fresh sequences: the same net, new inputs and targets */
    grl_task_sample(task, r);
    rc = grl_seq_forward(s, NULL, task->x->data, NULL, NULL);
    if (!rc) {
      gsl_matrix_view hT = grl_seq_hT(s);
      double L = 0.0;
      for (size_t b = 0; b < B; b++) {
        double y = f->wstar[H];
        for (size_t j = 0; j < H; j++)
          y += f->wstar[j] * gsl_matrix_get(&hT.matrix, b, j);
        L += (y - gsl_matrix_get(task->y, b, 0)) * (y - gsl_matrix_get(task->y, b, 0));
      }
      f->Lfresh = L / (double)B;
    }
  }
  grl_task_free(task);
  grl_seq_free(s);
  if (r) gsl_rng_free(r);
  if (X) gsl_matrix_free(X);
  if (Ac) gsl_matrix_free(Ac);
  if (cov) gsl_matrix_free(cov);
  if (ev) gsl_vector_free(ev);
  if (c) gsl_vector_free(c);
  if (ews) gsl_eigen_symm_free(ews);
  if (lws) gsl_multifit_linear_free(lws);
  return rc;
}

/* Run optimiser `name` at lr from w0 for `steps` steps; excess[k] =
 * L(w_k) - L* for k = 0..steps (excess may be NULL).  Stops early,
 * returning INFINITY, once the loss is not finite or above 1e30; else
 * returns the final excess loss.  The optimiser is the library's. */
static double fit_run(fit *f, const char *name, double lr, size_t steps,
                      double *excess)
{
  const size_t P = f->H + 1;
  grl_optim *o;
  double w[129], g[129];              /* (H+1), H <= 128 (--hidden-size) */
  if (P > 129 || grl_optim_alloc(&o, name, P, lr))
    return NAN;
  memcpy(w, f->w0, P * sizeof *w);
  double e = INFINITY;
  for (size_t k = 0; k <= steps; k++) {
    double Lk = fit_loss(f, w, g);
    e = Lk - f->Lstar;
    if (!isfinite(Lk) || Lk > 1e30) {
      for (size_t j = k; excess && j <= steps; j++)
        excess[j] = NAN;
      e = INFINITY;
      break;
    }
    if (excess)
      excess[k] = e;
    if (k < steps)
      grl_optim_step(o, w, g);
  }
  grl_optim_free(o);
  return e;
}

static void descent(grl_lesson *L, const sizes *sz, fit *fits)
{
  grl_lesson_section(L, "Gradient descent on the readout, and the largest learning rate");
  const size_t B = fits[0].B, H = sz->H, P = H + 1, steps = sz->quick ? 40 : 200;
  fit *f = &fits[0];
  grl_lesson_say(L,
    "A GRU (H = %zu, PyTorch's initialisation, seed %lu) reads B = %zu adding\n"
    "sequences of length T = %zu; the readout w = [W_o^T; b_o] (%zu numbers) is\n"
    "fitted to their targets.  The Hessian from its formula, against central\n"
    "differences of the library's gradient, column by column (exact up to\n"
    "rounding for a quadratic):", H, sz->seed, B, sz->T, P);
  /* column k of A = (g(w + d e_k) - g(w - d e_k)) / 2d */
  double worst = 0.0, scale = 0.0;
  double *w = malloc(P * sizeof *w), *gp = malloc(P * sizeof *gp),
         *gm = malloc(P * sizeof *gm), *ex = malloc(5 * (steps + 1) * sizeof *ex);
  if (!w || !gp || !gm || !ex) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
    goto done;
  }
  for (size_t k = 0; k < P; k++) {
    memcpy(w, f->w0, P * sizeof *w);
    const double d = 1e-3;
    w[k] = f->w0[k] + d;
    fit_loss(f, w, gp);
    w[k] = f->w0[k] - d;
    fit_loss(f, w, gm);
    for (size_t i = 0; i < P; i++) {
      worst = fmax(worst, fabs((gp[i] - gm[i]) / (2 * d) - gsl_matrix_get(f->A, i, k)));
      scale = fmax(scale, fabs(gsl_matrix_get(f->A, i, k)));
    }
  }
  grl_lesson_check(L, "max |A - differences| / max |A|", worst / scale, 1e-9);
  double g0[129];                     /* (H+1), H <= 128: checked below */
  if (P > 129) {
    grl_lesson_error(L, grl_fail(GRL_EINVAL, "ch06: --hidden-size above 128"), "descent");
    goto done;
  }
  fit_loss(f, f->wstar, g0);
  grl_lesson_check(L, "||gradient|| at the least-squares w*", grl_norm(g0, P), 1e-10);
  double tr = 0.0;
  for (size_t i = 0; i < P; i++)
    tr += gsl_matrix_get(f->A, i, i);
  grl_lesson_value(L, "lambda_max (gsl_eigen_symm)", f->lmax);
  /* an eigenvalue is known to about eps * lambda_max: print lambda_min,
   * and what depends on it, to 3 digits */
  printf("  %-34s =  %.3g   (rounding: about eps lambda_max = %.1g)\n", "lambda_min",
         f->lmin, DBL_EPSILON * f->lmax);
  printf("  %-34s =  %.3g\n", "condition number kappa", f->lmax / f->lmin);
  grl_lesson_value(L, "tr A = 2 mean(||h||^2 + 1), a bound", tr);
  grl_lesson_value(L, "lambda_max / tr A", f->lmax / tr);
  grl_lesson_value(L, "mean ||h_b||^2 = tr A / 2 - 1", tr / 2.0 - 1.0);
  grl_lesson_value(L, "2 (H + 1), the bound for |h_j| -> 1", 2.0 * (double)P);
  grl_lesson_say(L,
    "lambda_max is %.1f%% of tr A, while mean ||h_b||^2 = %.3g is %s its\n"
    "ceiling H = %zu:\nthe vectors [h_b; 1] are %s parallel%s.",
    100.0 * f->lmax / tr, tr / 2.0 - 1.0,
    tr / 2.0 - 1.0 < 0.25 * (double)H ? "far below" : "below", H,
    f->lmax / tr > 0.9 ? "nearly" : "not nearly",
    f->lmax / tr > 0.9 && tr / 2.0 - 1.0 < 0.25 * (double)H
    ? " (they share the constant 1 and a\ncommon mean state), though far from saturated" : "");
  grl_lesson_value(L, "the threshold 2 / lambda_max", 2.0 / f->lmax);
  grl_lesson_value(L, "L* (least squares)", f->Lstar);
  char fresh[64];
  snprintf(fresh, sizeof fresh, "the same w* on %zu fresh sequences", B);
  grl_lesson_value(L, fresh, f->Lfresh);
  grl_lesson_value(L, "L(w0), the initial readout", f->Lstar + fit_run(f, "sgd", 1.0, 0, NULL));
  grl_lesson_say(L,
    "L* is the least loss on these %zu sequences, the quadratic's floor; it\n"
    "says little about new ones (%zu numbers fitted to %zu targets also fit\n"
    "some of their noise): w* scores %.4f on fresh sequences.  What follows\n"
    "is about reaching L*, not about generalising.", B, P, B, f->Lfresh);
  grl_lesson_say(L,
    "Against the baselines of §3: L* = %.4f is %s 1/12 = 0.0833 and w* on fresh\n"
    "sequences, %.4f, is %s it (and %s 1/6).  A fit can go below 1/12 on the\n"
    "sequences it was fitted to without any memory of the first marker; only\n"
    "fresh sequences, many of them, can show memory (§3's SE).",
    f->Lstar, f->Lstar < 1.0 / 12.0 ? "below" : "above", f->Lfresh,
    f->Lfresh < 1.0 / 12.0 ? "below" : "above", f->Lfresh < 1.0 / 6.0 ? "below" : "above");

  /* the three runs: 0.5, 0.95 and 1.05 of the threshold */
  static const double frac[3] = {0.5, 0.95, 1.05};
  for (int i = 0; i < 3; i++)
    fit_run(f, "sgd", frac[i] * 2.0 / f->lmax, steps, ex + i * (steps + 1));
  const double *up = ex + 2 * (steps + 1), *dn = ex + 1 * (steps + 1);
  const size_t k0 = steps - steps / 4;
  double growth = pow(up[steps] / up[k0], 1.0 / (double)(steps - k0));
  double want = pow(1.05 * 2.0 - 1.0, 2.0);
  grl_lesson_say(L,
    "\nGradient descent from the initial readout, %zu steps, at 0.5, 0.95 and\n"
    "1.05 of 2/lambda_max (excess loss L - L*):", steps);
  printf("  %-26s %12s %14s %14s\n", "learning rate", "eta", "excess, step 0",
         "excess, last");
  for (int i = 0; i < 3; i++)
    printf("  %4.2f x 2/lambda_max %5s %12.5g %14.4g %14.4g\n", frac[i], "",
           frac[i] * 2.0 / f->lmax, ex[i * (steps + 1)], ex[i * (steps + 1) + steps]);
  char label[96];
  snprintf(label, sizeof label, "1.05: excess loss growth per step, steps %zu..%zu", k0, steps);
  grl_lesson_known(L, label, growth, want);
  grl_lesson_say(L, "(known: (eta lambda_max - 1)^2 = 1.1^2, the square of the error's growth)");
  grl_lesson_expect(L, fabs(growth - want) < 0.01 * want,
                    "the diverging run grows at (eta lambda_max - 1)^2 within 1%");
  grl_lesson_expect(L, dn[steps] < dn[0] && up[steps] > 1e3 * up[0],
                    "0.95 of the threshold: the excess loss falls; 1.05: it grows > 1000-fold");
  const double eta95 = 0.95 * 2.0 / f->lmax;
  printf("  %-34s =  %.3g\n", "0.95: eta lambda_min, slowest shrink", eta95 * f->lmin);
  printf("  %-34s =  %.3g\n", "0.95: steps to shrink it by e", 1.0 / (eta95 * f->lmin));
  grl_lesson_say(L,
    "At 0.95 of the threshold the excess loss falls from %.3g to %.3g in the\n"
    "first %zu steps, and only to %.3g in the next %zu (at half the threshold\n"
    "it ends at %.3g).  kappa = %.3g: along the flattest direction the error\n"
    "shrinks by a factor 1 - %.2g a step, and %.2g steps would only shrink it\n"
    "by e.  A larger eta would speed up the flat directions; the steep one\n"
    "forbids it.",
    dn[0], dn[steps / 2], steps / 2, dn[steps], steps - steps / 2, ex[steps],
    f->lmax / f->lmin, eta95 * f->lmin, 1.0 / (eta95 * f->lmin));

  /* every seed: the threshold holds for each */
  grl_lesson_say(L, "\nThe same on %zu seeds (a new GRU and new sequences each):", sz->nseed);
  printf("  %6s %10s %10s %10s %14s %14s %12s %10s\n", "seed", "lambda_max",
         "lambda_min", "kappa", "0.95: excess", "1.05: excess", "growth", "predicted");
  int all = 1;
  double *sx = ex + 3 * (steps + 1);           /* (2, steps+1) one seed's runs */
  for (size_t k = 0; k < sz->nseed; k++) {
    fit *fk = &fits[k];
    double a = fit_run(fk, "sgd", 0.95 * 2.0 / fk->lmax, steps, sx);
    fit_run(fk, "sgd", 1.05 * 2.0 / fk->lmax, steps, sx + steps + 1);
    double gr = pow(sx[steps + 1 + steps] / sx[steps + 1 + k0], 1.0 / (double)(steps - k0));
    printf("  %6lu %10.4g %10.4g %10.4g %14.4g %14.4g %12.5f %10.5f\n",
           sz->seed + k, fk->lmax, fk->lmin, fk->lmax / fk->lmin, a,
           sx[steps + 1 + steps], gr, want);
    all &= a < sx[0] && fabs(gr - want) < 0.01 * want;
  }
  grl_lesson_expect(L, all, "every seed: 0.95 falls, 1.05 grows at (eta lambda_max - 1)^2 (1%)");

  grl_chart *ch = grl_lesson_chart(L, "descent",
                                   "Gradient descent on the readout around η = 2/λ_{max}");
  grl_chart_param(ch, "B_fit", "%zu", B);
  grl_chart_param(ch, "lambda_max", "%.6g", f->lmax);
  grl_chart_param(ch, "lambda_min", "%.6g", f->lmin);
  grl_chart_comment(ch, "excess_F = L(w_k) - L* of gradient descent at eta = F * 2/lambda_max; seed %lu", sz->seed);
  grl_chart_columns(ch, "step excess_0.5 excess_0.95 excess_1.05");
  for (size_t k = 0; k <= steps; k++)
    grl_chart_row(ch, 4, (double[]){(double)k, ex[k], dn[k], up[k]});
  grl_chart_set(ch, "steps", "%zu", steps);
  grl_chart_set(ch, "growth", "%.8g", want);
  grl_chart_set(ch, "k0", "%zu", k0);
  grl_chart_set(ch, "e0", "%.8g", up[k0]);
  grl_chart_set(ch, "lmax", "%.6g", f->lmax);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_takeaway(L, "descent",
    "At 0.95 of $2/λ_{max}$ the excess loss falls from %.3g to %.3g in %zu"
    " steps; at 1.05 it grows by a factor %.4f per step, against the"
    " predicted $(ηλ_{max} - 1)^2$ = %.4f.", dn[0], dn[steps], steps, growth,
    want);
done:
  free(w);
  free(gp);
  free(gm);
  free(ex);
}

/*
## 5. Momentum, RMSprop and Adam

Gradient descent has one number to tune and no memory.  The three
optimisers that train most recurrent nets add a memory of past gradients.
Their formulas here are PyTorch's (`torch.optim.SGD` with momentum,
`torch.optim.RMSprop`, `torch.optim.Adam`, weight decay 0, as documented
at `https://pytorch.org/docs/stable/optim.html`); `tests/lib/optim.c`
checks every step of each, 30 steps in 7 configurations, against
`torch.optim` itself (golden vectors written by
`tests/reference/make-optim.py`).  All products below are entry by entry.

**Momentum** (the heavy ball, Polyak 1964; PyTorch's form):
$b_t = \mu\, b_{t-1} + g_t$ (with $b_1 = g_1$), $\theta_t = \theta_{t-1} - \eta\, b_t$.
Along a direction where the gradient keeps its sign, $b$ grows to
$g/(1-\mu)$: the step is $1/(1-\mu) = 10$ times longer at $\mu = 0.9$.  Where
the gradient flips sign at every step ($+g, -g, +g, \dots$), $b$ settles at
$\pm g/(1+\mu) \approx 0.53\, g$: about half a plain step, and
$(1+\mu)/(1-\mu) = 19$ times shorter than the steady direction's $10\, g$.
So momentum lengthens the steps along a steady slope far more than across
a zig-zag.  On a
quadratic, $\theta_t = \theta_{t-1} - \eta g_t + \mu(\theta_{t-1} - \theta_{t-2})$,
and the iteration is stable iff $0 < \eta\lambda < 2(1+\mu)$ for every
eigenvalue: the threshold moves from $2/\lambda_{\max}$ to
$3.8/\lambda_{\max}$.

**RMSprop** (Tieleman and Hinton 2012):
$v_t = \alpha v_{t-1} + (1-\alpha) g_t^2$,
$\theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{v_t} + \epsilon)$, with
$\alpha = 0.99$, $\epsilon = 10^{-8}$.  $\sqrt{v_t}$ is a running size of each
entry's gradient, so each entry steps by about $\eta$ whatever its
gradient's scale: a rescaling per coordinate.  It starts from $v_0 = 0$
and has no correction for it, so its first step is
$\eta / \sqrt{1 - \alpha} = 10\,\eta$ per entry.

**Adam** (Kingma and Ba 2015) keeps both moments and corrects their start
at zero:

$$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
  v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
  \theta_t = \theta_{t-1} - \eta\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}$$

with $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$.  A running
mean started at 0 is shrunk towards it: if every $g_t = g$, then
$m_t = (1-\beta_1^t)\, g$.  Dividing by $1 - \beta_1^t$ undoes the shrink;
the same holds for $v_t$.  So Adam's first step is
$\eta\, g/(|g| + \epsilon) \approx \eta\,\mathrm{sign}(g)$ per entry.

What each changes is measured on two quadratics, where the theory is
exact.  (a) The valley $L = \frac{1}{2}(x^2 + 20 y^2)$, 20 times steeper across
than along: the paths from one start, an illustration.  (b) A quadratic
$L(\theta) = \frac{1}{2} \theta^\top A \theta$ in 20 dimensions whose curvatures
$\lambda_i$ run from 1 to 100 ($\kappa = 100$), in two geometries with the
same eigenvalues: **axis-aligned** ($A$ diagonal) and **rotated**
($A = Q \Lambda Q^\top$ with a random orthogonal $Q$), on several seeds
(each seed a new $Q$ and a new start).  For each optimiser, the learning
rate comes from a grid of 25 rates ($10^{-4}$ to 1, evenly in log), the one
with the lowest mean $\log_{10}$ of the final loss over the seeds.

For SGD and momentum the theory predicts the rate.  Along eigenvalue
$\lambda$, SGD multiplies the error by $1 - \eta\lambda$ per step, so after
$N$ steps the loss has shrunk by at most $\rho^{2N}$ with
$\rho = \max_i |1 - \eta\lambda_i|$.  Momentum's error along $\lambda$
follows $e_{t+1} = (1 + \mu - \eta\lambda) e_t - \mu e_{t-1}$, which shrinks
by the largest root modulus $\rho$ of $r^2 - (1+\mu-\eta\lambda) r + \mu$;
when both roots are complex, $|r| = \sqrt\mu$ whatever $\lambda$.  Both
optimisers are unchanged by a rotation of the coordinates; RMSprop and
Adam are not, because they rescale each coordinate on its own.
*/

static const char *const optim_names[4] = {"sgd", "momentum", "rmsprop", "adam"};

/* The learning-rate grid: NLR rates from 1e-4 to 1, evenly in log. */
enum { NLR = 25 };
static double grid_lr(int i)
{
  return pow(10.0, -4.0 + 4.0 * (double)i / (double)(NLR - 1));
}

/* mean over the n runs of log10(v), each at least 1e-300 (a loss that
 * reached exactly 0); +inf if any is negative or not finite (diverged) */
static double mean_log10(const double *v, size_t n)
{
  double s = 0.0;
  for (size_t k = 0; k < n; k++) {
    if (!(v[k] >= 0.0) || !isfinite(v[k]))
      return INFINITY;
    s += log10(fmax(v[k], 1e-300));
  }
  return s / (double)n;
}

/* A quadratic L = theta^T A theta / 2 in d dimensions: A (d, d), and a
 * start theta0 (d).  The gradient is A theta. */
typedef struct {
  size_t d;
  double *A;           /* (d, d) row-major */
  double *theta0;      /* (d) */
} quad;

static double quad_loss(const quad *q, const double *th, double *g)
{
  double L = 0.0;
  for (size_t i = 0; i < q->d; i++) {
    double s = 0.0;
    for (size_t j = 0; j < q->d; j++)
      s += q->A[i * q->d + j] * th[j];
    if (g)
      g[i] = s;                 /* g = A theta */
    L += 0.5 * th[i] * s;
  }
  return L;
}

/* Run optimiser `name` at lr from q->theta0: loss[k] = L(theta_k) for
 * k = 0..steps (path (steps+1, d) too unless NULL).  Stops once L is not
 * finite or above 1e30 (the rest NAN); returns the last loss, or INFINITY
 * if it stopped. */
static double quad_run(const quad *q, const char *name, double lr, size_t steps,
                       double *loss, double *path)
{
  grl_optim *o;
  double th[32], g[32];                      /* d <= 32 */
  if (q->d > 32 || grl_optim_alloc(&o, name, q->d, lr))
    return NAN;
  memcpy(th, q->theta0, q->d * sizeof *th);
  double Lk = NAN;
  for (size_t k = 0; k <= steps; k++) {
    Lk = quad_loss(q, th, g);
    if (!isfinite(Lk) || Lk > 1e30) {
      for (size_t j = k; j <= steps; j++) {
        if (loss)
          loss[j] = NAN;
        for (size_t i = 0; path && i < q->d; i++)
          path[j * q->d + i] = NAN;
      }
      Lk = INFINITY;
      break;
    }
    if (loss)
      loss[k] = Lk;
    if (path)
      memcpy(path + k * q->d, th, q->d * sizeof *th);
    if (k < steps)
      grl_optim_step(o, th, g);
  }
  grl_optim_free(o);
  return Lk;
}

/* The largest root modulus of r^2 - (1 + mu - a) r + mu (a = eta lambda):
 * momentum's factor per step along one eigenvalue (mu = 0: SGD's |1 - a|). */
static double heavy_ball_rate(double a, double mu)
{
  const double p = 1.0 + mu - a, disc = p * p - 4.0 * mu;
  if (disc < 0.0)
    return sqrt(mu);             /* complex pair: |r|^2 = mu */
  return (fabs(p) + sqrt(disc)) / 2.0;
}

/* rho = the largest factor per step over the d eigenvalues 1 .. kappa
 * (evenly in log) at rate lr: SGD (mu = 0) or momentum (mu = 0.9). */
static double quad_rho(double lr, double mu, double kappa, int d)
{
  double rho = 0.0;
  for (int i = 0; i < d; i++)
    rho = fmax(rho, heavy_ball_rate(lr * pow(kappa, i / (d - 1.0)), mu));
  return rho;
}

/* The 20-dimensional quadratic of seed s: eigenvalues 1 .. kappa evenly in
 * log; rotated by a random orthogonal Q (QR of a Gaussian matrix) or not;
 * start theta0 = Q z, z uniform on the sphere scaled so that L(theta0) = 1
 * (the same z for both geometries, so their eigen-coordinates agree). */
static int quad_alloc(quad *q, size_t d, double kappa, int rotated,
                      unsigned long seed)
{
  q->d = d;
  q->A = calloc(d * d, sizeof *q->A);
  q->theta0 = calloc(d, sizeof *q->theta0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_matrix *M = gsl_matrix_alloc(d, d), *Q = gsl_matrix_alloc(d, d);
  gsl_matrix *R = gsl_matrix_alloc(d, d);
  gsl_vector *tau = gsl_vector_alloc(d);
  double *lam = malloc(d * sizeof *lam), *z = malloc(d * sizeof *z);
  int rc = q->A && q->theta0 && r && M && Q && R && tau && lam && z
           ? GRL_OK : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (!rc) {
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < d; i++)
      lam[i] = pow(kappa, (double)i / (double)(d - 1));
    double Lz = 0.0;
    for (size_t i = 0; i < d; i++)
      z[i] = gsl_ran_gaussian(r, 1.0);
    for (size_t i = 0; i < d; i++)
      Lz += 0.5 * lam[i] * z[i] * z[i];
    for (size_t i = 0; i < d; i++)
      z[i] /= sqrt(Lz);                 /* L(z) = 1 */
    for (size_t i = 0; i < d; i++)
      for (size_t j = 0; j < d; j++)
        gsl_matrix_set(M, i, j, gsl_ran_gaussian(r, 1.0));
    gsl_linalg_QR_decomp(M, tau);
    gsl_linalg_QR_unpack(M, tau, Q, R);
    if (!rotated)
      gsl_matrix_set_identity(Q);
    /* A = Q diag(lam) Q^T;  theta0 = Q z */
    for (size_t i = 0; i < d; i++)
      for (size_t j = 0; j < d; j++) {
        double s = 0.0;
        for (size_t k = 0; k < d; k++)
          s += gsl_matrix_get(Q, i, k) * lam[k] * gsl_matrix_get(Q, j, k);
        q->A[i * d + j] = s;
      }
    for (size_t i = 0; i < d; i++) {
      double s = 0.0;
      for (size_t k = 0; k < d; k++)
        s += gsl_matrix_get(Q, i, k) * z[k];
      q->theta0[i] = s;
    }
  }
  if (r) gsl_rng_free(r);
  if (M) gsl_matrix_free(M);
  if (Q) gsl_matrix_free(Q);
  if (R) gsl_matrix_free(R);
  if (tau) gsl_vector_free(tau);
  free(lam);
  free(z);
  return rc;
}

static void quad_free(quad *q)
{
  free(q->A);
  free(q->theta0);
}

/* (a) the valley: paths and losses of the four optimisers from one start */
static void valley(grl_lesson *L, const sizes *sz)
{
  const size_t steps = sz->quick ? 20 : 60;
  static const double lam[2] = {1.0, 20.0};
  double A[4] = {lam[0], 0.0, 0.0, lam[1]};
  /* the start: on the level L = 10, at an angle drawn from the seed */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double th0[2], *path = malloc(4 * 2 * (steps + 1) * sizeof *path);  /* (4, steps+1, 2) */
  double *loss = malloc(4 * (steps + 1) * sizeof *loss);             /* (4, steps+1)    */
  if (!r || !path || !loss) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
    goto done;
  }
  gsl_rng_set(r, sz->seed);
  const double ang = M_PI * (0.6 + 0.3 * gsl_rng_uniform(r));   /* upper left */
  th0[0] = sqrt(2.0 * 10.0 / lam[0]) * cos(ang);
  th0[1] = sqrt(2.0 * 10.0 / lam[1]) * sin(ang);
  quad q = {2, A, th0};
  grl_lesson_say(L,
    "(a) The valley L = (x^2 + 20 y^2)/2 from (%.3f, %.3f), where L = 10; %zu\n"
    "steps.  Each optimiser at the rate of the grid with the lowest final\n"
    "loss from this start (one start: an illustration, not a comparison):",
    th0[0], th0[1], steps);
  printf("  %-9s %10s %14s %14s %16s\n", "optimiser", "best eta", "loss, last",
         "|x|, last", "y sign changes");
  double best_lr[4];
  int zig[4];
  for (int o = 0; o < 4; o++) {
    double best = INFINITY;
    best_lr[o] = grid_lr(0);
    for (int i = 0; i < NLR; i++) {
      double v = quad_run(&q, optim_names[o], grid_lr(i), steps, NULL, NULL);
      if (v < best) {
        best = v;
        best_lr[o] = grid_lr(i);
      }
    }
    double *po = path + (size_t)o * 2 * (steps + 1);
    quad_run(&q, optim_names[o], best_lr[o], steps, loss + (size_t)o * (steps + 1), po);
    zig[o] = 0;
    for (size_t k = 1; k <= steps; k++)
      zig[o] += (po[2 * k + 1] > 0) != (po[2 * k - 1] > 0);
    printf("  %-9s %10.4g %14.4g %14.4g %16d\n", optim_names[o], best_lr[o],
           loss[(size_t)o * (steps + 1) + steps], fabs(po[2 * steps]), zig[o]);
  }
  /* the theory's factor per step at each best rate: SGD max |1 - eta lambda|,
   * momentum the largest root modulus, at least sqrt(mu) */
  double rho_sgd = fmax(heavy_ball_rate(best_lr[0] * lam[0], 0.0),
                        heavy_ball_rate(best_lr[0] * lam[1], 0.0));
  double rho_mom = fmax(heavy_ball_rate(best_lr[1] * lam[0], 0.9),
                        heavy_ball_rate(best_lr[1] * lam[1], 0.9));
  {
    /* SGD's two factors per step, and what is left of x and y at the end */
    const double fx = 1.0 - best_lr[0] * lam[0], fy = 1.0 - best_lr[0] * lam[1];
    const double *ps = path;                    /* SGD's path, (steps+1, 2) */
    const double rx = fabs(ps[2 * steps] / ps[0]), ry = fabs(ps[2 * steps + 1] / ps[1]);
    grl_lesson_say(L,
      "SGD's best rate, %.3g, multiplies the error by 1 - eta = %.3f along x and\n"
      "by 1 - 20 eta = %+.3f along y at every step.\n%s\n"
      "After %zu steps |y| is %.2g of its start and |x| %.2g of its start: the\n"
      "steep direction is done within a few steps, and the slow factor below,\n"
      "max |1 - eta lambda| = %.3f, is the flat x direction's.",
      best_lr[0], fx, fy,
      fy < 0 ? "y flips sign at every step (the zig-zag across the valley), but\n"
               "shrinks by that factor each time."
             : "y keeps its sign and shrinks by that factor.",
      steps, ry, rx, fmax(fabs(fx), fabs(fy)));
  }
  grl_lesson_say(L,
    "The error's factor per step at the best rates (the theory, from eta and\n"
    "the two curvatures):");
  grl_lesson_value(L, "SGD, max |1 - eta lambda|", rho_sgd);
  grl_lesson_value(L, "SGD's optimum over eta, (kappa-1)/(kappa+1)", 19.0 / 21.0);
  grl_lesson_value(L, "momentum, largest root modulus", rho_mom);
  grl_lesson_value(L, "momentum's floor, sqrt(mu)", sqrt(0.9));
  const double Ls = loss[steps], Lm = loss[(steps + 1) + steps];
  grl_lesson_say(L,
    "With mu = 0.9 the momentum error can shrink no faster than sqrt(mu) per\n"
    "step, and at kappa = 20 SGD's optimum does better.  Measured: momentum's\n"
    "last loss is %.3g against SGD's %.3g:\nit %s here%s.",
    Lm, Ls, Lm < Ls ? "wins" : "does not win",
    (Lm < Ls) == (rho_mom < rho_sgd) ? ", as the two rates say"
                                      : ", against what the two rates say");
  grl_lesson_expect(L, best_lr[0] <= 0.05 || zig[0] == (int)steps,
                    "the sign flips counted agree with 1 - 20 eta < 0");

  grl_chart *ch = grl_lesson_chart_own(L, "valley",
                                       "Four optimisers in a valley: L = (x^2 + 20 y^2)/2");
  grl_chart_param(ch, "steps", "%zu", steps);
  grl_chart_comment(ch, "x_q y_q: the path of optimiser q (0 sgd, 1 momentum, 2 rmsprop, 3 adam) at its best rate; L_q its loss");
  grl_chart_columns(ch, "k x0 y0 x1 y1 x2 y2 x3 y3 L0 L1 L2 L3");
  for (size_t k = 0; k <= steps; k++) {
    double row[13] = {(double)k};
    for (int o = 0; o < 4; o++) {
      row[1 + 2 * o] = path[(size_t)o * 2 * (steps + 1) + 2 * k];
      row[2 + 2 * o] = path[(size_t)o * 2 * (steps + 1) + 2 * k + 1];
      row[9 + o] = loss[(size_t)o * (steps + 1) + k];
    }
    grl_chart_row(ch, 13, row);
  }
  grl_chart_set(ch, "lam1", "%g", lam[0]);
  grl_chart_set(ch, "lam2", "%g", lam[1]);
  grl_chart_set(ch, "steps", "%zu", steps);
  grl_chart_set_text(ch, "lrs", "%.3g %.3g %.3g %.3g", best_lr[0], best_lr[1],
                     best_lr[2], best_lr[3]);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_takeaway(L, "valley",
    "Each at its best rate, after %zu steps: SGD ends at loss %.3g (its path"
    " crosses the valley's floor %d times), momentum at %.3g, RMSprop at %.3g"
    " and Adam at %.3g.", steps, loss[steps], zig[0], loss[(steps + 1) + steps],
    loss[2 * (steps + 1) + steps], loss[3 * (steps + 1) + steps]);
done:
  if (r)
    gsl_rng_free(r);
  free(path);
  free(loss);
}

static void optimisers(grl_lesson *L, const sizes *sz)
{
  grl_lesson_section(L, "Momentum, RMSprop and Adam");
  valley(L, sz);
  enum { D = 20 };
  const double kappa = 100.0;
  const size_t ns = sz->nseed, steps = sz->quick ? 50 : 200;
  quad qs[2][MAX_SEEDS];
  memset(qs, 0, sizeof qs);
  double *curve = malloc(2 * 4 * ns * (steps + 1) * sizeof *curve); /* (2, 4, ns, steps+1) */
  int rc = curve ? GRL_OK : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  for (int geo = 0; !rc && geo < 2; geo++)
    for (size_t k = 0; !rc && k < ns; k++)
      rc = quad_alloc(&qs[geo][k], D, kappa, geo, sz->seed + k);
  if (rc) {
    grl_lesson_error(L, rc, "the quadratics");
    goto done;
  }
  grl_lesson_say(L,
    "\n(b) The quadratic in %d dimensions, curvatures 1 .. %g, L(theta_0) = 1,\n"
    "%zu steps, seeds %lu..%lu.  Final loss L_N at each optimiser's best rate\n"
    "(per geometry), geometric mean over the seeds and its spread max/min;\n"
    "for SGD and momentum the theory's bound rho^(2N) at that rate:",
    D, kappa, steps, sz->seed, sz->seed + ns - 1);
  printf("  %-9s %-13s %10s %12s %10s %14s\n", "optimiser", "geometry",
         "best eta", "L_N geo mean", "max/min", "bound rho^2N");
  double geo_mean[2][4], best_lr[2][4];
  for (int geo = 0; geo < 2; geo++)
    for (int o = 0; o < 4; o++) {
      double best = INFINITY, v[MAX_SEEDS], vb[MAX_SEEDS];
      best_lr[geo][o] = grid_lr(0);
      for (int i = 0; i < NLR; i++) {
        for (size_t k = 0; k < ns; k++)
          v[k] = quad_run(&qs[geo][k], optim_names[o], grid_lr(i), steps, NULL, NULL);
        double ml = mean_log10(v, ns);
        if (ml < best) {
          best = ml;
          best_lr[geo][o] = grid_lr(i);
          memcpy(vb, v, ns * sizeof *v);
        }
      }
      double lo = INFINITY, hi = 0.0;
      for (size_t k = 0; k < ns; k++) {
        quad_run(&qs[geo][k], optim_names[o], best_lr[geo][o], steps,
                 curve + (((size_t)geo * 4 + (size_t)o) * ns + k) * (steps + 1), NULL);
        lo = fmin(lo, vb[k]);
        hi = fmax(hi, vb[k]);
      }
      geo_mean[geo][o] = pow(10.0, best);
      char bound[32] = "";
      if (o < 2) {
        /* rho = max over the eigenvalues of the per-step factor */
        double rho = quad_rho(best_lr[geo][o], o ? 0.9 : 0.0, kappa, D);
        snprintf(bound, sizeof bound, "%.3g", pow(rho, 2.0 * (double)steps));
      }
      printf("  %-9s %-13s %10.4g %12.3g %10.3g %14s\n", optim_names[o],
             geo ? "rotated" : "axis-aligned", best_lr[geo][o], geo_mean[geo][o],
             hi / lo, bound);
    }
  /* the claims the text makes, each checked on these numbers */
  const int sgd_same = best_lr[0][0] == best_lr[1][0]
                       && fabs(log10(geo_mean[0][0] / geo_mean[1][0])) < 1e-6;
  const int mom_same = best_lr[0][1] == best_lr[1][1]
                       && fabs(log10(geo_mean[0][1] / geo_mean[1][1])) < 1e-6;
  grl_lesson_expect(L, sgd_same && mom_same,
                    "SGD and momentum: the same rate and loss in both geometries");
  double worst_bound = 0.0;
  for (int geo = 0; geo < 2; geo++)
    for (int o = 0; o < 2; o++)
      for (size_t k = 0; k < ns; k++) {
        double rho = quad_rho(best_lr[geo][o], o ? 0.9 : 0.0, kappa, D);
        double last = curve[(((size_t)geo * 4 + (size_t)o) * ns + k) * (steps + 1) + steps];
        worst_bound = fmax(worst_bound, last / pow(rho, 2.0 * (double)steps));
      }
  grl_lesson_value(L, "largest L_N / rho^(2N), SGD and momentum", worst_bound);
  {
    double sgd_worst = 0.0;
    for (int geo = 0; geo < 2; geo++)
      for (size_t k = 0; k < ns; k++) {
        double rho = quad_rho(best_lr[geo][0], 0.0, kappa, D);
        double last = curve[(((size_t)geo * 4) * ns + k) * (steps + 1) + steps];
        sgd_worst = fmax(sgd_worst, last / pow(rho, 2.0 * (double)steps));
      }
    grl_lesson_expect(L, sgd_worst <= 1.0 + 1e-9, "SGD: L_N <= rho^(2N) L_0 on every seed");
  }
  grl_lesson_say(L,
    "For SGD, L_N <= rho^(2N) L_0 exactly: each eigen-component shrinks by its\n"
    "own factor, at most rho.  For momentum rho^(2N) is the asymptotic rate; a\n"
    "two-step recurrence can exceed it for a while, but not here.");
  /* the rotation's effect on RMSprop and Adam, against the seeds' spread */
  double spread[2][4];
  for (int geo = 0; geo < 2; geo++)
    for (int o = 0; o < 4; o++) {
      double lo = INFINITY, hi = 0.0;
      for (size_t k = 0; k < ns; k++) {
        double e = curve[(((size_t)geo * 4 + (size_t)o) * ns + k) * (steps + 1) + steps];
        lo = fmin(lo, e);
        hi = fmax(hi, e);
      }
      spread[geo][o] = hi / lo;
    }
  char verdict[2][120];
  for (int o = 2; o < 4; o++) {
    double ratio = geo_mean[1][o] / geo_mean[0][o];
    double sp = fmax(spread[0][o], spread[1][o]);
    if (ratio > sp)
      snprintf(verdict[o - 2], sizeof verdict[o - 2], "%.3g times lower axis-aligned than rotated,\nmore than the seeds' spread (%.3g)", ratio, sp);
    else if (1.0 / ratio > sp)
      snprintf(verdict[o - 2], sizeof verdict[o - 2], "%.3g times higher axis-aligned than rotated,\nmore than the seeds' spread (%.3g)", 1.0 / ratio, sp);
    else
      snprintf(verdict[o - 2], sizeof verdict[o - 2], "about the same in both geometries\n(ratio %.3g, within the seeds' spread %.3g)", ratio, sp);
  }
  grl_lesson_say(L,
    "SGD and momentum do not see the rotation: both geometries give them the\n"
    "same rate and the same loss.  At kappa = 100 momentum ends %.3g times\n"
    "lower than SGD: its factor sqrt(mu) = %.3f beats SGD's best, 99/101 = %.3f.\n"
    "RMSprop ends %s.\n"
    "Adam ends %s.",
    geo_mean[1][0] / geo_mean[1][1], sqrt(0.9), 99.0 / 101.0, verdict[0], verdict[1]);

  /* why: RMSprop's and Adam's steps do not change when one coordinate's
   * gradient is scaled (m_i by s, sqrt(v_i) by s), so on the diagonal A
   * each coordinate follows the path it would follow with lambda_i = 1 */
  {
    double ones[D * D];
    double *pa = malloc(2 * (steps + 1) * D * sizeof *pa), *pb = pa ? pa + (steps + 1) * D : NULL;
    if (!pa) {
      grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
      goto done;
    }
    memset(ones, 0, sizeof ones);
    for (int i = 0; i < D; i++)
      ones[i * D + i] = 1.0;
    double worst = 0.0;
    size_t kmax[2] = {0, 0};
    double wo[2] = {0.0, 0.0};
    for (int o = 2; o < 4; o++) {
      quad q1 = {D, ones, qs[0][0].theta0};
      const double q1l0 = quad_loss(&q1, q1.theta0, NULL);
      quad_run(&qs[0][0], optim_names[o], 0.01, steps, NULL, pa);
      quad_run(&q1, optim_names[o], 0.01, steps, NULL, pb);
      double sc = 0.0;
      for (int i = 0; i < D; i++)
        sc = fmax(sc, fabs(qs[0][0].theta0[i]));
      /* while the gradients are far above eps: the loss on I above 1e-6 */
      for (size_t k = 0; k <= steps; k++) {
        double l1 = 0.0;
        for (int i = 0; i < D; i++)
          l1 += 0.5 * pb[k * D + i] * pb[k * D + i];
        if (!(l1 > 1e-6 * q1l0))
          break;
        for (int i = 0; i < D; i++)
          wo[o - 2] = fmax(wo[o - 2], fabs(pa[k * D + i] - pb[k * D + i]) / sc);
        kmax[o - 2] = k;
      }
    }
    free(pa);
    worst = fmax(wo[0], wo[1]);
    printf("  %-34s =  %.3g\n", "RMSprop: max |difference| / max|theta_0|", wo[0]);
    printf("  %-34s =  %.3g\n", "Adam:    max |difference| / max|theta_0|", wo[1]);
    grl_lesson_say(L,
      "\nWhy the rotation matters to them.  Scaling one coordinate's gradient\n"
      "by s scales its m_i and sqrt(v_i) by s, so (up to eps) the step does not\n"
      "change.  On the axis-aligned quadratic coordinate i is a separate 1-D\n"
      "problem with gradient lambda_i theta_i, so RMSprop and Adam follow, in\n"
      "every coordinate, the path they would follow with lambda_i = 1, up to\n"
      "eps: the curvatures drop out, as if kappa were 1.  Rotated, every coordinate\n"
      "mixes all %d curvatures and nothing drops out.  Measured on seed %lu at\n"
      "eta = 0.01, the path on the axis-aligned A against the path on I, while\n"
      "the loss on I is above 1e-6 of its start (RMSprop to step %zu, Adam to\n"
      "step %zu).  eps's share of the step, about eps/sqrt(v_i), grows as the\n"
      "gradients shrink, so the paths agree to within a small part of the\n"
      "start's size, not to rounding:", D,
      sz->seed, kmax[0], kmax[1]);
    grl_lesson_check(L, "max |theta_k(A) - theta_k(I)| / max |theta_0|", worst, 1e-2);
    const double ra = geo_mean[1][3] / geo_mean[0][3];
    grl_lesson_say(L,
      "So the axis-aligned rows show RMSprop and Adam on a problem without\n"
      "ill-conditioning, the rotated rows with it.  Rotated over axis-aligned,\n"
      "the final loss is %.3g times higher for RMSprop and %.3g times for\n"
      "Adam.\n"
      "%s",
      geo_mean[1][2] / geo_mean[0][2], ra,
      fmax(ra, 1.0 / ra) <= fmax(spread[0][3], spread[1][3])
      ? "For Adam that is within the seeds' spread: in these steps kappa is\n"
        "not what limits it, since without it (axis-aligned) it ends no lower;\n"
        "its own dynamics on each 1-D quadratic are."
      : "For Adam that is beyond the seeds' spread: the curvatures matter to it\n"
        "too.");
    for (int geo = 0; geo < 2; geo++)
      for (int o = 2; o < 4; o++)
        if (best_lr[geo][o] == grid_lr(NLR - 1)) {
          double v[MAX_SEEDS];
          for (size_t k = 0; k < ns; k++)
            v[k] = quad_run(&qs[geo][k], optim_names[o], 10.0, steps, NULL, NULL);
          double ml = mean_log10(v, ns);
          grl_lesson_say(L,
            "%s's best rate %s is the top of the grid, eta = 1; at eta = 10\n"
            "its geometric mean is %.3g, %s:\n%s.", optim_names[o],
            geo ? "rotated" : "axis-aligned", isfinite(ml) ? pow(10.0, ml) : INFINITY,
            isfinite(ml) && pow(10.0, ml) < geo_mean[geo][o] ? "lower still" : "not lower",
            isfinite(ml) && pow(10.0, ml) < geo_mean[geo][o]
            ? "its optimum lies above the grid, and the table understates it"
            : "the optimum lies between 1 and 10 or at 1");
        }
  }

  /* step 1 by hand: the bias correction */
  {
    double th[D], g[D], d_adam = 0.0, d_rms = 0.0;
    grl_optim *oa, *orr;
    const quad *q = &qs[1][0];
    quad_loss(q, q->theta0, g);
    if (!grl_optim_alloc(&oa, "adam", D, 0.01) && !grl_optim_alloc(&orr, "rmsprop", D, 0.01)) {
      memcpy(th, q->theta0, sizeof th);
      grl_optim_step(oa, th, g);
      for (int i = 0; i < D; i++)
        d_adam = fmax(d_adam, fabs(q->theta0[i] - th[i]) / 0.01);
      memcpy(th, q->theta0, sizeof th);
      grl_optim_step(orr, th, g);
      for (int i = 0; i < D; i++)
        d_rms = fmax(d_rms, fabs(q->theta0[i] - th[i]) / 0.01);
      grl_optim_free(oa);
      grl_optim_free(orr);
    }
    grl_lesson_say(L, "\nStep 1 from the first rotated start, eta = 0.01, largest |step| / eta:");
    grl_lesson_known(L, "Adam (m^ = g, v^ = g^2: eta sign(g))", d_adam, 1.0);
    grl_lesson_known(L, "RMSprop (v = 0.01 g^2: eta/sqrt(0.01))", d_rms, 10.0);
  }

  grl_chart *ch = grl_lesson_chart_own(L, "optimisers",
                                       "Four optimisers on a quadratic with κ = 100, axis-aligned and rotated");
  grl_chart_param(ch, "dimensions", "%d", D);
  grl_chart_param(ch, "kappa", "%g", kappa);
  grl_chart_param(ch, "seeds", "%zu", ns);
  grl_chart_param(ch, "steps", "%zu", steps);
  grl_chart_comment(ch, "block 0 axis-aligned, block 1 rotated; per optimiser q (0 sgd, 1 momentum, 2 rmsprop, 3 adam) at its best rate: mean_q (geometric), lo_q, hi_q of L_k over the seeds");
  grl_chart_columns(ch, "k mean0 lo0 hi0 mean1 lo1 hi1 mean2 lo2 hi2 mean3 lo3 hi3");
  for (int geo = 0; geo < 2; geo++) {
    grl_chart_block(ch, geo ? "rotated" : "axis-aligned");
    for (size_t k = 0; k <= steps; k++) {
      double row[13] = {(double)k};
      for (int o = 0; o < 4; o++) {
        double s = 0.0, lo = INFINITY, hi = 0.0;
        for (size_t j = 0; j < ns; j++) {
          double e = curve[(((size_t)geo * 4 + (size_t)o) * ns + j) * (steps + 1) + k];
          s += log(fmax(e, 1e-300)) / (double)ns;  /* the geometric mean, as in the table */
          lo = fmin(lo, e);
          hi = fmax(hi, e);
        }
        row[1 + 3 * o] = exp(s);
        row[2 + 3 * o] = lo;
        row[3 + 3 * o] = hi;
      }
      grl_chart_row(ch, 13, row);
    }
  }
  for (int geo = 0; geo < 2; geo++)
    grl_chart_set_text(ch, geo ? "lrs_rotated" : "lrs_axis", "%.3g %.3g %.3g %.3g",
                       best_lr[geo][0], best_lr[geo][1], best_lr[geo][2], best_lr[geo][3]);
  grl_chart_set(ch, "steps", "%zu", steps);
  grl_chart_set(ch, "nseed", "%zu", ns);
  grl_chart_set(ch, "ymin_loss", "1e-16");
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_takeaway(L, "optimisers",
    "Final loss, geometric mean over %zu seeds, axis-aligned / rotated: SGD"
    " %.3g / %.3g, momentum %.3g / %.3g, RMSprop %.3g / %.3g, Adam %.3g /"
    " %.3g.", ns, geo_mean[0][0], geo_mean[1][0], geo_mean[0][1],
    geo_mean[1][1], geo_mean[0][2], geo_mean[1][2], geo_mean[0][3],
    geo_mean[1][3]);
done:
  for (int geo = 0; geo < 2; geo++)
    for (size_t k = 0; k < ns; k++)
      quad_free(&qs[geo][k]);
  free(curve);
}

/*
## 6. Mini-batches and noise

A training step does not see the whole task: it sees a batch of $B$ fresh
sequences.  The batch loss is the mean of $B$ per-sequence losses, so the
batch gradient $g_B$ is the mean of $B$ per-sequence gradients.  The
sequences are drawn independently, so if one sequence's gradient has mean
$G$ (the gradient of the expected loss) and covariance $\Sigma$,

$$\mathbb E[g_B] = G, \qquad \operatorname{Cov}(g_B) = \Sigma / B, \qquad
  \mathbb E \lVert g_B - G \rVert^2 = \operatorname{tr}\Sigma / B .$$

A larger batch gives the same direction on average with less noise
around it, at $B$ times the cost.  The noise matters when it is as large
as the signal: at $B_{\mathrm{noise}} = \operatorname{tr}\Sigma / \lVert G\rVert^2$
the two are equal (McCandlish, Kaplan, Amodei et al. 2018 call it the
simple noise scale).

The measurement: for each $B$ in $1, 2, 4, \dots$, draw $K$ batches, compute
each batch's full gradient (every parameter of the GRU and its readout)
at fixed parameters, and take the sample variance
$\frac{1}{K-1}\sum_k \lVert g_k - \bar g\rVert^2$, which estimates
$\operatorname{tr}\Sigma / B$ without knowing $G$.  Twice for every seed:
at the initialisation, and on the plateau at $1/6$ that training reaches
first, where the net answers the mean $\mathbb E[y] = 1$ and nothing more
(the no-memory baseline of §3; §8 shows the whole curve).  The plateau
point is taken after 175 steps of Adam, mid-way along it in the default
run (§8 prints the steps at which each seed reaches the plateau and
leaves it; this section prints each net's loss at the point).

The gradient of one batch is written out below with the library's calls:
run the cell, read out, take the loss, and go back through the readout and
then through time.  That is what `grl_trainer_step` does before it clips
and updates; the section checks that the two agree.
*/

/* Buffers for the gradient of one batch of B sequences. */
typedef struct {
  grl_task *task;       /* B sequences of the adding problem        */
  grl_seq *s;           /* (T, B) caches                             */
  gsl_matrix *y, *dy;   /* (B, 1) readout output, dL/dy              */
  gsl_matrix *dh;       /* (B, H) dL/dh_T                            */
} batch;

static void batch_free(batch *b)
{
  grl_task_free(b->task);
  grl_seq_free(b->s);
  if (b->y) gsl_matrix_free(b->y);
  if (b->dy) gsl_matrix_free(b->dy);
  if (b->dh) gsl_matrix_free(b->dh);
}

static int batch_alloc(batch *b, const grl_model *m, size_t T, size_t B)
{
  memset(b, 0, sizeof *b);
  int rc = grl_task_alloc(&b->task, "adding", T, B);
  if (!rc)
    rc = grl_seq_alloc(&b->s, m, T, B);
  if (rc)
    return rc;
  b->y = gsl_matrix_alloc(B, 1);
  b->dy = gsl_matrix_alloc(B, 1);
  b->dh = gsl_matrix_alloc(B, m->hidden_size);
  return b->y && b->dy && b->dh ? GRL_OK : grl_fail(GRL_ENOMEM, "ch06: out of memory");
}

/* The gradient g (n) of the batch loss at m->theta, for the batch in
 * b->task: the loss is returned in *loss. */
static int batch_gradient(const grl_model *m, batch *b, double *g, double *loss)
{
  const double *x = b->task->x->data;           /* (T*B, 2) */
  /* forward: h_1 .. h_T, then y = W_o h_T + b_o and the MSE */
  int rc = grl_seq_forward(b->s, NULL, x, NULL, NULL);
  if (rc)
    return rc;
  gsl_matrix_view hT = grl_seq_hT(b->s);        /* (B, H) */
  grl_readout_forward(m, NULL, &hT.matrix, b->y);
  *loss = grl_loss_mse(b->y, b->task->y, b->dy);
  /* backward accumulates: zero g first; the readout gives dL/dh_T,
   * and BPTT carries it back through every step */
  memset(g, 0, m->n * sizeof *g);
  grl_readout_backward(m, NULL, g, &hT.matrix, b->dy, b->dh);
  return grl_seq_backward(b->s, NULL, x, NULL, b->dh->data, NULL, g, NULL,
                          NULL, NULL);
}

/* Section 6's measurement at one parameter point. */
typedef struct {
  size_t nB;
  size_t Bs[16];        /* batch sizes                               */
  double var[16];       /* sample variance of g_B, sum over entries  */
  double se[16];        /* its standard error                        */
  double c;             /* tr Sigma, fitted to var_B = c / B         */
  double slope, slope_se;   /* the free fit log var = a + slope log B */
  double G2;            /* ||G||^2, corrected for the mean's noise    */
  double G2raw;         /* ||mean of all gradients||^2               */
  double readout_share; /* the readout's (W_o, b_o) share of G2raw    */
  size_t nseq;          /* sequences behind that mean                */
  double loss;          /* mean batch loss over every batch          */
} noise;

/* K batches of each size in Bs at m's parameters, drawn from r.  The
 * first K gradients of B = 1 are kept in keep (K, n) if not NULL. */
static int measure_noise(const grl_model *m, size_t T, size_t K, gsl_rng *r,
                         noise *N, double *keep)
{
  const size_t n = m->n;
  double *g = malloc(K * n * sizeof *g);        /* (K, n) */
  double *mean = calloc(n, sizeof *mean);       /* (n)    */
  double *all = calloc(n, sizeof *all);         /* (n) sum of B g over every batch */
  double *d = malloc(K * sizeof *d);            /* (K)    */
  int rc = g && mean && all && d ? GRL_OK : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  N->nseq = 0;
  N->loss = 0.0;
  size_t nbatch = 0;
  for (size_t q = 0; !rc && q < N->nB; q++) {
    const size_t B = N->Bs[q];
    batch b;
    rc = batch_alloc(&b, m, T, B);
    for (size_t k = 0; !rc && k < K; k++) {
      double Lk;
      grl_task_sample(b.task, r);
      rc = batch_gradient(m, &b, g + k * n, &Lk);
      N->loss += Lk;
      nbatch++;
    }
    batch_free(&b);
    if (rc)
      break;
    memset(mean, 0, n * sizeof *mean);
    for (size_t k = 0; k < K; k++)
      for (size_t i = 0; i < n; i++) {
        mean[i] += g[k * n + i] / (double)K;
        all[i] += (double)B * g[k * n + i];
      }
    N->nseq += K * B;
    /* d_k = ||g_k - mean||^2 K/(K-1): their mean is the unbiased sample
     * variance (summed over entries), their spread gives its SE */
    for (size_t k = 0; k < K; k++) {
      double s = 0.0;
      for (size_t i = 0; i < n; i++)
        s += (g[k * n + i] - mean[i]) * (g[k * n + i] - mean[i]);
      d[k] = s * (double)K / (double)(K - 1);
    }
    N->var[q] = gsl_stats_mean(d, 1, K);
    N->se[q] = gsl_stats_sd(d, 1, K) / sqrt((double)K);
    if (keep && B == 1)
      memcpy(keep, g, K * n * sizeof *g);
  }
  if (!rc) {
    N->loss /= (double)nbatch;
    /* c in var_B = c / B: least squares in log space, slope fixed at -1 */
    double s = 0.0, lx[16], ly[16];
    for (size_t q = 0; q < N->nB; q++) {
      lx[q] = log((double)N->Bs[q]);
      ly[q] = log(N->var[q]);
      s += ly[q] + lx[q];
    }
    N->c = exp(s / (double)N->nB);
    double c0, c1, cov00, cov01, cov11, ss;
    gsl_fit_linear(lx, 1, ly, 1, N->nB, &c0, &c1, &cov00, &cov01, &cov11, &ss);
    N->slope = c1;
    N->slope_se = sqrt(cov11);
    /* ||G||^2: the mean over every sequence has E||mean||^2 = ||G||^2 + tr Sigma / nseq */
    double G2 = 0.0, G2o = 0.0;
    for (size_t i = 0; i < n; i++) {
      double gi = all[i] / (double)N->nseq;
      G2 += gi * gi;
      if (i >= readout_offset(m))
        G2o += gi * gi;
    }
    N->G2raw = G2;
    N->readout_share = G2o / G2;
    N->G2 = G2 - N->c / (double)N->nseq;
  }
  free(g);
  free(mean);
  free(all);
  free(d);
  return rc;
}

/* The trainer's gradient for one batch: one SGD step with lr = 1 and no
 * clipping moves theta by exactly -g. */
static int trainer_gradient_matches(const grl_model *m0, size_t T, size_t B,
                                    unsigned long seed, double *diff)
{
  grl_model *m = NULL;
  grl_trainer *tr = NULL;
  batch b = {0};
  double *g = NULL, *before = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  grl_train_config cfg = {.optimizer = "sgd", .lr = 1.0, .clip = 0.0, .batch = B};
  int rc = r ? grl_model_alloc(&m, m0->cell, m0->input_size, m0->hidden_size,
                               m0->output_size)
             : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (!rc) {
    memcpy(m->theta, m0->theta, m->n * sizeof *m->theta);
    rc = grl_trainer_alloc(&tr, m, "adding", T, &cfg);
  }
  if (!rc)
    rc = batch_alloc(&b, m, T, B);
  if (!rc && (!(g = malloc(m->n * sizeof *g)) || !(before = malloc(m->n * sizeof *before))))
    rc = grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (!rc) {
    /* our gradient on the batch that mt19937(seed) draws ... */
    double loss;
    gsl_rng_set(r, seed);
    grl_task_sample(b.task, r);
    rc = batch_gradient(m, &b, g, &loss);
  }
  if (!rc) {
    /* ... and the trainer's step on the same batch */
    memcpy(before, m->theta, m->n * sizeof *before);
    gsl_rng_set(r, seed);
    rc = grl_trainer_step(tr, r, NULL);
  }
  if (!rc) {
    for (size_t i = 0; i < m->n; i++)
      before[i] -= m->theta[i];                  /* = g, the step taken */
    *diff = grl_lesson_reldiff(m->n, before, g);
  }
  batch_free(&b);
  grl_trainer_free(tr);
  grl_model_free(m);
  free(g);
  free(before);
  if (r)
    gsl_rng_free(r);
  return rc;
}

/* The plateau net: Adam (lr 1e-3, clip 1, batches of 50) for `steps` steps
 * from seed's initialisation; *last = the mean of its last 25 batch losses. */
static int plateau_net(const sizes *sz, unsigned long seed, size_t steps,
                       grl_session *s, double *last)
{
  grl_session_spec spec = {
    .cell = &grl_cell_gru, .task = "adding", .length = sz->T,
    .hidden_size = sz->H, .steps = steps, .seed = seed, .test_seqs = 0,
    .keep_gate_bias = NAN,
    .cfg = {.optimizer = "adam", .lr = 1e-3, .clip = 1.0, .batch = 50},
  };
  int rc = grl_session_run(s, &spec, NULL, NULL);
  if (!rc) {
    size_t w = steps < 25 ? steps : 25;
    *last = 0.0;
    for (size_t k = steps - w; k < steps; k++)
      *last += s->log[k].loss / (double)w;
  }
  return rc;
}

/* One seed's measurement: the noise at its initialisation (N[0]) and on
 * its plateau (N[1]); keep (K, n) receives the B = 1 gradients at the
 * initialisation unless NULL. */
typedef struct {
  unsigned long seed;
  noise N[2];
  double last;          /* the plateau net's mean batch loss, last 25 steps */
  int rc;
  char error[200];
} noise_seed;

static void noise_of_seed(const sizes *sz, size_t K, size_t nB, size_t steps,
                          noise_seed *ns, double *keep)
{
  grl_model *m = NULL;
  grl_session ps = {0};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = r ? net_alloc(&m, sz, r, ns->seed) : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (!rc)
    rc = plateau_net(sz, ns->seed, steps, &ps, &ns->last);
  for (int p = 0; !rc && p < 2; p++) {
    ns->N[p].nB = nB;
    for (size_t q = 0; q < nB; q++)
      ns->N[p].Bs[q] = (size_t)1 << q;
    gsl_rng_set(r, ns->seed + 1000 + (unsigned long)p);
    rc = measure_noise(p ? ps.m : m, sz->T, K, r, &ns->N[p], p ? NULL : keep);
  }
  ns->rc = rc;
  if (rc)
    snprintf(ns->error, sizeof ns->error, "%s", grl_strerror());
  grl_session_free(&ps);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
}

static double bnoise(const noise *N)
{
  return N->G2 > 0 ? N->c / N->G2 : INFINITY;
}

static void minibatches(grl_lesson *L, const sizes *sz, double **keep,
                        size_t *K_out, size_t *n_out)
{
  grl_lesson_section(L, "Mini-batches and noise");
  const size_t K = sz->quick ? 12 : 100, nB = sz->quick ? 4 : 8;
  const size_t plateau_steps = sz->quick ? 20 : 175, ns = sz->nseed;
  noise_seed S[MAX_SEEDS];
  memset(S, 0, sizeof S);
  grl_model *m = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = r ? net_alloc(&m, sz, r, sz->seed) : grl_fail(GRL_ENOMEM, "ch06: out of memory");
  *keep = NULL;
  if (!rc) {
    double diff = NAN;
    rc = trainer_gradient_matches(m, sz->T, 8, sz->seed + 100, &diff);
    if (!rc)
      grl_lesson_check(L, "batch_gradient against grl_trainer_step's step", diff, 1e-12);
  }
  if (!rc && !(*keep = malloc(K * m->n * sizeof **keep)))
    rc = grl_fail(GRL_ENOMEM, "ch06: out of memory");
  if (rc) {
    grl_lesson_error(L, rc, "mini-batches");
    goto done;
  }
  *K_out = K;
  *n_out = m->n;
  for (size_t k = 0; k < ns; k++)
    S[k].seed = sz->seed + k;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < ns; k++)
    noise_of_seed(sz, K, nB, plateau_steps, &S[k], k ? NULL : *keep);
  for (size_t k = 0; k < ns; k++)
    if (S[k].rc) {
      char what[260];
      snprintf(what, sizeof what, "the gradient's variance, seed %lu: %s", S[k].seed, S[k].error);
      grl_lesson_expect(L, 0, what);
      goto done;
    }
  const noise *N2 = S[0].N;
  int onplateau = 1;
  for (size_t k = 0; k < ns; k++)
    onplateau &= S[k].last > 0.15 && S[k].last < 0.2;
  grl_lesson_say(L,
    "A GRU (H = %zu, %zu parameters with its readout) on the adding problem at\n"
    "T = %zu.  Two parameter points per seed: the initialisation, and the same\n"
    "net after %zu steps of Adam (lr 1e-3, batches of 50; every gradient longer\n"
    "than 1 scaled down to length 1, the clipping of §7), %s.\n"
    "Their mean batch loss over steps %zu..%zu:",
    sz->H, m->n, sz->T, plateau_steps,
    sz->quick ? "which --quick\nstops too early to reach the plateau at 1/6"
              : "meant to be mid-way\nalong the plateau at 1/6 that §8 shows",
    plateau_steps - (plateau_steps < 25 ? plateau_steps : 25) + 1, plateau_steps);
  for (size_t k = 0; k < ns; k++)
    printf("  seed %lu: %.4f%s\n", S[k].seed, S[k].last,
           S[k].last > 0.15 && S[k].last < 0.2 ? "" : "  (NOT between 0.15 and 0.2)");
  grl_lesson_say(L, "%s",
    onplateau ? "Every seed is between 0.15 and 0.2: on the plateau at 1/6."
              : "Not every seed is between 0.15 and 0.2: the columns keep the name\n"
                "'plateau', but not every net is on it.");
  grl_lesson_say(L,
    "\nSeed %lu in full.  For each B, K = %zu batches; var = the sample variance\n"
    "of g_B summed over entries (SE from the K terms); law = c/B with\n"
    "c = tr Sigma fitted to all the points with the slope fixed at -1:",
    sz->seed, K);
  printf("  %5s | %12s %12s %8s | %12s %12s %8s\n", "B", "var, init", "law c/B",
         "ratio", "var, plateau", "law c/B", "ratio");
  for (size_t q = 0; q < nB; q++) {
    double B = (double)N2[0].Bs[q];
    printf("  %5zu | %12.4g %12.4g %8.3f | %12.4g %12.4g %8.3f\n", N2[0].Bs[q],
           N2[0].var[q], N2[0].c / B, N2[0].var[q] / (N2[0].c / B),
           N2[1].var[q], N2[1].c / B, N2[1].var[q] / (N2[1].c / B));
  }

  /* every seed: the slopes, and signal against noise */
  grl_lesson_say(L,
    "\nEvery seed: the fitted slope of log var on log B (the law says -1) with\n"
    "its standard error, and signal against noise: ||G||^2 from the mean of all\n"
    "%zu per-sequence gradients, less its own noise tr Sigma / %zu, and\n"
    "B_noise = tr Sigma / ||G||^2:", N2[0].nseq, N2[0].nseq);
  printf("  %5s %-8s %16s %10s %11s %11s %9s %9s\n", "seed", "point", "slope +- SE",
         "tr Sigma", "||mean||^2", "||G||^2", "B_noise", "readout");
  double bn[2][MAX_SEEDS], worst_slope = 0.0;
  int resolved = 1;
  for (size_t k = 0; k < ns; k++)
    for (int p = 0; p < 2; p++) {
      const noise *N = &S[k].N[p];
      char s[32];
      snprintf(s, sizeof s, "%.3f +- %.3f", N->slope, N->slope_se);
      bn[p][k] = bnoise(N);
      resolved &= N->G2 > 0;
      worst_slope = fmax(worst_slope, fabs(N->slope + 1.0));
      printf("  %5lu %-8s %16s %10.4g %11.4g %11.4g %9.3g %8.1f%%\n", S[k].seed,
             p ? "plateau" : "init", s, N->c, N->G2raw, N->G2, bn[p][k],
             100.0 * N->readout_share);
    }
  grl_lesson_say(L, "(readout: the share of ||mean||^2 in W_o and b_o, %zu of the\n"
                 "%zu parameters.)", sz->H + 1, m->n);
  double mean_slope = 0.0;
  for (size_t k = 0; k < ns; k++)
    mean_slope += (S[k].N[0].slope + S[k].N[1].slope) / (2.0 * (double)ns);
  grl_lesson_value(L, "mean slope over seeds and points", mean_slope);
  grl_lesson_value(L, "largest |slope + 1| over seeds and points", worst_slope);
  if (sz->quick) {
    grl_lesson_skip(L, "mean slope within 0.05 of -1, every slope within 0.15",
                    "--quick measures too few batches for the law");
  } else {
    grl_lesson_expect(L, fabs(mean_slope + 1.0) < 0.05 && worst_slope < 0.15,
                      "mean slope within 0.05 of -1, every slope within 0.15");
    grl_lesson_say(L,
      "The 1/B law holds to the sampling noise of K = %zu batches: the slopes\n"
      "scatter around -1 by up to %.2f, their mean is %.3f.", K, worst_slope,
      mean_slope);
  }
  if (!resolved) {
    grl_lesson_say(L, "||G||^2 is not resolved at one of the points: its noise\n"
                   "correction is as large as the estimate itself.");
  } else {
    double lo[2], hi[2], gm[2];
    size_t over50 = 0;
    for (int p = 0; p < 2; p++) {
      lo[p] = INFINITY;
      hi[p] = 0.0;
      gm[p] = 0.0;
      for (size_t k = 0; k < ns; k++) {
        lo[p] = fmin(lo[p], bn[p][k]);
        hi[p] = fmax(hi[p], bn[p][k]);
        gm[p] += log(bn[p][k]) / (double)ns;
      }
      gm[p] = exp(gm[p]);
    }
    for (size_t k = 0; k < ns; k++)
      over50 += bn[1][k] > 50.0;
    double wlo = INFINITY, whi = 0.0;   /* how much weaker the signal, per seed */
    for (size_t k = 0; k < ns; k++) {
      double wk = S[k].N[0].G2 / S[k].N[1].G2;
      wlo = fmin(wlo, wk);
      whi = fmax(whi, wk);
    }
    grl_lesson_value(L, "B_noise at init, geometric mean", gm[0]);
    grl_lesson_value(L, "B_noise on the plateau, geometric mean", gm[1]);
    double rlo = INFINITY, rhi = 0.0;
    for (size_t k = 0; k < ns; k++) {
      rlo = fmin(rlo, S[k].N[0].readout_share);
      rhi = fmax(rhi, S[k].N[0].readout_share);
    }
    grl_lesson_say(L,
      "At the initialisation the mean gradient is strong, and %.0f%% to %.0f%% of\n"
      "its squared norm sits in the readout, which must first learn to answer\n"
      "about 1: B_noise is %.2g to %.2g,\nso %s.\n"
      "On the plateau ||G||^2 is %.3g to %.3g times weaker, and B_noise is\n"
      "%.3g to %.3g over the %zu seeds (geometric mean %.3g): a batch of 50\n"
      "carries more noise variance than signal on %zu of the %zu seeds.  The\n"
      "noise scale moves a lot from one seed to the next; what every seed shows\n"
      "is the jump, a factor %.3g at least, from the start to the plateau.",
      100.0 * rlo, 100.0 * rhi, lo[0], hi[0], hi[0] < 1.0
      ? "even one sequence's gradient has more signal than noise"
      : "a batch needs about that many sequences before its signal outweighs its noise",
      wlo, whi, lo[1], hi[1], ns, gm[1], over50, ns, lo[1] / hi[0]);
    if (sz->quick)
      grl_lesson_skip(L, "every seed: B_noise on the plateau > 10 x at init",
                      "--quick measures too few batches");
    else
      grl_lesson_expect(L, lo[1] > 10.0 * hi[0],
                        "every seed: B_noise on the plateau > 10 x at init");
  }

  grl_chart *ch = grl_lesson_chart(L, "batch-noise",
                                   "Variance of the batch gradient against the batch size");
  grl_chart_param(ch, "K", "%zu", K);
  grl_chart_param(ch, "plateau_steps", "%zu", plateau_steps);
  grl_chart_comment(ch, "seed %lu: var = sample variance of the batch gradient over K batches, summed over all parameters; se its standard error", sz->seed);
  grl_chart_comment(ch, "law = c/B with c fitted (slope -1); G2 = ||G||^2, constant, drawn as the level where noise equals signal; Bn_* B_noise of every seed");
  grl_chart_columns(ch, "B var_init se_init law_init var_plateau se_plateau law_plateau");
  for (size_t q = 0; q < nB; q++) {
    double B = (double)N2[0].Bs[q];
    grl_chart_row(ch, 7, (double[]){B, N2[0].var[q], N2[0].se[q], N2[0].c / B,
                                    N2[1].var[q], N2[1].se[q], N2[1].c / B});
  }
  grl_chart_set(ch, "G2_init", "%.6g", N2[0].G2);
  grl_chart_set(ch, "G2_plateau", "%.6g", N2[1].G2);
  grl_chart_set(ch, "c_init", "%.6g", N2[0].c);
  grl_chart_set(ch, "c_plateau", "%.6g", N2[1].c);
  grl_chart_set(ch, "Bmax", "%zu", N2[0].Bs[nB - 1]);
  grl_chart_set(ch, "Bbatch", "50");
  grl_chart_set(ch, "seed0", "%lu", sz->seed);
  {
    char list[MAX_SEEDS * 16] = "";
    size_t len = 0;
    for (size_t k = 0; k < ns; k++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%.4g", k ? " " : "", bn[1][k]);
    grl_chart_set_text(ch, "bn_plateau", "%s", list);
  }
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  {
    char b[160] = "";
    if (resolved) {
      double lo = INFINITY, hi = 0.0;
      for (size_t k = 0; k < ns; k++) {
        lo = fmin(lo, bn[1][k]);
        hi = fmax(hi, bn[1][k]);
      }
      snprintf(b, sizeof b, "; on the plateau $B_{noise}$ is %.3g to %.3g sequences"
               " over %zu seeds", lo, hi, ns);
    }
    grl_lesson_takeaway(L, "batch-noise",
      "The variance of the batch gradient falls with $B$ at a fitted slope of"
      " %.3f at initialisation and %.3f on the plateau (seed %lu; the $1/B$ law:"
      " −1)%s.", N2[0].slope, N2[1].slope, sz->seed, b);
  }
done:
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
}

/*
## 7. Clipping by global norm

A recurrent net's gradient can be huge on an unlucky batch (chapter 7
shows why).  Pascanu, Mikolov and Bengio (2013, Algorithm 1) clip it by
its norm over ALL parameters at once:

$$\text{if } \lVert g \rVert \ge c: \quad g \leftarrow \frac{c}{\lVert g \rVert}\, g .$$

Every entry is scaled by the same factor, so the direction is unchanged
and only the length is capped at $c$; a plain SGD step then moves
$\theta$ by at most $\eta c$.  Clipping each entry to $[-v, v]$ instead
also bounds the step, but shrinks large entries more than small ones and
so turns the direction.

Measured on the $K$ single-sequence gradients of §6 at the initialisation
(the noisiest, $B = 1$), with $c$ their median norm, so that half of them
are clipped, and, for comparison, clipping by value at
$v = c/\sqrt{n}$, the one $v$ that also guarantees
$\lVert g \rVert \le c$ for every gradient.  That comparison is not like
for like: to give the guarantee, it shrinks every gradient, also the half
that clipping by norm leaves alone.  A sweep of $v$ up to $16\, c/\sqrt n$
shows how the turn and the shrink depend on $v$.

Adam is another matter.  Its step $\hat m/(\sqrt{\hat v} + \epsilon)$ does
not change when every gradient is multiplied by the same constant (up to
$\epsilon$), so clipping does not cap Adam's step; it only reweights the
steps whose gradients it shrank.  The section measures that on Adam's
first step.
*/

static void clipping(grl_lesson *L, const double *G, size_t K, size_t n)
{
  grl_lesson_section(L, "Clipping by global norm");
  if (!G) {
    grl_lesson_expect(L, 0, "the gradients of section 6");
    return;
  }
  double *norms = malloc(K * sizeof *norms), *sorted = malloc(K * sizeof *sorted);
  double *gc = malloc(n * sizeof *gc), *gv = malloc(n * sizeof *gv);
  double *rows = malloc(5 * K * sizeof *rows);      /* (K, 5) the chart's rows */
  double *t1 = malloc(n * sizeof *t1), *t2 = malloc(n * sizeof *t2);
  if (!norms || !sorted || !gc || !gv || !rows || !t1 || !t2) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch06: out of memory"), "allocation");
    goto done;
  }
  for (size_t k = 0; k < K; k++)
    sorted[k] = norms[k] = grl_norm(G + k * n, n);
  gsl_sort(sorted, 1, K);
  const double c = gsl_stats_median_from_sorted_data(sorted, 1, K);
  const double v = c / sqrt((double)n);
  size_t nclip = 0;
  double cmin = 1.0, capmax = 0.0, vmin = 1.0, vmean = 0.0, vnorm = 0.0;
  double above = 0.0, share = 0.0;   /* entries above v, and their share of ||g||^2 */
  for (size_t k = 0; k < K; k++) {
    const double *g = G + k * n;
    memcpy(gc, g, n * sizeof *gc);
    int clipped;
    grl_clip_global_norm(gc, n, c, &clipped);
    nclip += (size_t)clipped;
    /* by value: each entry to [-v, v] */
    for (size_t i = 0; i < n; i++)
      gv[i] = fmin(v, fmax(-v, g[i]));
    double dc = 0.0, dv = 0.0, big = 0.0;
    size_t nbig = 0;
    for (size_t i = 0; i < n; i++) {
      dc += gc[i] * g[i];
      dv += gv[i] * g[i];
      if (fabs(g[i]) > v) {
        nbig++;
        big += g[i] * g[i];
      }
    }
    above += (double)nbig / (double)n / (double)K;
    share += big / (norms[k] * norms[k]) / (double)K;
    double ncn = grl_norm(gc, n), nvn = grl_norm(gv, n);
    double cosc = dc / (ncn * norms[k]), cosv = dv / (nvn * norms[k]);
    cmin = fmin(cmin, cosc);
    capmax = fmax(capmax, ncn);
    vmin = fmin(vmin, cosv);
    vmean += cosv / (double)K;
    vnorm = fmax(vnorm, nvn);
    double *row = rows + 5 * k;
    row[0] = norms[k];
    row[1] = ncn;
    row[2] = nvn;
    row[3] = cosc;
    row[4] = cosv;
  }
  grl_lesson_say(L,
    "%zu gradients of one sequence each, %zu entries; threshold c = their\n"
    "median norm; by value, v = c/sqrt(n):", K, n);
  grl_lesson_value(L, "c, the median ||g||", c);
  grl_lesson_value(L, "smallest ||g||", sorted[0]);
  grl_lesson_value(L, "largest ||g||", sorted[K - 1]);
  grl_lesson_value(L, "gradients clipped, of the K", (double)nclip);
  grl_lesson_check(L, "global norm: largest ||clipped g|| - c", capmax - c, 1e-12 * c);
  grl_lesson_check(L, "global norm: 1 - smallest cosine to g", 1.0 - cmin, 1e-14);
  grl_lesson_value(L, "by value: largest ||clipped g|| (<= c)", vnorm);
  grl_lesson_value(L, "by value: smallest cosine to g", vmin);
  grl_lesson_value(L, "by value: mean cosine to g", vmean);
  grl_lesson_value(L, "by value: share of entries above v (mean)", above);
  grl_lesson_value(L, "  their share of ||g||^2 (mean)", share);
  grl_lesson_say(L,
    "Clipping by global norm leaves every direction as it was (cosine 1 to\n"
    "rounding) and caps the length at c exactly.  Clipping by value turns the\n"
    "gradient: its cosine to the original is %.3f on average.  The entries it\n"
    "cuts are %.1f%% of all, and they carry %.0f%% of ||g||^2, so the clipped\n"
    "gradient leans towards the many small entries it leaves alone.",
    vmean, 100.0 * above, 100.0 * share);

  /* the sweep of v: the turn, the shrink, and the cap, per multiple of c/sqrt(n) */
  {
    static const double mult[5] = {1.0, 2.0, 4.0, 8.0, 16.0};
    grl_lesson_say(L,
      "\nClipping by value, v swept (mean over the K gradients of the cosine to g\n"
      "and of ||clipped g|| / ||g||; largest ||clipped g|| / c):");
    printf("  %14s %12s %14s %16s %16s\n", "v / (c/sqrt n)", "mean cos",
           "mean shrink", "shrink, ||g||<c", "largest ||.||/c");
    double cos1 = 0.0, cos16 = 0.0, shrink_small = 0.0;
    for (int j = 0; j < 5; j++) {
      const double vj = mult[j] * v;
      double mc = 0.0, ms = 0.0, mss = 0.0, cap = 0.0;
      size_t nsmall = 0;
      for (size_t k = 0; k < K; k++) {
        const double *g = G + k * n;
        double dv = 0.0, nv = 0.0;
        for (size_t i = 0; i < n; i++) {
          double x = fmin(vj, fmax(-vj, g[i]));
          dv += x * g[i];
          nv += x * x;
        }
        nv = sqrt(nv);
        mc += dv / (nv * norms[k]) / (double)K;
        ms += nv / norms[k] / (double)K;
        if (norms[k] < c) {
          mss += nv / norms[k];
          nsmall++;
        }
        cap = fmax(cap, nv / c);
      }
      mss = nsmall ? mss / (double)nsmall : NAN;
      if (j == 0) {
        cos1 = mc;
        shrink_small = mss;
      }
      if (j == 4)
        cos16 = mc;
      printf("  %14g %12.3f %14.3f %16.3f %16.3f\n", mult[j], mc, ms, mss, cap);
    }
    grl_lesson_say(L,
      "At v = c/sqrt(n) even the gradients shorter than c, which clipping by\n"
      "norm leaves untouched, keep only %.0f%% of their length on average.  A\n"
      "larger v shrinks and turns less (mean cosine %.3f at 16 c/sqrt(n)\n"
      "against %.3f), but no longer guarantees ||g|| <= c (last column).  The\n"
      "cosine depends on v;\n"
      "clipping by norm keeps it at 1 for any c.",
      100.0 * shrink_small, cos16, cos1);
  }

  /* Adam's first step, from g and from clip(g): per entry
   * eta g/(|g| + eps) against eta s g/(s|g| + eps), s = the clip factor */
  {
    const double *g = G + 0;
    grl_optim *o1 = NULL, *o2 = NULL;
    double worst = 0.0, glarge = 0.0;
    size_t far = 0;
    memcpy(gc, g, n * sizeof *gc);
    double g0 = grl_clip_global_norm(gc, n, 0.1 * norms[0], NULL);
    int rc = grl_optim_alloc(&o1, "adam", n, 1e-3);
    if (!rc)
      rc = grl_optim_alloc(&o2, "adam", n, 1e-3);
    if (!rc) {
      memset(t1, 0, n * sizeof *t1);
      memset(t2, 0, n * sizeof *t2);
      grl_optim_step(o1, t1, g);
      grl_optim_step(o2, t2, gc);
      for (size_t i = 0; i < n; i++) {
        double d = fabs(t1[i] - t2[i]) / 1e-3;
        worst = fmax(worst, d);
        if (d > 0.01) {
          far++;
          glarge = fmax(glarge, fabs(g[i]));
        }
      }
    }
    grl_optim_free(o1);
    grl_optim_free(o2);
    if (rc) {
      grl_lesson_error(L, rc, "adam");
      goto done;
    }
    size_t nz = 0, tiny = 0;
    for (size_t i = 0; i < n; i++) {
      nz += g[i] == 0.0;
      tiny += g[i] != 0.0 && fabs(g[i]) < 1e-6;
    }
    grl_lesson_say(L,
      "\nAdam's first step (eta = 1e-3) from the first gradient (norm %.3g), and\n"
      "from the same gradient clipped to a tenth of its norm, entry by entry:", g0);
    grl_lesson_value(L, "largest difference of the two steps / eta", worst);
    grl_lesson_value(L, "entries that differ by more than 1% of eta", (double)far);
    grl_lesson_value(L, "entries of g with 0 < |g_i| < 1e-6", (double)tiny);
    grl_lesson_value(L, "entries of g exactly 0", (double)nz);
    grl_lesson_say(L,
      "At step 1 Adam moves each entry by eta g/(|g| + eps); scaling g by s\n"
      "changes that by about (1/s - 1) eps/|g_i|, i.e. only where |g_i| is\n"
      "within a few orders of eps = 1e-8.");
    if (far)
      grl_lesson_value(L, "largest |g_i| of the entries that differ", glarge);
    grl_lesson_say(L,
      "Clipping caps SGD's step, not Adam's: with Adam it changes only how much\n"
      "a clipped gradient counts in m and v against the others.");
  }

  grl_chart *ch = grl_lesson_chart(L, "clipping",
                                   "Clipping one-sequence gradients: by global norm and by value");
  grl_chart_param(ch, "threshold", "%.6g", c);
  grl_chart_param(ch, "value_threshold", "%.6g", v);
  grl_chart_comment(ch, "one row per gradient: its norm, the norms after clipping by global norm and by value, and the cosines of the clipped gradients to it");
  grl_chart_columns(ch, "norm norm_global norm_value cos_global cos_value");
  for (size_t k = 0; k < K; k++)
    grl_chart_row(ch, 5, rows + 5 * k);
  grl_chart_set(ch, "c", "%.8g", c);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_takeaway(L, "clipping",
    "Of %zu one-sequence gradients, %zu are longer than the median norm"
    " %.3g and are clipped: by global norm every direction is kept (cosine"
    " within %.1e of 1), by value the cosine falls to %.3f (mean %.3f).",
    K, nclip, c, 1.0 - cmin, vmin, vmean);
done:
  free(norms);
  free(sorted);
  free(gc);
  free(gv);
  free(rows);
  free(t1);
  free(t2);
}

/*
## 8. A GRU's first training

Everything above, put together: a GRU with a readout learns the adding
problem at a short length.  Each run is one `grl_session_run`, which
draws the initial parameters and then every batch from one seed, and at
each step takes the gradient of §6, clips it to global norm 1 (§7) and
applies Adam with $\eta = 10^{-3}$ (§5); at the end it scores 1000 fresh
test sequences.  `grulab train --task adding --cell gru --seq-len 20
--seed 6 --steps 2000` repeats the first seed's run (same parameters,
batches and test sequences).  One run is one sample, so the chapter trains
every seed of `--seeds` and prints the mean and the spread.

What to look for in the curve.  It starts near $\mathbb E[y^2] = 1 + 1/6
= 7/6$, since the untrained readout answers about 0.  It falls quickly to
near $1/6$: that is the readout learning to answer the mean, no memory at
all.  It then sits on that plateau, where §6 measured the mean gradient
far weaker than at the start against a batch's noise, before it falls
through $1/12$ and on.  The run prints how long each seed stayed there.
Chapter 7 explains why memory over many steps is hard to learn, and
chapter 8 trains at longer $T$ and compares cells.
*/

typedef struct {
  unsigned long seed;
  grl_session s;
  int status;
  char error[200];
} run;

/* Mean of the batch losses of steps (i-w, i] (0-based i). */
static double smoothed(const grl_session *s, size_t i, size_t w)
{
  size_t lo = i + 1 >= w ? i + 1 - w : 0;
  double sum = 0;
  for (size_t k = lo; k <= i; k++)
    sum += s->log[k].loss;
  return sum / (double)(i + 1 - lo);
}

static void first_training(grl_lesson *L, const sizes *sz, size_t steps)
{
  grl_lesson_section(L, "A GRU's first training on the adding problem");
  const size_t ns = sz->nseed, test = sz->quick ? 100 : 1000, w = steps >= 250 ? 50 : (steps / 5 ? steps / 5 : 1);
  run runs[MAX_SEEDS];
  memset(runs, 0, sizeof runs);
  for (size_t k = 0; k < ns; k++)
    runs[k].seed = sz->seed + k;
  grl_lesson_say(L,
    "GRU, H = %zu, T = %zu, batches of 50, Adam (lr 1e-3), clip 1, %zu steps;\n"
    "seeds %lu..%lu, trained in parallel (one BLAS thread each; a run's\n"
    "numbers do not depend on the thread count); test MSE on %zu fresh\n"
    "sequences; smoothed loss = mean of the last %zu batch losses.",
    sz->H, sz->T, steps, sz->seed, sz->seed + ns - 1, test, w);
  fflush(stdout);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < ns; k++) {
    grl_session_spec spec = {
      .cell = &grl_cell_gru, .task = "adding", .length = sz->T,
      .hidden_size = sz->H, .steps = steps, .seed = runs[k].seed,
      .test_seqs = test, .keep_gate_bias = NAN,
      .cfg = {.optimizer = "adam", .lr = 1e-3, .clip = 1.0, .batch = 50},
    };
    runs[k].status = grl_session_run(&runs[k].s, &spec, NULL, NULL);
    if (runs[k].status)
      snprintf(runs[k].error, sizeof runs[k].error, "%s", grl_strerror());
  }
  for (size_t k = 0; k < ns; k++)
    if (runs[k].status) {
      char what[260];
      snprintf(what, sizeof what, "training seed %lu: %s", runs[k].seed, runs[k].error);
      grl_lesson_expect(L, 0, what);
      goto done;
    }

  /* per seed: where the smoothed loss first goes below 0.2 (near 1/6: the
   * readout answers the mean), below 0.15 (off the plateau) and below 1/12 */
  printf("  %6s %10s %10s %10s %10s %12s %9s\n", "seed", "test MSE", "< 0.2",
         "< 0.15", "< 1/12", "last loss", "clipped");
  double tests[MAX_SEEDS], at02[MAX_SEEDS], at015[MAX_SEEDS], cross12[MAX_SEEDS];
  size_t nbelow = 0, ncross = 0, nplateau = 0;
  for (size_t k = 0; k < ns; k++) {
    const grl_session *s = &runs[k].s;
    size_t first[3] = {0, 0, 0}, nclip = 0;
    const double level[3] = {0.2, 0.15, 1.0 / 12.0};
    for (size_t i = 0; i < steps; i++) {
      double v = smoothed(s, i, w);
      for (int j = 0; j < 3; j++)
        if (!first[j] && i + 1 >= w && v < level[j])
          first[j] = i + 1;
      nclip += (size_t)s->log[i].clipped;
    }
    tests[k] = s->test;
    at02[k] = first[0] ? (double)first[0] : NAN;
    at015[k] = first[1] ? (double)first[1] : NAN;
    cross12[k] = first[2] ? (double)first[2] : NAN;
    nbelow += s->test < 1.0 / 12.0;
    ncross += first[2] > 0;
    nplateau += first[0] > 0 && first[1] > 0;
    char c[3][24];
    for (int j = 0; j < 3; j++)
      snprintf(c[j], sizeof c[j], first[j] ? "%zu" : "never", first[j]);
    printf("  %6lu %10.5f %10s %10s %10s %12.5f %8.1f%%\n", runs[k].seed, s->test,
           c[0], c[1], c[2], smoothed(s, steps - 1, w),
           100.0 * (double)nclip / (double)steps);
  }
  const double mt = gsl_stats_mean(tests, 1, ns), sdt = gsl_stats_sd(tests, 1, ns);
  printf("  %6s %10.5f   (sd %.5f; min %.5f, max %.5f)\n", "mean", mt, sdt,
         gsl_stats_min(tests, 1, ns), gsl_stats_max(tests, 1, ns));
  grl_lesson_say(L,
    "(< 0.2, < 0.15, < 1/12: the first step at which the smoothed loss is\n"
    "below that level, counted from step %zu, the first with a full window;\n"
    "clipped: the share of steps whose gradient norm was above 1.)", w);
  if (nplateau == ns) {
    double len_lo = INFINITY, len_hi = 0.0, first_loss = 0.0;
    for (size_t k = 0; k < ns; k++) {
      len_lo = fmin(len_lo, at015[k] - at02[k]);
      len_hi = fmax(len_hi, at015[k] - at02[k]);
      first_loss += runs[k].s.log[0].loss / (double)ns;
    }
    grl_lesson_say(L,
      "The first batch loss is %.3g (mean over the seeds; E[y^2] = 7/6 for an\n"
      "answer of 0).  Every seed's smoothed loss is below 0.2 by step %.0f at\n"
      "the latest, and then takes %.0f to %.0f more steps, on the plateau at\n"
      "1/6, to get below 0.15.",
      first_loss, gsl_stats_max(at02, 1, ns), len_lo, len_hi);
  }
  if (ncross == ns) {
    grl_lesson_say(L,
      "Every seed's smoothed loss crossed 1/12, between steps %.0f and %.0f,\n"
      "and %zu of %zu test MSEs are below 1/12: the trained GRU carries the\n"
      "first marker's value to the end, up to %zu steps.  Mean test MSE %.5f,\n"
      "%.3g of the 1/12 baseline.",
      gsl_stats_min(cross12, 1, ns), gsl_stats_max(cross12, 1, ns), nbelow, ns,
      sz->T - 1, mt, mt / (1.0 / 12.0));
    grl_lesson_expect(L, nbelow == ns, "every seed's test MSE below 1/12");
  } else if (sz->quick) {
    grl_lesson_say(L,
      "--quick trains %zu steps: too few to leave the plateau at 1/6, so this\n"
      "run cannot show the GRU learning the task (the default run does).", steps);
  } else {
    grl_lesson_say(L,
      "%zu of %zu seeds got below 1/12 in %zu steps; the others did not carry\n"
      "the first marker in that time.", ncross, ns, steps);
  }

  grl_chart *ch = grl_lesson_chart(L, "adding",
                                   "A GRU learns the adding problem: training loss against step");
  grl_chart_param(ch, "optimizer", "adam lr=0.001 clip=1 batch=50");
  grl_chart_param(ch, "smoothing", "mean of the last %zu batch losses", w);
  grl_chart_comment(ch, "mean, lo, hi: the mean, lowest and highest over the seeds of the smoothed loss");
  grl_chart_columns(ch, "step mean lo hi");
  for (size_t i = 0; i < steps; i++) {
    double s = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < ns; k++) {
      double v = smoothed(&runs[k].s, i, w);
      s += v / (double)ns;
      lo = fmin(lo, v);
      hi = fmax(hi, v);
    }
    grl_chart_row(ch, 4, (double[]){(double)(i + 1), s, lo, hi});
  }
  grl_chart_set(ch, "steps", "%zu", steps);
  grl_chart_set(ch, "nseed", "%zu", ns);
  grl_chart_set(ch, "smooth", "%zu", w);
  grl_chart_set(ch, "T", "%zu", sz->T);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_takeaway(L, "adding",
    "After %zu steps at $T$ = %zu the mean test MSE over %zu seeds is %.4f"
    " (sd %.4f), against the baselines 1/6 ≈ 0.167 (no memory) and 1/12 ≈"
    " 0.083 (the second marker only); %zu of %zu seeds crossed 1/12.",
    steps, sz->T, ns, mt, sdt, ncross, ns);
done:
  for (size_t k = 0; k < ns; k++)
    grl_session_free(&runs[k].s);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;   /* --help, --charts: 0; a bad option: 2 */
  grl_train_blas_threads_default();
#ifdef _OPENMP
  if (opt_threads)
    omp_set_num_threads((int)opt_threads);
#endif
  sizes sz = {opt_T ? opt_T : (L.quick ? 10 : 20), opt_H ? opt_H : (L.quick ? 8 : 32),
              opt_seeds ? opt_seeds : 3, L.seed, L.quick};
  const size_t steps = opt_steps ? opt_steps : (L.quick ? 60 : 2000);
  grl_lesson_param(&L, "T", "%zu", sz.T);
  grl_lesson_param(&L, "H", "%zu", sz.H);
  grl_lesson_param(&L, "seeds", "%zu", sz.nseed);
  grl_lesson_param(&L, "steps", "%zu", steps);

  readout_by_hand(&L);
  gradients_checked(&L, &sz);
  adding_problem(&L, &sz);

  fit fits[MAX_SEEDS];
  memset(fits, 0, sizeof fits);
  int rc = GRL_OK;
  for (size_t k = 0; !rc && k < sz.nseed; k++)
    rc = fit_alloc(&fits[k], &sz, GSL_MAX_INT(sz.quick ? 64 : 256, 4 * ((int)sz.H + 1)),
                   sz.seed + k);
  if (rc) {
    grl_lesson_error(&L, rc, "the readout problem");
  } else {
    descent(&L, &sz, fits);
  }
  for (size_t k = 0; k < sz.nseed; k++)
    fit_free(&fits[k]);
  optimisers(&L, &sz);

  double *G = NULL;
  size_t K = 0, n = 0;
  minibatches(&L, &sz, &G, &K, &n);
  clipping(&L, G, K, n);
  free(G);

  first_training(&L, &sz, steps);
  return grl_lesson_end(&L);
}
