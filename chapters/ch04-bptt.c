/*
# Chapter 4: Backpropagation through time

**Prerequisites:** chapter 1 §1, §3 (derivatives from the outputs; one
GRU step), chapter 1 §6 (the batched BLAS step), chapter 2 §3 (the
sequence driver and its cache), chapter 3 §8 (the first backward step
derived by mirroring the forward one, on the LSTM).

Training needs the gradient of a loss with respect to every parameter.  A
recurrent net uses its parameters at every step, so the gradient is a sum
over steps, and the error signal $∂L/∂h_t$ has to be carried backwards
through time.  This chapter derives the GRU's backward step, writes BPTT
as plain loops, and checks it against the library's batched BLAS path.

### What you will learn

1. The backward step of the GRU, derived line by line from the forward
   step: each forward line, read backwards, gives the gradients of its
   inputs (the "mirror" of the forward pass, which chapter 3 §8 first
   used on one LSTM step; here it is the GRU's, and it runs over a whole
   sequence).
2. BPTT: run forward, keep every gate; then walk $t = T \dots 1$ carrying
   $δ_t = ∂L/∂h_t = ∂L/∂\mathrm{output}_t + {}$(what step $t+1$ sent
   back).  The parameter gradients *accumulate* over steps; what step 1
   sends back is $∂L/∂h_0$, the gradient of the initial state.
3. The library does the same with matrix products over the whole batch
   (level-3 BLAS): per step, one product carries $δ$ back to $h_{t-1}$;
   the weight gradients and $∂L/∂x$ of all $T$ steps are one product each
   at the end.  The naive loops and the BLAS path agree to rounding; the
   number is printed.
4. What $∂L/∂h_t$ looks like over $t$: with a loss at every step it stays
   up; with a loss at the last step only it fades going back: faster for
   the first few steps, then by a roughly constant factor per step, fitted
   to every step and measured at three seeds -- the first sight of the
   vanishing gradient of chapter 7.

Time steps: $h_0$ is the initial state; step $t = 1..T$ reads $x_t$ and
$h_{t-1}$ and writes $h_t$ (row $t-1$ of the output, rows $(t-1)B + b$
for a batch).  The loss reads $h_1 \dots h_T$.

### The equations

The forward step (PyTorch nn.GRU, reset-after):

::: equations
---------------------------------------------  -------------------------
$a_r = W_{ir} x + b_{ir} + W_{hr} h + b_{hr}$  $r = σ(a_r)$
$a_z = W_{iz} x + b_{iz} + W_{hz} h + b_{hz}$  $z = σ(a_z)$
$q = W_{hn} h + b_{hn}$                        the recurrent half of $n$
$a_n = W_{in} x + b_{in} + r ⊙ q$              $n = \tanh(a_n)$
$h′ = (1 − z) ⊙ n + z ⊙ h$
---------------------------------------------  -------------------------
:::

and its mirror, given `delta` $= ∂L/∂h'$ (total):

    dn   = delta * (1 - z)        dz = delta * (h - n)     dh  = delta * z
    da_n = dn * (1 - n^2)         dr = da_n * q            dq  = da_n * r
    da_z = dz * z (1 - z)         da_r = dr * r (1 - r)
    dW_i{r,z,n} += da_{r,z,n} x^T        db_i{r,z,n} += da_{r,z,n}
    dW_h{r,z}   += da_{r,z} h^T          db_h{r,z}   += da_{r,z}
    dW_hn       += dq h^T                db_hn       += dq
    dx  = W_ir^T da_r + W_iz^T da_z + W_in^T da_n
    dh += W_hr^T da_r + W_hz^T da_z + W_hn^T dq     -> delta of step t-1

### Run it

    chapters/ch04-bptt [--seed N] [--outdir DIR] [--quick]

### Charts

- `ch04-grad-norm`: $\|∂L/∂h_t\|$ over $t = 0..T$, for a loss at every step
  and for a loss at the last step only, with the least-squares line
  fitted to every point of the second (log scale).  One seed, the run's;
  the output measures the rate at three.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"grad-norm", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* 3H(I+H) weights + 6H biases */
{
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, 5, 16, 0);
  if (rc)
    return rc;
  *v = (double)m->n;
  grl_model_free(m);
  return GRL_OK;
}

