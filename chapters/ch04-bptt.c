/*
# Chapter 4: Backpropagation through time

**Prerequisites:** chapter 1 §1, §3 (derivatives from the outputs; one
GRU step), chapter 2 §3 (the sequence driver and its cache).

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
   up; with a loss at the last step only it fades going back, by a
   roughly constant factor per step, fitted to every step and measured at
   three seeds -- the first sight of the vanishing gradient of chapter 7.

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
   "then compare with `grulab init --cell gru --input-size 5\n"
   "--hidden-size 16`.", ex1_answer, 0.001, 1},
  {"In section 3 the last-step signal shrinks by a roughly constant factor\n"
   "per step going back.  If that factor were 0.5, after how many steps\n"
   "back would the signal first be below a millionth of its size?",
   ex2_answer, 0.01, 1},
  {"Break the naive BPTT: in its backward step, drop the path that carries\n"
   "the gradient straight through the update gate to the old state (set\n"
   "dh[j] = 0 where the comment says dh = delta z) and rerun.  Which lines\n"
   "of section 1 fail, and what happens to ch04-grad-norm?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
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
  double ratio;      /* n[1] / n[T]                                      */
  size_t shrank;     /* steps back with n[t] < n[t+1]                    */
} fade;

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
  for (size_t t = 1; t < T; t++) {
    f->step_min = fmin(f->step_min, n[t] / n[t + 1]);
    f->step_max = fmax(f->step_max, n[t] / n[t + 1]);
    f->shrank += n[t] < n[t + 1];
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

$∂L/∂θ_k ≈ (L(θ + h e_k) - L(θ - h e_k)) / 2h$, with an error of order
$h^2$ (truncation) + $ε \sum|g h| / h$ (rounding): chapter 5 is all about
this.
*/
  grl_lesson_section(&L, "One entry against a central difference");
  theta = malloc(p.m->n * sizeof *theta);
  if (!theta) {
    grl_lesson_error(&L, grl_fail(GRL_ENOMEM, "ch04: out of memory"), "allocation");
    goto done;
  }
  const grl_param *Whh = grl_model_param(p.m, "weight_hh_l0");
  size_t k = Whh->offset + (2 * H + 1) * H + 2;   /* W_hn[1][2] */
  double hstep = 1e-5;
  memcpy(theta, p.m->theta, p.m->n * sizeof *theta);
  theta[k] += hstep;
  double Lp = loss_value(&p, s, theta);
  theta[k] -= 2.0 * hstep;
  double Lm = loss_value(&p, s, theta);
  double numeric = (Lp - Lm) / (2.0 * hstep);
  grl_lesson_say(&L, "(L(theta + h e_k) - L(theta - h e_k)) / 2h for the entry W_hn[1][2];\n"
                     "'diff' is BPTT minus central:");
  grl_lesson_versus(&L, "dL/dW_hn[1][2] by BPTT", lib.dtheta[k], "central", numeric);
  /* The central difference's own error: truncation of order h^2, and
   * rounding.  L is a sum of T*B*H + B*H terms g_k h_k, each rounded
   * to about eps |g_k h_k|, so the rounding of L is of order
   * eps sum_k |g_k h_k|, much more than eps |L| when the terms cancel;
   * divided by 2h and doubled (two losses), the scale is
   * eps sum_k |g_k h_k| / h. */
  double L0 = loss_value(&p, s, p.m->theta), Labs = loss_abs(&p, s, p.m->theta);
  grl_lesson_value(&L, "step h", hstep);
  grl_lesson_value(&L, "L", L0);
  grl_lesson_value(&L, "sum_k |g_k h_k| (the terms of L)", Labs);
  double scale = DBL_EPSILON * Labs / hstep;
  grl_lesson_value(&L, "rounding scale eps sum|g h| / h", scale);
  double gap = fabs(lib.dtheta[k] - numeric);
  if (gap < scale)
    grl_lesson_say(&L,
      "|BPTT - central| = %.2g is below the rounding scale of the central\n"
      "difference itself (the terms of L cancel: sum |g h| is %.0f times |L|),\n"
      "so rounding alone can explain the gap: it shows nothing wrong with\n"
      "BPTT at this entry.  Chapter 5 checks every entry, with better\n"
      "differences.",
      gap, Labs / fabs(L0));
  else
    grl_lesson_say(&L,
      "|BPTT - central| = %.2g is NOT below the rounding scale of the central\n"
      "difference: more than rounding separates them, so either the step's\n"
      "truncation (of order h^2) or BPTT is wrong at this entry.  Chapter 5\n"
      "checks every entry, with better differences.", gap);
  grl_lesson_check(&L, "|BPTT - central| / |central|", gap / fabs(numeric), 1e-7);
  grl_lesson_check(&L, "|BPTT - central| / rounding scale", gap / scale, 1.0);

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
  grl_lesson_value(&L, "endpoints' rate (h_1/h_T)^(1/(T-1))", f.geo);
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
  size_t all_shrank = 0;
  grl_lesson_say(&L, "\nBoth losses at three seeds (each its own initialisation and inputs):\n"
                 "every step: the smallest and largest ||dL/dh_t||, t = 1..T; last\n"
                 "step: the fitted rho, the smallest and largest factor of one step\n"
                 "back, the steps back that shrank it, ||dL/dh_1|| / ||dL/dh_T||.\n"
                 "        every step       last step\n"
                 "  seed   min    max      rho    min    max   shrank   h_1/h_T");
  for (size_t q = 0; q < NSEED; q++) {
    grl_lesson_say(&L, "  %4lu  %5.2f  %5.2f    %5.3f  %5.3f  %5.3f   %3zu/%zu  %8.2g",
                   L.seed + q, ev_lo[q], ev_hi[q], fs[q].rate, fs[q].step_min,
                   fs[q].step_max, fs[q].shrank, T - 1, fs[q].ratio);
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
    "three seeds.  With the loss at the last step, the fitted rate has mean\n"
    "%.3f, from %.3f to %.3f, and every step back shrank the signal at %zu\n"
    "of 3 seeds.  Chapter 7 measures how the cell and its gates set that\n"
    "rate.", elo, ehi, rmean, rlo, rhi, all_shrank);
  grl_lesson_takeaway(&L, "grad-norm",
    "A loss at every step keeps $\\|∂L/∂h_t\\|$ between %.2g and %.2g; a loss"
    " at the last step fades by a fitted factor %.3f per step back (%.3f to"
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