static int ex2_answer(double *v)   /* smallest k with 0.5^k < 1e-6 */
{
  int k = 0;
  while (pow(0.5, k) >= 1e-6)
    k++;
  *v = k;
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"Count the parameters of a GRU with I = 5 inputs and H = 16 hidden\n"
   "units (weight_ih, weight_hh, bias_ih and bias_hh, PyTorch's layout),\n"
   "then compare with the tensor shapes that `grulab init --cell gru\n"
   "--input-size 5 --hidden-size 16 | grep '^[a-z]'` lists (init prints\n"
   "every value too: the grep keeps only the tensors' name lines).",
   ex1_answer, 0.001, 1},
  {"In section 3 the last-step signal shrinks, after the first few steps,\n"
   "by a roughly constant factor per step going back.  If that factor were 0.5, after how many steps\n"
   "back would the signal first be below a millionth of its size?",
   ex2_answer, 0.01, 1},
  {"Break the naive BPTT: in its backward step, drop the path that carries\n"
   "the gradient straight through the update gate to the old state (set\n"
   "dh[j] = 0 where the comment says dh = delta z) and rerun.  Which lines\n"
   "of section 1 fail, and what happens to ch04-grad-norm?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

/* Model answers for --solutions, in the exercises' order (NULL: none). */
static const char *const models[] = {
  NULL,
  NULL,
  "every line of section 1 fails (the normwise differences are of order\n"
  "     0.1 to 1, not 1e-13), section 2 fails too (BPTT and the central\n"
  "     difference then disagree far beyond rounding), and so does section\n"
  "     3's naive-vs-library check of the last-step loss.  On ch04-grad-norm\n"
  "     the every-step curve changes little (each step gets its own g_t),\n"
  "     but the last-step curve falls far faster: its fitted factor drops\n"
  "     from about 0.65 to about 0.14 per step at the default seed.  The\n"
  "     path dh = delta z, the update gate carrying h straight through, is\n"
  "     the one that keeps the signal alive; without it only the paths\n"
  "     through the weight matrices and the saturating gates remain.",
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .models = models,
  .name = "ch04-bptt",
  .title = "Backpropagation through time",
  .summary =
    "Chapter 4 derives the GRU's backward step from its forward step, line\n"
    "by line, and runs full backpropagation through time as plain loops:\n"
    "dL/dh_t at every step, and every parameter's gradient accumulated over\n"
    "the steps.  The naive loops are checked against the library's batched\n"
    "BLAS path (the agreement is printed), and one entry against a finite\n"
    "difference.  The chart shows ||dL/dh_t|| over t for a loss at every\n"
    "step and for a loss at the last step only.",
  .charts = charts,
  .seed = 4,
};

/*
### The problem: a GRU, a batch of sequences, and a loss

$L = \sum_{t=1}^{T} g_t \cdot h_t + w \cdot h_T$: $∂L/∂\mathrm{output}_t = g_t$,
and $h_T$ gets $w$ on top.  With $g = 0$ the loss sits at the last step
only.
*/

typedef struct {
  size_t T, B, I, H;
  grl_model *m;
  double *x;     /* (T*B, I) inputs: x_t in rows (t-1)*B+b */
  double *h0;    /* (B, H) the initial state h_0 */
  double *g;     /* (T*B, H) dL/doutput: g_t in rows (t-1)*B+b */
  double *w;     /* (B, H) dL/dh_T from the last-step term */
} problem;

static void problem_free(problem *p)
{
  grl_model_free(p->m);
  free(p->x);
  free(p->h0);
  free(p->g);
  free(p->w);
}

static int problem_alloc(problem *p, size_t T, size_t B, size_t I, size_t H,
                         gsl_rng *r)
{
  memset(p, 0, sizeof *p);
  p->T = T; p->B = B; p->I = I; p->H = H;
  p->x = malloc(T * B * I * sizeof *p->x);
  p->h0 = malloc(B * H * sizeof *p->h0);
  p->g = malloc(T * B * H * sizeof *p->g);
  p->w = malloc(B * H * sizeof *p->w);
  if (!p->x || !p->h0 || !p->g || !p->w)
    return grl_fail(GRL_ENOMEM, "ch04: out of memory");
  int rc = grl_model_alloc(&p->m, &grl_cell_gru, I, H, 0);
  if (rc)
    return rc;
  grl_model_init_uniform(p->m, r);
  for (size_t k = 0; k < T * B * I; k++)
    p->x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  for (size_t k = 0; k < B * H; k++)
    p->h0[k] = 0.5 * (2.0 * gsl_rng_uniform(r) - 1.0);
  for (size_t k = 0; k < T * B * H; k++)
    p->g[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  for (size_t k = 0; k < B * H; k++)
    p->w[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  return GRL_OK;
}

/*
### BPTT as plain loops

The forward pass is the library's naive reference: it hands back every
step's state and gates $r$, $z$, $n$.  The backward pass below is the
derivation in the chapter's opening, one unit at a time, from $t = T$ down
to 1, for each sequence of the batch.
*/

typedef struct {
  double *dtheta;  /* (n) parameter gradients, accumulated */
  double *dx;      /* (T*B, I) dL/dx_t in rows (t-1)*B+b */
  double *dh0;     /* (B, H) dL/dh_0 */
  double *dHs;     /* (T*B, H) delta_t = dL/dh_t, total, rows (t-1)*B+b */
} grads;

static void grads_free(grads *d)
{
  free(d->dtheta); free(d->dx); free(d->dh0); free(d->dHs);
}

static int grads_alloc(grads *d, const problem *p)
{
  d->dtheta = calloc(p->m->n, sizeof *d->dtheta);
  d->dx = calloc(p->T * p->B * p->I, sizeof *d->dx);
  d->dh0 = calloc(p->B * p->H, sizeof *d->dh0);
  d->dHs = calloc(p->T * p->B * p->H, sizeof *d->dHs);
  return (d->dtheta && d->dx && d->dh0 && d->dHs) ? GRL_OK
         : grl_fail(GRL_ENOMEM, "ch04: out of memory");
}

static int bptt_naive(const problem *p, const double *g, const double *w,
                      grads *d)
{
  const grl_model *m = p->m;
  size_t T = p->T, B = p->B, I = p->I, H = p->H;
  const double *th = m->theta;
  const double *Wih = th + grl_model_param(m, "weight_ih_l0")->offset; /* (3H, I) */
  const double *Whh = th + grl_model_param(m, "weight_hh_l0")->offset; /* (3H, H) */
  const double *bhh = th + grl_model_param(m, "bias_hh_l0")->offset;   /* (3H) */
  double *dWih = d->dtheta + grl_model_param(m, "weight_ih_l0")->offset;
  double *dWhh = d->dtheta + grl_model_param(m, "weight_hh_l0")->offset;
  double *dbih = d->dtheta + grl_model_param(m, "bias_ih_l0")->offset;
  double *dbhh = d->dtheta + grl_model_param(m, "bias_hh_l0")->offset;

  /* Forward: states h_t (T*B, H) and gates r z n (T*B, 3H). */
  double *out = malloc(T * B * H * sizeof *out);
  double *gates = malloc(T * B * 3 * H * sizeof *gates);
  double *buf = malloc(7 * H * sizeof *buf);   /* delta, dh, q, da_r, da_z, da_n, dq */
  if (!out || !gates || !buf) {
    free(out); free(gates); free(buf);
    return grl_fail(GRL_ENOMEM, "ch04: out of memory");
  }
  int rc = grl_naive_forward(m, T, B, th, p->x, p->h0, NULL, out, NULL, NULL,
                             gates);
  double *delta = buf, *dh = buf + H, *q = buf + 2 * H, *dar = buf + 3 * H,
         *daz = buf + 4 * H, *dan = buf + 5 * H, *dq = buf + 6 * H;

  for (size_t b = 0; !rc && b < B; b++) {
    /* delta_T = dL/dh_T */
    for (size_t j = 0; j < H; j++)
      delta[j] = w ? w[b * H + j] : 0.0;
    for (size_t t = T; t >= 1; t--) {
      size_t row = (t - 1) * B + b;                 /* step t's row */
      const double *x = p->x + row * I;             /* (I) x_t */
      const double *h = t > 1 ? out + ((t - 2) * B + b) * H
                              : p->h0 + b * H;      /* (H) h_{t-1} */
      const double *r = gates + row * 3 * H, *z = r + H, *n = r + 2 * H;
      /* delta_t = dL/doutput_t + what step t+1 sent back */
      for (size_t j = 0; j < H; j++) {
        if (g)
          delta[j] += g[row * H + j];
        d->dHs[row * H + j] = delta[j];
      }
      for (size_t j = 0; j < H; j++) {
        /* q = W_hn h + b_hn (the forward kept r*q inside n; recompute q) */
        q[j] = bhh[2 * H + j];
        for (size_t k = 0; k < H; k++)
          q[j] += Whh[(2 * H + j) * H + k] * h[k];
        /* dn = delta (1-z),  dz = delta (h - n),  dh = delta z */
        double dn = delta[j] * (1.0 - z[j]);
        double dz = delta[j] * (h[j] - n[j]);
        dh[j] = delta[j] * z[j];
        /* da_n = dn (1 - n^2);  dr = da_n q;  dq = da_n r */
        dan[j] = dn * grl_dtanh(n[j]);
        double dr = dan[j] * q[j];
        dq[j] = dan[j] * r[j];
        /* da_z = dz z(1-z);  da_r = dr r(1-r) */
        daz[j] = dz * grl_dsigmoid(z[j]);
        dar[j] = dr * grl_dsigmoid(r[j]);
      }
      for (size_t j = 0; j < H; j++) {
        /* dW_i? += da_? x^T,  db_i? += da_? */
        for (size_t k = 0; k < I; k++) {
          dWih[(0 * H + j) * I + k] += dar[j] * x[k];
          dWih[(1 * H + j) * I + k] += daz[j] * x[k];
          dWih[(2 * H + j) * I + k] += dan[j] * x[k];
        }
        dbih[j] += dar[j];
        dbih[H + j] += daz[j];
        dbih[2 * H + j] += dan[j];
        /* dW_h{r,z} += da_{r,z} h^T,  dW_hn += dq h^T, and the biases */
        for (size_t k = 0; k < H; k++) {
          dWhh[(0 * H + j) * H + k] += dar[j] * h[k];
          dWhh[(1 * H + j) * H + k] += daz[j] * h[k];
          dWhh[(2 * H + j) * H + k] += dq[j] * h[k];
        }
        dbhh[j] += dar[j];
        dbhh[H + j] += daz[j];
        dbhh[2 * H + j] += dq[j];
      }
      for (size_t k = 0; k < I; k++) {
        /* dx = W_ir^T da_r + W_iz^T da_z + W_in^T da_n */
        double s = 0.0;
        for (size_t j = 0; j < H; j++)
          s += Wih[(0 * H + j) * I + k] * dar[j] + Wih[(1 * H + j) * I + k] * daz[j]
               + Wih[(2 * H + j) * I + k] * dan[j];
        d->dx[row * I + k] += s;
      }
      for (size_t k = 0; k < H; k++) {
        /* dh += W_hr^T da_r + W_hz^T da_z + W_hn^T dq: the next delta */
        double s = dh[k];
        for (size_t j = 0; j < H; j++)
          s += Whh[(0 * H + j) * H + k] * dar[j] + Whh[(1 * H + j) * H + k] * daz[j]
               + Whh[(2 * H + j) * H + k] * dq[j];
        delta[k] = s;
      }
    }
    /* What step 1 sends back is dL/dh_0. */
    memcpy(d->dh0 + b * H, delta, H * sizeof *delta);
  }
  free(out); free(gates); free(buf);
  return rc;
}

/*
### The library's BPTT

`grl_seq_backward` runs the same recursion, with the per-unit loops over
the batch turned into matrix products: at every step, $δ$ goes back to
$h_{t-1}$ through $W_{hh}$ in one product over the batch, and the weight
gradients of all $T$ steps ($dW_{hh}$, $dW_{ih}$) and $dx$ are one
product each at the end (the bias gradients are summed step by step,
while the rows are in cache).
*/

static int bptt_library(const problem *p, grl_seq *s, const double *g,
                        const double *w, grads *d)
{
  int rc = grl_seq_forward(s, NULL, p->x, p->h0, NULL);
  if (!rc)
    rc = grl_seq_backward(s, NULL, p->x, g, w, NULL, d->dtheta, d->dx, d->dh0,
                          NULL);
  if (!rc)
    memcpy(d->dHs, grl_seq_dstates(s)->data, p->T * p->B * p->H * sizeof *d->dHs);
  return rc;
}

/* (1/B) sum_b ||dL/dh_t|| for t = 0..T into n (T+1): row t-1 of dHs is
 * step t; t = 0 is the initial state, whose gradient is dh0. */
static void batch_norms(const problem *p, const grads *d, double *n)
{
  size_t T = p->T, B = p->B, H = p->H;
  for (size_t t = 0; t <= T; t++) {
    n[t] = 0.0;
    for (size_t b = 0; b < B; b++) {
      const double *v = t ? d->dHs + ((t - 1) * B + b) * H : d->dh0 + b * H;
      double sq = 0.0;
      for (size_t j = 0; j < H; j++)
        sq += v[j] * v[j];
      n[t] += sqrt(sq) / (double)B;
    }
  }
}

/* How a last-step signal fades going back, from its norms n[0..T]. */
typedef struct {
  double a, b;       /* least-squares log n[t] = a + b t over t = 1..T   */
  double rate;       /* exp(-b): the fitted factor per step back         */
  double miss;       /* the largest factor between a point and the line  */
  double geo;        /* (n[1] / n[T])^(1/(T-1)): the endpoints' mean     */
  double step_min, step_max;   /* n[t] / n[t+1] over t = 1..T-1          */
  size_t min_back;   /* steps back (T - t) where the smallest factor is  */
  double first[5];   /* the factors of the first five steps back         */
  double median;     /* the median factor over t = 1..T-1                */
  double ratio;      /* n[1] / n[T]                                      */
  size_t shrank;     /* steps back with n[t] < n[t+1]                    */
} fade;

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void fade_measure(const double *n, size_t T, fade *f)
{
  double st = 0.0, sy = 0.0, stt = 0.0, sty = 0.0, m = (double)T;
  for (size_t t = 1; t <= T; t++) {
    double y = log(n[t]);
    st += (double)t;
    sy += y;
    stt += (double)t * (double)t;
    sty += (double)t * y;
  }
  f->b = (m * sty - st * sy) / (m * stt - st * st);
  f->a = (sy - f->b * st) / m;
  f->rate = exp(-f->b);
  f->miss = 1.0;
  for (size_t t = 1; t <= T; t++)
    f->miss = fmax(f->miss, exp(fabs(log(n[t]) - f->a - f->b * (double)t)));
  f->ratio = n[1] / n[T];
  f->geo = pow(f->ratio, 1.0 / (double)(T - 1));
  f->step_min = INFINITY;
  f->step_max = 0.0;
  f->shrank = 0;
  f->min_back = 0;
  for (size_t q = 0; q < 5; q++)
    f->first[q] = q + 1 < T ? n[T - 1 - q] / n[T - q] : NAN;
  double *fac = malloc((T - 1) * sizeof *fac);   /* (T-1) factors, sorted */
  for (size_t t = 1; t < T; t++) {
    if (fac)
      fac[t - 1] = n[t] / n[t + 1];
    if (n[t] / n[t + 1] < f->step_min)
      f->min_back = T - t;
    f->step_min = fmin(f->step_min, n[t] / n[t + 1]);
    f->step_max = fmax(f->step_max, n[t] / n[t + 1]);
    f->shrank += n[t] < n[t + 1];
  }
  f->median = NAN;
  if (fac) {
    qsort(fac, T - 1, sizeof *fac, cmp_double);
    f->median = (T - 1) % 2 ? fac[(T - 1) / 2]
                            : 0.5 * (fac[(T - 1) / 2 - 1] + fac[(T - 1) / 2]);
    free(fac);
  }
}

static void compare(grl_lesson *L, const problem *p, grads *a, grads *b)
{
  grl_lesson_say(L,
    "The normwise relative difference of two arrays a and b is\n"
    "max_i |a_i - b_i| / max_i max(|a_i|, |b_i|).  1.1e-16 is half an ulp;\n"
    "BPTT's long sums, added in another order by BLAS, leave more, and the\n"
    "check allows 1e-13.");
  grl_lesson_say(L, "%-34s   %s", "naive loops vs library, per tensor",
                 "normwise relative difference");
  const grl_model *m = p->m;
  double worst = 0.0;
  char label[64];
  for (size_t k = 0; k < m->nparam; k++) {
    const grl_param *P = &m->param[k];
    double e = grl_lesson_reldiff(P->rows * P->cols, a->dtheta + P->offset,
                                  b->dtheta + P->offset);
    snprintf(label, sizeof label, "dL/d%s", P->name);
    grl_lesson_value(L, label, e);
    worst = fmax(worst, e);
  }
  double ex = grl_lesson_reldiff(p->T * p->B * p->I, a->dx, b->dx);
  double eh = grl_lesson_reldiff(p->B * p->H, a->dh0, b->dh0);
  double ed = grl_lesson_reldiff(p->T * p->B * p->H, a->dHs, b->dHs);
  grl_lesson_value(L, "dL/dx_t, t = 1..T", ex);
  grl_lesson_value(L, "dL/dh_0 (the initial state)", eh);
  grl_lesson_value(L, "dL/dh_t, t = 1..T (every step)", ed);
  worst = fmax(worst, fmax(ex, fmax(eh, ed)));
  grl_lesson_check(L, "worst: naive loops vs BLAS path", worst, 1e-13);
}

static double loss_value(const problem *p, grl_seq *s, const double *theta)
{
  if (grl_seq_forward(s, theta, p->x, p->h0, NULL))
    return NAN;
  gsl_matrix_view out = grl_seq_output(s), hT = grl_seq_hT(s);
  double L = 0.0;
  for (size_t k = 0; k < p->T * p->B * p->H; k++)
    L += p->g[k] * out.matrix.data[k];
  for (size_t k = 0; k < p->B * p->H; k++)
    L += p->w[k] * hT.matrix.data[k];
  return L;
}

/* sum_k |g_k h_k| over the terms of L at theta: the size of what the
 * loss's sum adds up, which sets its rounding. */
static double loss_abs(const problem *p, grl_seq *s, const double *theta)
{
  if (grl_seq_forward(s, theta, p->x, p->h0, NULL))
    return NAN;
  gsl_matrix_view out = grl_seq_output(s), hT = grl_seq_hT(s);
  double A = 0.0;
  for (size_t k = 0; k < p->T * p->B * p->H; k++)
    A += fabs(p->g[k] * out.matrix.data[k]);
  for (size_t k = 0; k < p->B * p->H; k++)
    A += fabs(p->w[k] * hT.matrix.data[k]);
  return A;
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;

  size_t T = L.quick ? 20 : 100, B = L.quick ? 2 : 8, I = 5,
         H = L.quick ? 6 : 24;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  problem p;
  grads naive = {0}, lib = {0};
  grl_seq *s = NULL;
  double *theta = NULL;
  if (!rng) {
    grl_lesson_error(&L, grl_fail(GRL_ENOMEM, "ch04: out of memory"), "gsl_rng_alloc");
    return grl_lesson_end(&L);
  }
  gsl_rng_set(rng, L.seed);
  int rc = problem_alloc(&p, T, B, I, H, rng);
  if (!rc)
    rc = grads_alloc(&naive, &p);
  if (!rc)
    rc = grads_alloc(&lib, &p);
  if (!rc)
    rc = grl_seq_alloc(&s, p.m, T, B);
  if (rc) {
    grl_lesson_error(&L, rc, "setting up");
    goto done;
  }
  grl_lesson_param(&L, "cell", "%s", grl_cell_name(p.m->cell));
  grl_lesson_param(&L, "T", "%zu", T);
  grl_lesson_param(&L, "B", "%zu", B);
  grl_lesson_param(&L, "I", "%zu", I);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "init", "PyTorch's U(-1/sqrt(H), 1/sqrt(H))");

/*
## 1. BPTT as plain loops, and the library's BLAS path

The loss at every step, the naive loops against the library.
*/
  grl_lesson_section(&L, "BPTT as plain loops, and the library's BLAS path");
  grl_lesson_say(&L,
    "L = sum_t g_t . h_t + w . h_T with fixed random g and w, so that\n"
    "dL/doutput_t = g_t and dL/dh_T = w.  %zu parameters, %zu steps, a batch\n"
    "of %zu.", p.m->n, T, B);
  rc = bptt_naive(&p, p.g, p.w, &naive);
  if (!rc)
    rc = bptt_library(&p, s, p.g, p.w, &lib);
  if (rc) {
    grl_lesson_error(&L, rc, "BPTT");
    goto done;
  }
  compare(&L, &p, &naive, &lib);

/*
## 2. One entry against a central difference

$∂L/∂θ_k ≈ (L(θ + h e_k) - L(θ - h e_k)) / 2h$, set against the plain
loops of §1 (`bptt_naive`, the code derived above: a mistake there shows
here).  The difference has its own error, in two parts; chapter 5 is all
about them.  Truncation, of order $h^2$: measured below from the same
quotient at two large steps, where rounding is negligible.  And
rounding: the two losses are the same sums, in the same order, of nearly
the same numbers, so most of their rounding is shared and cancels in
$L(θ + h) - L(θ - h)$.  What is left is typically about $ε|L|$, and the
quotient's rounding about $ε|L|/h$ -- the model chapter 5 fits.  If
nothing cancelled, every one of the loss's terms $g \cdot h$ rounded on
its own, the rounding could reach $ε \sum|g h|/h$: the worst case, the
bound the check below holds the gap to.
*/
  grl_lesson_section(&L, "One entry against a central difference");
  theta = malloc(p.m->n * sizeof *theta);
  if (!theta) {
    grl_lesson_error(&L, grl_fail(GRL_ENOMEM, "ch04: out of memory"), "allocation");
    goto done;
  }
  const grl_param *Whh = grl_model_param(p.m, "weight_hh_l0");
  size_t k = Whh->offset + (2 * H + 1) * H + 2;   /* W_hn[1][2] */
  /* (L(theta + h e_k) - L(theta - h e_k)) / 2h */
  double hstep = 1e-5, hsteps[3] = {hstep, 1e-2, 5e-3}, D[3];
  for (int q = 0; q < 3; q++) {
    memcpy(theta, p.m->theta, p.m->n * sizeof *theta);
    theta[k] += hsteps[q];
    double Lp = loss_value(&p, s, theta);
    theta[k] -= 2.0 * hsteps[q];
    D[q] = (Lp - loss_value(&p, s, theta)) / (2.0 * hsteps[q]);
  }
  double numeric = D[0];
  grl_lesson_say(&L, "(L(theta + h e_k) - L(theta - h e_k)) / 2h for the entry W_hn[1][2],\n"
                     "against section 1's plain loops; 'diff' is BPTT minus central:");
  grl_lesson_versus(&L, "dL/dW_hn[1][2], BPTT (plain loops)", naive.dtheta[k],
                    "central", numeric);
  /* Truncation: D(h) = L' + c h^2 + ..., so c = (D(h1) - D(h2)) / (h1^2 - h2^2)
   * from two steps large enough that rounding (eps |L| / h ~ 1e-13) is
   * far below c h^2; the truncation at h is then |c| h^2. */
  double c2 = (D[1] - D[2]) / (hsteps[1] * hsteps[1] - hsteps[2] * hsteps[2]);
  double trunc = fabs(c2) * hstep * hstep;
  double L0 = loss_value(&p, s, p.m->theta), Labs = loss_abs(&p, s, p.m->theta);
  double typical = DBL_EPSILON * fabs(L0) / hstep;   /* chapter 5's model */
  double worst = DBL_EPSILON * Labs / hstep;         /* nothing cancels */
  double gap = fabs(naive.dtheta[k] - numeric);
  grl_lesson_value(&L, "step h", hstep);
  grl_lesson_value(&L, "L", L0);
  grl_lesson_value(&L, "sum_k |g_k h_k| (the terms of L)", Labs);
  grl_lesson_value(&L, "truncation |c| h^2 (c from h = 1e-2, 5e-3)", trunc);
  grl_lesson_value(&L, "rounding, typical: eps |L| / h", typical);
  grl_lesson_value(&L, "rounding, worst case: eps sum|g h| / h", worst);
  grl_lesson_value(&L, "|BPTT - central|", gap);
  if (gap < worst) {
    grl_lesson_say(&L,
      "|BPTT - central| = %.2g is %.1f times the typical rounding eps |L| / h\n"
      "and %.2g of the worst case; the truncation, %.1g, is %s.  So the\n"
      "central difference's own %s explains the gap: it shows nothing wrong\n"
      "with BPTT at this entry.  (The worst case is %.0f times the typical\n"
      "size: the terms of L cancel, sum |g h| = %.0f |L|, and the rounding\n"
      "the two losses share cancels too.)  Chapter 5 checks every entry,\n"
      "with better differences.",
      gap, gap / typical, gap / worst, trunc,
      trunc < 0.1 * gap ? "far smaller" : "of the same order",
      trunc < 0.1 * gap ? "rounding" : "rounding and truncation",
      worst / typical, Labs / fabs(L0));
    if (gap > 10.0 * typical)
      grl_lesson_say(&L,
        "(%.0f times the typical size: eps |L| counts only the final sum, and\n"
        "the rounding left in the difference also carries some of the partial\n"
        "sums', large against |L| when the terms cancel this much; still well\n"
        "inside the worst case.)", gap / typical);
  } else
    grl_lesson_say(&L,
      "|BPTT - central| = %.2g is NOT below the worst-case rounding of the\n"
      "central difference (%.2g), and the truncation is %.1g: more than the\n"
      "difference's own error separates them, so BPTT is wrong at this entry.\n"
      "Chapter 5 checks every entry, with better differences.",
      gap, worst, trunc);
  grl_lesson_check(&L, "|BPTT - central| / |central|", gap / fabs(numeric), 1e-7);
  grl_lesson_check(&L, "|BPTT - central| / worst-case rounding", gap / worst, 1.0);

/*
## 3. $∂L/∂h_t$ over $t$

Two losses, both through the plain loops of §1 (`bptt_naive`; the
library agrees, checked below), so that a change to those loops shows
here too.  The norm averaged over the batch:
$\frac{1}{B} \sum_b \|δ_{t,b}\|$.  For the loss at the last step only,
the rate per step back is fitted to every point: the least-squares line
through $\log \|∂L/∂h_t\|$ for $t = 1 \dots T$, whose slope gives the
factor $ρ$ per step.  The same is measured at two more seeds.
*/
  grl_lesson_section(&L, "dL/dh_t over t");
  double *na = calloc(T + 1, sizeof *na), *nl = calloc(T + 1, sizeof *nl); /* (T+1) */
  if (!na || !nl) {
    free(na); free(nl);
    grl_lesson_error(&L, grl_fail(GRL_ENOMEM, "ch04: out of memory"), "norms");
    goto done;
  }
  batch_norms(&p, &naive, na);                   /* loss at every step: §1's */
  {
    grads last = {0}, last_lib = {0};
    rc = grads_alloc(&last, &p);
    if (!rc)
      rc = grads_alloc(&last_lib, &p);
    if (!rc)
      rc = bptt_naive(&p, NULL, p.w, &last);     /* loss at h_T only */
    if (!rc)
      rc = bptt_library(&p, s, NULL, p.w, &last_lib);
    if (!rc) {
      batch_norms(&p, &last, nl);
      grl_lesson_check(&L, "last-step loss: naive vs library, dL/dh_t",
                       grl_lesson_reldiff(T * B * H, last.dHs, last_lib.dHs), 1e-13);
    }
    grads_free(&last);
    grads_free(&last_lib);
    if (rc) {
      free(na); free(nl);
      grl_lesson_error(&L, rc, "BPTT, last-step loss");
      goto done;
    }
  }
  fade f;
  fade_measure(nl, T, &f);
  double every_min = INFINITY, every_max = 0.0, lo = INFINITY, hi = 0.0;
  grl_chart *ch = grl_lesson_chart(&L, "grad-norm",
                                   "The error signal through time: ||∂L/∂h_t||");
  grl_chart_comment(ch, "norms averaged over the batch of %zu; t = 0 is the "
                    "initial state h_0; fit_line: the least-squares line through "
                    "log norm_loss_last_step over t = 1..T", B);
  grl_chart_columns(ch, "t norm_loss_every_step norm_loss_last_step fit_line");
  for (size_t t = 0; t <= T; t++) {
    double ref = exp(f.a + f.b * (double)t);   /* the fitted line */
    if (t >= 1) {
      every_min = fmin(every_min, na[t]);
      every_max = fmax(every_max, na[t]);
    }
    lo = fmin(lo, fmin(na[t], fmin(nl[t], ref)));
    hi = fmax(hi, fmax(na[t], fmax(nl[t], ref)));
    grl_chart_row(ch, 4, (double[]){(double)t, na[t], nl[t], ref});
  }
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "ylo", "%.3g", lo / 20.0);
  grl_chart_set(ch, "yhi", "%.3g", hi * 20.0);
  grl_chart_set(ch, "rate", "%.4f", f.rate);
  grl_chart_set(ch, "ytic", "%d", (int)ceil(log10(hi / lo) / 5.0));
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(&L, ch);
  grl_lesson_say(&L, "Norms are means over the batch of %zu of ||dL/dh_t||.", B);
  grl_lesson_value(&L, "every-step loss: smallest, t = 1..T", every_min);
  grl_lesson_value(&L, "every-step loss: largest, t = 1..T", every_max);
  char label[64];
  snprintf(label, sizeof label, "last-step loss: ||dL/dh_T||, T = %zu", T);
  grl_lesson_value(&L, label, nl[T]);
  grl_lesson_value(&L, "last-step loss: ||dL/dh_1||", nl[1]);
  grl_lesson_value(&L, "last-step loss: ||dL/dh_0||, h_0", nl[0]);
  grl_lesson_value(&L, "fitted rate per step back, rho", f.rate);
  grl_lesson_say(&L, "  (exp(-slope) of the least-squares line through log ||dL/dh_t||,\n"
                     "  t = 1..T; the line misses the data by at most a factor %.2f)",
                 f.miss);
  grl_lesson_value(&L, "endpoints' rate (||dL/dh_1||/||dL/dh_T||)^(1/(T-1))", f.geo);
  grl_lesson_value(&L, "one step back: smallest factor", f.step_min);
  grl_lesson_value(&L, "one step back: largest factor", f.step_max);
  snprintf(label, sizeof label, "steps back that shrank it, of %zu", T - 1);
  grl_lesson_value(&L, label, (double)f.shrank);
  grl_lesson_say(&L,
    "A loss at every step feeds dL/dh_t afresh at each t.  A loss at the\n"
    "end has to travel back through every step's Jacobian dh_t/dh_t-1.  At\n"
    "this initialisation %zu of the %zu steps back shrank it, by a factor\n"
    "between %.3f and %.3f per step (fitted: %.3f), so the signal that\n"
    "reaches h_1 is %.1e of what left h_T.",
    f.shrank, T - 1, f.step_min, f.step_max, f.rate, nl[1] / nl[T]);
  grl_lesson_expect(&L, nl[1] < nl[T], "the last-step signal fades going back");
  grl_lesson_value(&L, "median factor of one step back", f.median);
  grl_lesson_say(&L,
    "  the first five steps back (t = T-1 ... T-5): %.3f %.3f %.3f %.3f %.3f;\n"
    "  the smallest factor is %zu step%s back",
    f.first[0], f.first[1], f.first[2], f.first[3], f.first[4], f.min_back,
    f.min_back == 1 ? "" : "s");
  grl_lesson_say(&L,
    "The factor is not constant from the start.  w, the gradient put on h_T,\n"
    "is random: it points partly along directions that the Jacobians shrink\n"
    "fast.  Those die out within a few steps, and what is left lies along\n"
    "the slowest-fading direction, which then shrinks by about the same\n"
    "factor per step (median %.3f).  So the first steps back shrink the signal\n"
    "%s, the smallest factor (%.3f) is %zu step%s back, and near t = T\n"
    "the fitted line sits %s the curve.",
    f.median, f.first[0] < f.median ? "more" : "less", f.step_min, f.min_back,
    f.min_back == 1 ? "" : "s",
    nl[T - 2] > exp(f.a + f.b * (double)(T - 2)) ? "below" : "above");
  grl_lesson_say(&L,
    "At t = 0 the every-step curve is lower (%.2f, against %.2f to %.2f for\n"
    "t = 1..T): h_0 is not an output, so no g_0 of its own feeds it; it gets\n"
    "only what step 1 sends back.", na[0], every_min, every_max);

  /* The same at two more seeds: another initialisation, other inputs. */
  enum { NSEED = 3 };
  fade fs[NSEED] = {f};
  double ev_lo[NSEED] = {every_min}, ev_hi[NSEED] = {every_max};
  for (size_t q = 1; q < NSEED; q++) {
    problem p2;
    grads g2 = {0}, e2 = {0};
    gsl_rng_set(rng, L.seed + q);
    rc = problem_alloc(&p2, T, B, I, H, rng);
    if (!rc)
      rc = grads_alloc(&g2, &p2);
    if (!rc)
      rc = grads_alloc(&e2, &p2);
    if (!rc)
      rc = bptt_naive(&p2, NULL, p2.w, &g2);
    if (!rc)
      rc = bptt_naive(&p2, p2.g, p2.w, &e2);
    if (!rc) {
      /* na and nl are reused: the chart is written */
      batch_norms(&p2, &g2, nl);
      fade_measure(nl, T, &fs[q]);
      batch_norms(&p2, &e2, na);
      ev_lo[q] = INFINITY;
      ev_hi[q] = 0.0;
      for (size_t t = 1; t <= T; t++) {
        ev_lo[q] = fmin(ev_lo[q], na[t]);
        ev_hi[q] = fmax(ev_hi[q], na[t]);
      }
    }
    grads_free(&g2);
    grads_free(&e2);
    problem_free(&p2);
    if (rc) {
      free(na); free(nl);
      grl_lesson_error(&L, rc, "BPTT, another seed");
      goto done;
    }
  }
  double rmean = 0.0, rlo = INFINITY, rhi = 0.0;
  size_t all_shrank = 0, first_min = 0;
  grl_lesson_say(&L, "\nBoth losses at three seeds (each its own initialisation and inputs):\n"
                 "every step: the smallest and largest ||dL/dh_t||, t = 1..T; last\n"
                 "step: the fitted rho, the smallest and largest factor of one step\n"
                 "back, the steps back that shrank it, ||dL/dh_1|| / ||dL/dh_T||;\n"
                 "first: the factor of the first step back, median: over all steps.\n"
                 "        every step       last step\n"
                 "  seed   min    max      rho    min    max   first  median  shrank"
                 "  ||dL/dh_1||/||dL/dh_T||");
  for (size_t q = 0; q < NSEED; q++) {
    grl_lesson_say(&L, "  %4lu  %5.2f  %5.2f    %5.3f  %5.3f  %5.3f   %5.3f  %5.3f  %3zu/%zu"
                   "  %10.2g",
                   L.seed + q, ev_lo[q], ev_hi[q], fs[q].rate, fs[q].step_min,
                   fs[q].step_max, fs[q].first[0], fs[q].median, fs[q].shrank,
                   T - 1, fs[q].ratio);
    first_min += fs[q].step_min == fs[q].first[0];
    rmean += fs[q].rate / NSEED;
    rlo = fmin(rlo, fs[q].rate);
    rhi = fmax(rhi, fs[q].rate);
    all_shrank += fs[q].shrank == T - 1;
  }
  double elo = INFINITY, ehi = 0.0;
  for (size_t q = 0; q < NSEED; q++) {
    elo = fmin(elo, ev_lo[q]);
    ehi = fmax(ehi, ev_hi[q]);
  }
  grl_lesson_say(&L,
    "With a loss at every step the norm stays between %.2f and %.2f at all\n"
    "three seeds (t = 1..T).  With the loss at the last step, the fitted\n"
    "rate has mean %.3f, from %.3f to %.3f; every step back shrank the\n"
    "signal at %zu of 3 seeds, and the smallest factor was the first step\n"
    "back at %zu of 3.  Chapter 7 measures how the cell and its gates set\n"
    "that rate.", elo, ehi, rmean, rlo, rhi, all_shrank, first_min);
  grl_lesson_takeaway(&L, "grad-norm",
    "A loss at every step keeps $\\|∂L/∂h_t\\|$ between %.2g and %.2g for"
    " $t ≥ 1$ ($h_0$, fed only by step 1, is lower); a loss at the last step"
    " fades, after faster first steps, by a fitted factor %.3f per step back (%.3f to"
    " %.3f at three seeds), and %.1e of it reaches $h_1$.", every_min,
    every_max, f.rate, rlo, rhi, f.ratio);
  free(na);
  free(nl);
done:
  grads_free(&naive);
  grads_free(&lib);
  grl_seq_free(s);
  problem_free(&p);
  free(theta);
  gsl_rng_free(rng);
  return grl_lesson_end(&L);
}
