/*
# Chapter 2: The hidden-state update: interpolation and memory

**Prerequisites:** chapter 1 §3-§6 (one GRU step by hand; the library's
parameter block `theta`, `grl_model_tensor`, the sequence driver and its
gate cache; which way z points; PyTorch's initialisation
$U(-1/\sqrt{H}, 1/\sqrt{H})$).

Chapter 1 computed one step.  This chapter runs many, and watches what the
update gate does to the state over time.

### What you will learn

1. The update $h' = (1 - z)\,n + z\,h$ is an *interpolation*: each unit
   moves a fraction $1 - z$ of the way from its old value $h$ towards the
   candidate $n$.  $h'$ always lies between $h$ and $n$.
2. A unit whose $z$ stays near 1 has a long memory.  With $z$ constant and
   $n = 0$ the state decays as $h_t = z^t h_0$: a half-life of
   $\ln 2 / (-\ln z)$ steps, 6.6 steps at $z = 0.9$, 69 at $z = 0.99$
   (69.3 at the chart's $z = σ(4.6) = 0.99005$);
   the driver's states fall below $h_0/2$ where the formula says.
3. The update gate's bias $b_z$ sets each unit's time scale.  Driven by a
   structured input (a pulse train, and a sine with a step), units with
   $z$ near 0 close most of the gap to their candidate $n$ at every step
   and so stay close to it; units with $z$ near 1 close little of it and
   integrate slowly.  How far a unit moves per step also depends on how
   far its candidate moves, which $b_z$ does not set: the chapter prints
   both, and measures the trend at ten seeds ($b_z$ sets it; the
   weights decide the details, even the sign of a unit's response to the
   step).  A fast unit follows its candidate; whether that candidate jumps
   at the pulses depends on the input weights $W_{in}$, so how strongly
   the fast unit reacts to a pulse varies widely from seed to seed, and
   the charts show one seed.  The reset gate $r$ decides how much of $h$ the candidate sees.
4. The sequence driver runs the time loop and caches every gate at every
   step; the charts read $z$ and $r$ from that cache (`cell->gate_names`
   names its blocks).  The naive reference, one row and one step at a
   time, gives the same numbers.

### The equations (PyTorch nn.GRU, reset-after)

$$r_t = σ(W_{ir} x_t + b_{ir} + W_{hr} h_{t−1} + b_{hr})$$
$$z_t = σ(W_{iz} x_t + b_{iz} + W_{hz} h_{t−1} + b_{hz})$$
$$n_t = \tanh(W_{in} x_t + b_{in} + r_t ⊙ (W_{hn} h_{t−1} + b_{hn}))$$
$$h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1} = h_{t−1} + (1 − z_t) ⊙ (n_t − h_{t−1})$$

Time steps: $h_0$ is the initial state; step $t = 1..T$ reads $x_t$ and
writes $h_t$.  (The driver keeps $h_t$ in row $t$ of its state matrix,
`grl_seq_states`.)

### Run it

    chapters/ch02-hidden-state [--seed N] [--outdir DIR] [--quick]

### Charts

- `ch02-memory`: $h_t = z^t h_0$ for three constant gates: the driver's
  points on the formula's curves (log scale); they agree because with
  every weight 0 the cell is exactly $h' = z h$, so this checks the code.
- `ch02-gates`: heatmaps of $z$ and $r$, hidden unit × time step, with the
  input's pulses and step marked (the run's seed).
- `ch02-trajectories`: the input and the hidden states of four units (the
  run's seed).
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"memory", "gates", "trajectories", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
/* half-life ln 2 / (-ln z), z = sigma(3): 14.27, and within 6 % of it the
 * measured crossing, 14 (last above half) or 15 (first at or below) */
static int ex1_answer(double *v)
{
  *v = log(2.0) / -log(grl_sigmoid(3.0));
  return GRL_OK;
}

static int ex2_answer(double *v)   /* smallest t with 0.9^t < 0.01 */
{
  int t = 0;
  while (pow(0.9, t) >= 0.01)
    t++;
  *v = t;
  return GRL_OK;
}

static int ex3_answer(double *v)   /* b_z = logit(z) with z^100 = 1/2 */
{
  double z = pow(0.5, 1.0 / 100.0);
  *v = log(z / (1.0 - z));
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"Predict the half-life of a unit whose update-gate bias is b_z = 3\n"
   "(z = σ(3)), then measure it: add a fourth unit with b_z = 3 to\n"
   "section 2 (`enum { H = 4 }`, and 3.0 at the end of `bz`) and rerun;\n"
   "section 2 prints the first step t at which that unit's h_t ≤ h_0/2.\n"
   "Answer with the prediction or with a whole step from the measurement\n"
   "(the last t above half, or the first at or below it).", ex1_answer,
   0.06, 0},
  {"With z = 0.9 and n = 0, after how many steps has h_t first fallen below\n"
   "1% of h_0?", ex2_answer, 0.01, 1},
  {"Which update-gate bias b_z gives a half-life of exactly 100 steps?",
   ex3_answer, 0.005, 0},
  {"In section 3, narrow the spread of b_iz from −2 … +4 to −1 … +1\n"
   "(`BZ_FAST` and `BZ_SLOW`) and rerun.  One check of section 3 now\n"
   "fails and the run exits 1: which one, and why does the narrower spread\n"
   "make it fail?  In ch02-gates and ch02-trajectories, which units still\n"
   "follow the pulse train step by step, and which integrate the sine's\n"
   "step?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch02-hidden-state",
  .title = "The hidden-state update: interpolation and memory",
  .summary =
    "Chapter 2 reads the GRU's update h' = (1-z)*n + z*h as an interpolation\n"
    "between the old state and the candidate, and shows what it does over\n"
    "time: with a constant update gate a state decays as z^t (half-life\n"
    "ln 2/(-ln z) steps), and the bias of z sets each unit's time scale.\n"
    "A GRU driven by a pulse train and a sine with a step shows fast units\n"
    "closing most of the gap to their candidate at every step and slow ones\n"
    "closing little of it, in a per-unit table and in heatmaps of the gates\n"
    "z and r read from the sequence driver's cache.",
  .charts = charts,
  .seed = 2,
};

/*
## 1. The update is an interpolation

$$h' = (1 - z)\,n + z\,h = h + (1 - z)(n - h)$$

$z = 1$ keeps $h$, $z = 0$ takes $n$, and anything between lands between.
*/

static void interpolation(grl_lesson *L)
{
  grl_lesson_section(L, "The update is an interpolation");
  const double h = 0.412, n = -0.731;
  grl_lesson_say(L,
    "One unit with h = %.3f and candidate n = %.3f.  Each line computes h'\n"
    "as (1-z)n + zh; 'known' is the same h' computed as h + (1-z)(n-h), and\n"
    "error = the first minus the second (signed): the two orders of the\n"
    "arithmetic agree to rounding.", h, n);
  const double zs[] = {0.0, 0.25, 0.5, 0.9, 1.0};
  int between = 1;
  for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
    double z = zs[k];
    /* h' = (1 - z) * n + z * h */
    double h1 = (1.0 - z) * n + z * h;
    /* the same, as a step from h towards n: h + (1 - z)(n - h) */
    double h2 = h + (1.0 - z) * (n - h);
    char label[64];
    snprintf(label, sizeof label, "z = %.2f: h' = (1-z)n + zh", z);
    grl_lesson_known(L, label, h1, h2);
    between &= (h1 >= fmin(h, n) && h1 <= fmax(h, n));
  }
  grl_lesson_expect(L, between, "every h' lies between h and n");
}

/*
## 2. Memory: with a constant gate, $h_t = z^t h_0$

Zero every weight, so that $z = σ(b_{iz})$ is a constant and
$n = \tanh(0) = 0$.  Then $h_t = z\,h_{t-1} = z^t h_0$: the old state
fades geometrically, with a half-life of $\ln 2 / (-\ln z)$ steps.  Three
units, three biases, one run of the sequence driver.
*/

static void memory(grl_lesson *L)
{
  grl_lesson_section(L, "Memory: with a constant gate, h_t = z^t h_0");
  /* One unit per bias b_iz: z = 0.38, 0.90, 0.99.  To add a unit, raise
   * H and append its bias. */
  enum { H = 3 };
  const double bz[H] = {-0.5, 2.2, 4.6};
  const double h_start = 0.9;             /* every unit's h_0 */
  double h0[H];                           /* (1, H) */
  for (size_t j = 0; j < H; j++)
    h0[j] = h_start;
  size_t T = L->quick ? 40 : 200;
  grl_model *m;
  grl_seq *s = NULL;
  double *x = calloc(T, sizeof *x);       /* (T, 1) all zero */
  int rc = x ? grl_model_alloc(&m, &grl_cell_gru, 1, H, 0)
             : grl_fail(GRL_ENOMEM, "ch02: out of memory");
  if (rc) {
    free(x);
    grl_lesson_error(L, rc, "allocation");
    return;
  }
  double *b_ih = grl_model_tensor(m, m->theta, "bias_ih_l0");  /* (3H) r, z, n */
  for (size_t j = 0; j < H; j++)
    b_ih[H + j] = bz[j];                   /* b_iz: everything else is 0 */
  rc = grl_seq_alloc(&s, m, T, 1);
  if (!rc)
    rc = grl_seq_forward(s, NULL, x, h0, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }

  grl_chart *ch = grl_lesson_chart(L, "memory",
                                   "Memory of a constant update gate: h_t = z^t h_0");
  grl_chart_comment(ch, "every weight 0: the cell is exactly h' = z h, so the "
                    "measured and known columns agree by construction");
  grl_chart_param(ch, "T", "%zu", T);
  grl_chart_param(ch, "h0", "%g", h_start);
  char cols[64 + 24 * H] = "t";
  for (size_t j = 0; j < H; j++)
    snprintf(cols + strlen(cols), sizeof cols - strlen(cols), " h_unit%zu", j);
  for (size_t j = 0; j < H; j++)
    snprintf(cols + strlen(cols), sizeof cols - strlen(cols), " known%zu", j);
  grl_chart_columns(ch, cols);
  double worst = 0.0;
  size_t half_at[H];   /* the first t with h_t <= h_0 / 2, measured */
  for (size_t j = 0; j < H; j++)
    half_at[j] = 0;
  for (size_t t = 0; t <= T; t++) {
    double row[1 + 2 * H];
    row[0] = (double)t;
    for (size_t j = 0; j < H; j++) {
      double z = grl_sigmoid(bz[j]);
      row[1 + j] = gsl_matrix_get(grl_seq_states(s), t, j);   /* h_t: row t of the states */
      row[1 + H + j] = pow(z, (double)t) * h0[j];  /* z^t h_0 */
      worst = fmax(worst, fabs(row[1 + j] - row[1 + H + j]) / row[1 + H + j]);
      if (!half_at[j] && row[1 + j] <= h0[j] / 2.0)
        half_at[j] = t;
    }
    grl_chart_row(ch, 1 + 2 * H, row);
  }
  grl_lesson_say(L,
    "Per unit: z, the driver's last state against the formula, the half-life\n"
    "ln 2/(-ln z) the formula predicts, and the one the driver's states show:\n"
    "the first step t at which h_t <= h_0/2 (the formula's half-life lies\n"
    "between that t - 1 and t).");
  for (size_t j = 0; j < H; j++) {
    double z = grl_sigmoid(bz[j]);
    char label[64], title[80];
    snprintf(label, sizeof label, "unit %zu: z = sigma(%.1f)", j, bz[j]);
    grl_lesson_value(L, label, z);
    snprintf(label, sizeof label, "  h_%zu driver vs z^t h_0", T);
    grl_lesson_known(L, label, gsl_matrix_get(grl_seq_states(s), T, j),
                     pow(z, (double)T) * h0[j]);
    grl_lesson_value(L, "  half-life ln2/(-ln z), steps", log(2.0) / -log(z));
    if (half_at[j])
      grl_lesson_say(L, "  %-32s = %zu", "measured: first t with h_t <= h_0/2",
                     half_at[j]);
    else
      grl_lesson_say(L, "  %-32s   none in %zu steps", "measured: first t with h_t <= h_0/2",
                     T);
    /* z to 5 figures: the half-life from the printed z is the one shown */
    snprintf(title, sizeof title, "z = %.5g (half-life %.1f)", z, log(2.0) / -log(z));
    snprintf(label, sizeof label, "title%zu", j);
    grl_chart_set_text(ch, label, "%s", title);
  }
  grl_lesson_check(L, "worst relative error vs z^t h_0", worst, 1e-13);
  char takeaway[256] = "";
  for (size_t j = 0; j < H; j++)
    snprintf(takeaway + strlen(takeaway), sizeof takeaway - strlen(takeaway),
             "%s%.5g: %.1f", j ? (j + 1 < H ? "; " : "; and ") : "",
             grl_sigmoid(bz[j]), log(2.0) / -log(grl_sigmoid(bz[j])));
  grl_lesson_takeaway(L, "memory",
    "The driver's $h_t$ lies on $z^t h_0$ to a relative %.1e; the half-lives in"
    " steps, $z$: half-life, are %s.", worst, takeaway);
  grl_lesson_say(L,
    "The driver's h_t and the formula z^t h_0 must agree here: with every\n"
    "weight 0 the cell computes exactly h' = z*h + (1-z)*tanh(0) = z*h, so\n"
    "this checks the code, not the formula.  The formula itself holds only\n"
    "while z is constant; in the next section z moves with x_t and h_t-1.");
  grl_chart_set(ch, "nunits", "%d", (int)H);
  grl_chart_set(ch, "every_n", "%zu", T / 40);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
done:
  grl_seq_free(s);
  grl_model_free(m);
  free(x);
}

/*
## 3. A GRU driven by a pulse train and a sine with a step

Two input channels: a pulse train (a 1 every 20 steps) and a sine that
steps up by 1 halfway through (the chapters' helper
`grl_lesson_pulse_sine` writes it; chapter 3 reads the same input).  The
cell starts from PyTorch's initialisation, $U(-1/\sqrt{H}, 1/\sqrt{H})$,
with the input weights made 4× larger so that the input is felt, and with
the update-gate bias $b_{iz}$ spread evenly from −2 (unit 0,
$σ(-2) = 0.12$: fast) to +4 (the last unit, $σ(4) = 0.98$: slow).  The
weights come from `--seed`: the per-unit table is one seed, the run's,
and the end of §4 measures the same at ten.
*/

/* The spread of the update-gate bias: unit 0 gets BZ_FAST, the last unit
 * BZ_SLOW, the others evenly between. */
#define BZ_FAST (-2.0)
#define BZ_SLOW 4.0

static double bz_of_unit(size_t j, size_t H)
{
  return BZ_FAST + (BZ_SLOW - BZ_FAST) * (double)j / (double)(H - 1);
}

typedef struct {
  size_t T, H, I;
  double *x;            /* (T, I) pulse, sine with a step */
  grl_model *m;
  grl_seq *s;           /* T steps, B = 1: its cache holds every gate */
} driven;

static void driven_free(driven *d)
{
  grl_seq_free(d->s);
  grl_model_free(d->m);
  free(d->x);
}

/* The driven cell from `seed`, run over the input; `record` puts its
 * sizes in the lesson's parameters (the run's own seed only). */
static int driven_run(grl_lesson *L, driven *d, unsigned long seed, int record)
{
  memset(d, 0, sizeof *d);
  d->T = L->quick ? 60 : 160;
  d->H = L->quick ? 6 : 12;
  d->I = 2;
  size_t T = d->T, H = d->H, I = d->I;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  d->x = malloc(T * I * sizeof *d->x);
  int rc = (!rng || !d->x) ? grl_fail(GRL_ENOMEM, "ch02: out of memory") : GRL_OK;
  if (!rc)
    rc = grl_model_alloc(&d->m, &grl_cell_gru, I, H, 0);
  if (!rc)
    rc = grl_seq_alloc(&d->s, d->m, T, 1);
  if (rc) {
    if (rng)
      gsl_rng_free(rng);
    return rc;
  }
  gsl_rng_set(rng, seed);
  grl_model_init_uniform(d->m, rng);
  gsl_rng_free(rng);

  double *W_ih = grl_model_tensor(d->m, d->m->theta, "weight_ih_l0"); /* (3H, I) */
  for (size_t k = 0; k < 3 * H * I; k++)
    W_ih[k] *= 4.0;
  double *b_ih = grl_model_tensor(d->m, d->m->theta, "bias_ih_l0");   /* (3H) r, z, n */
  double *b_hh = grl_model_tensor(d->m, d->m->theta, "bias_hh_l0");
  for (size_t j = 0; j < H; j++) {
    /* b_z = b_iz + b_hz, spread evenly from BZ_FAST to BZ_SLOW */
    b_ih[H + j] = bz_of_unit(j, H);
    b_hh[H + j] = 0.0;
  }
  /* channel 0: a pulse at t = 5, 25, 45, ...; channel 1: a sine of
   * period 25, up by 1 for t > T/2 (grl_lesson_pulse_sine) */
  grl_lesson_pulse_sine(d->x, T, 1, I);
  if (record) {
    grl_lesson_param(L, "T", "%zu", T);
    grl_lesson_param(L, "H", "%zu", H);
    grl_lesson_param(L, "I", "%zu", I);
    grl_lesson_param(L, "cell", "%s", grl_cell_name(d->m->cell));
    grl_lesson_param(L, "b_z", "from %g (unit 0) to %g (unit %zu)", BZ_FAST,
                     BZ_SLOW, H - 1);
  }
  return grl_seq_forward(d->s, NULL, d->x, NULL, NULL);
}

/* qsort's comparison of doubles, ascending. */
static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The gate named `name` in the driver's cache, or -1. */
static int gate_index(const grl_cell *c, const char *name)
{
  for (size_t k = 0; k < c->ngate; k++)
    if (strcmp(c->gate_names[k], name) == 0)
      return (int)k;
  return -1;
}

/* What one driven run shows, measured on its cache and states. */
typedef struct {
  double closed_fast, closed_slow;  /* unit 0's and the last unit's share
                                       of the gap closed per step */
  double z_fast_max;     /* unit 0's largest z over the run */
  size_t out_of_order;   /* neighbours j, j+1 whose closed share does NOT
                            fall as b_z rises */
  double at_pulse, elsewhere;   /* unit 0: mean |dh| at / between pulses */
  double lo, hi;         /* the last unit's mean h_t, t <= T/2 and t > T/2 */
  double hi_nostep;      /* the same for t > T/2, input without the step */
} driven_stats;

/* The share of the gap to the candidate closed per step, unit j:
 *   closed = sum_t |h_t - h_t-1| / sum_t |n_t - h_t-1|
 * (h_t - h_t-1 = (1 - z_t)(n_t - h_t-1): a mean of 1 - z_t weighted by
 * the gap). */
static double closed_share(const driven *d, size_t j)
{
  size_t H = d->H;
  int kn = gate_index(d->m->cell, "n");
  double gap = 0.0, move = 0.0;
  for (size_t t = 1; t <= d->T; t++) {
    /* cache row t-1 holds step t's gates; states row t holds h_t */
    double n = gsl_matrix_get(grl_seq_cache(d->s), t - 1, (size_t)kn * H + j);
    double hp = gsl_matrix_get(grl_seq_states(d->s), t - 1, j), h = gsl_matrix_get(grl_seq_states(d->s), t, j);
    gap += fabs(n - hp);
    move += fabs(h - hp);
  }
  return move / gap;
}

/* Everything but hi_nostep reads the run as it stands; hi_nostep reruns
 * the cell on the input without the step, then on the real input again,
 * so that the driver holds the lesson's run when this returns. */
static int driven_measure(driven *d, driven_stats *st)
{
  size_t T = d->T, H = d->H, I = d->I;
  memset(st, 0, sizeof *st);
  st->closed_fast = closed_share(d, 0);
  st->closed_slow = closed_share(d, H - 1);
  int kz = gate_index(d->m->cell, "z");
  for (size_t t = 0; t < T; t++)
    st->z_fast_max = fmax(st->z_fast_max, gsl_matrix_get(grl_seq_cache(d->s), t, (size_t)kz * H));
  for (size_t j = 0; j + 1 < H; j++)
    st->out_of_order += closed_share(d, j + 1) >= closed_share(d, j);
  size_t npulse = 0;
  for (size_t t = 1; t <= T; t++) {
    double dh = fabs(gsl_matrix_get(grl_seq_states(d->s), t, 0) - gsl_matrix_get(grl_seq_states(d->s), t - 1, 0));
    if (d->x[(t - 1) * I + 0] > 0.0) {
      st->at_pulse += dh;
      npulse++;
    } else {
      st->elsewhere += dh;
    }
    double h = gsl_matrix_get(grl_seq_states(d->s), t, H - 1);
    if (2 * t > T)
      st->hi += h / (double)(T - T / 2);
    else
      st->lo += h / (double)(T / 2);
  }
  st->at_pulse /= (double)npulse;
  st->elsewhere /= (double)(T - npulse);
  /* The slow unit's level after the step also holds its warming up from
   * h_0 = 0.  The same cell on the same input without the step (the sine
   * alone) separates the two: the step's effect is the difference of the
   * two means over t > T/2. */
  double *x0 = malloc(T * I * sizeof *x0);   /* (T, I) the input, no step */
  if (!x0)
    return grl_fail(GRL_ENOMEM, "ch02: out of memory");
  memcpy(x0, d->x, T * I * sizeof *x0);
  for (size_t t = 1; t <= T; t++)
    if (2 * t > T)
      x0[(t - 1) * I + 1] -= 1.0;
  int rc = grl_seq_forward(d->s, NULL, x0, NULL, NULL);
  if (!rc) {
    for (size_t t = T / 2 + 1; t <= T; t++)
      st->hi_nostep += gsl_matrix_get(grl_seq_states(d->s), t, H - 1) / (double)(T - T / 2);
    rc = grl_seq_forward(d->s, NULL, d->x, NULL, NULL);
  }
  free(x0);
  return rc;
}

static void structured_input(grl_lesson *L, driven *d)
{
  grl_lesson_section(L, "A GRU driven by a pulse train and a sine with a step");
  int rc = driven_run(L, d, L->seed, 1);
  if (rc) {
    grl_lesson_error(L, rc, "the driven run");
    driven_free(d);
    memset(d, 0, sizeof *d);
    return;
  }
  size_t T = d->T, H = d->H;
  const grl_cell *c = d->m->cell;
  int kz = gate_index(c, "z"), kr = gate_index(c, "r"), kn = gate_index(c, "n");
  if (!grl_lesson_expect(L, kz >= 0 && kr >= 0 && kn >= 0,
                         "the cell caches gates r, z and n"))
    return;

  /* The naive reference over the same sequence, one step at a time. */
  double *out = malloc(T * H * sizeof *out);          /* (T, H) */
  double *gates = malloc(T * c->ngate * H * sizeof *gates); /* (T, 3H) */
  if (!out || !gates) {
    free(out);
    free(gates);
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch02: out of memory"), "allocation");
    return;
  }
  grl_naive_forward(d->m, T, 1, d->m->theta, d->x, NULL, NULL, out, NULL,
                    NULL, gates);
  gsl_matrix_view o = grl_seq_output(d->s);          /* (T, H) */
  double dz = 0.0, dall = grl_lesson_reldiff(T * H, out, o.matrix.data);
  for (size_t t = 0; t < T; t++)
    for (size_t k = 0; k < c->ngate; k++)
      for (size_t j = 0; j < H; j++)
        dz = fmax(dz, fabs(gates[(t * c->ngate + k) * H + j]
                           - gsl_matrix_get(grl_seq_cache(d->s), t, k * H + j)));
  grl_lesson_check(L, "naive vs driver, h_t relative", dall, 1e-13);
  grl_lesson_check(L, "naive vs driver cache, gates abs", dz, 1e-13);
  free(out);
  free(gates);

  /* Per unit: the mean gates, and how the state moves.  The update
   *   h_t - h_{t-1} = (1 - z_t) (n_t - h_{t-1})
   * moves each unit a fraction 1 - z_t of its GAP to the candidate.  So
   * how far a unit moves depends on two things: its gate (the fraction
   * closed) and its candidate (how far n_t is, and how much it moves).
   * The table prints each, averaged over t = 1..T. */
  grl_lesson_say(L,
    "\nPer unit, means over t = 1..%zu (seed %lu).  half-life: ln 2/(-ln z) at\n"
    "the mean z.  |dn|: mean |n_t - n_t-1|, how much the candidate moves.\n"
    "gap: mean |n_t - h_t-1|, how far the candidate is.  |dh|: mean\n"
    "|h_t - h_t-1|, how far the state moves.  closed = |dh| / gap, the share\n"
    "of the gap closed per step (a mean of 1 - z weighted by the gap):\n"
    "  unit   b_z   mean z  mean r  half-life   |dn|     gap     |dh|   closed",
    T, L->seed);
  for (size_t j = 0; j < H; j++) {
    double mz = 0.0, mr = 0.0, dn = 0.0, gap = 0.0, move = 0.0;
    for (size_t t = 1; t <= T; t++) {
      /* cache row t-1 holds step t's gates; states row t holds h_t */
      double z = gsl_matrix_get(grl_seq_cache(d->s), t - 1, (size_t)kz * H + j);
      double r = gsl_matrix_get(grl_seq_cache(d->s), t - 1, (size_t)kr * H + j);
      double n = gsl_matrix_get(grl_seq_cache(d->s), t - 1, (size_t)kn * H + j);
      double hp = gsl_matrix_get(grl_seq_states(d->s), t - 1, j), h = gsl_matrix_get(grl_seq_states(d->s), t, j);
      mz += z / (double)T;
      mr += r / (double)T;
      if (t > 1)
        dn += fabs(n - gsl_matrix_get(grl_seq_cache(d->s), t - 2, (size_t)kn * H + j))
              / (double)(T - 1);
      gap += fabs(n - hp) / (double)T;
      move += fabs(h - hp) / (double)T;
    }
    grl_lesson_say(L, "  %4zu  %5.2f   %5.3f   %5.3f  %6.1f steps %7.4f %7.4f %7.4f   %5.3f",
                   j, bz_of_unit(j, H), mz, mr, log(2.0) / -log(mz), dn, gap,
                   move, move / gap);
  }
  grl_lesson_say(L,
    "A fast unit (small b_z) closes most of its gap at every step, so it\n"
    "stays close to its candidate and follows it; a slow unit closes little\n"
    "of its gap and drifts.  Whether a fast unit moves MORE than a slow one\n"
    "also depends on its candidate: a unit whose candidate is calm (small\n"
    "|dn|) can move less than a slower unit with a busy candidate.  The share\n"
    "closed, not |dh|, is what b_z sets (the end of §4 checks it at ten\n"
    "seeds).");
  grl_lesson_expect(L, closed_share(d, H - 1) < 0.25 * closed_share(d, 0),
                    "the slowest unit closes < 1/4 of the share the fastest closes");
}

/*
## 4. Charts: gate heatmaps and state trajectories

A heatmap row is a hidden unit, a column a time step.  The cache row for
step $t = 1 \dots T$ (batch item 0) is row $(t-1)B$; gate $k$ is its
columns `[k*H, (k+1)*H)`.  So element (unit $j$, step $t$) of gate $k$
sits at `cache[(t-1)*B*tda + k*H + j]`: a strided view, no copy.  Both charts show
the run's seed; the last table measures their claims at ten.
*/

static void charts_of_run(grl_lesson *L, driven *d)
{
  grl_lesson_section(L, "Charts: gate heatmaps and state trajectories");
  if (!d->s)
    return;
  size_t T = d->T, H = d->H, I = d->I, B = 1;
  const grl_cell *c = d->m->cell;
  const gsl_matrix *cache = grl_seq_cache(d->s);    /* (T*B, K*H) */

  grl_chart *ch = grl_lesson_chart(L, "gates",
                                   "GRU gates over time: update z and reset r");
  grl_chart_comment(ch, "rows: hidden unit j = 0..%zu (b_z rising with j), "
                    "columns: time step t = 1..%zu", H - 1, T);
  grl_chart_matrix(ch, H, T);
  const char *order[] = {"z", "r"};
  for (size_t q = 0; q < 2; q++) {
    int k = gate_index(c, order[q]);
    grl_chart_matrix_block(ch, order[q], cache->data + (size_t)k * H,
                           1, B * cache->tda);
  }
  grl_chart_set(ch, "unit_step", "%d", H > 8 ? 2 : 1);
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "t_step", "%zu", T / 2);
  {
    /* mean z of the fastest and the slowest unit, from the cache */
    int kz = gate_index(c, "z");
    double z_fast = 0.0, z_slow = 0.0;
    for (size_t t = 0; t < T; t++) {
      z_fast += gsl_matrix_get(cache, t * B, (size_t)kz * H) / (double)T;
      z_slow += gsl_matrix_get(cache, t * B, (size_t)kz * H + H - 1) / (double)T;
    }
    grl_lesson_takeaway(L, "gates",
      "Mean $z$ is %.2f for unit 0 ($b_z = %g$) and %.2f for unit %zu"
      " ($b_z = %g$): the first replaces most of its state at every step, the"
      " last keeps most of it (seed %lu).", z_fast, BZ_FAST, z_slow, H - 1,
      BZ_SLOW, L->seed);
  }
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);

  /* Trajectories: the input on top, four units below. */
  ch = grl_lesson_chart(L, "trajectories",
                        "One seed: fast units follow their candidate, slow ones integrate");
  char cols[1024] = "t x_pulse x_sine_step";
  for (size_t j = 0; j < H; j++) {
    char name[32];
    snprintf(name, sizeof name, " h_unit%zu", j);
    strncat(cols, name, sizeof cols - strlen(cols) - 1);
  }
  grl_chart_columns(ch, cols);
  double *row = malloc((3 + H) * sizeof *row);   /* (3 + H) */
  if (!row) {
    grl_chart_abort(ch);
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch02: out of memory"), "allocation");
    return;
  }
  for (size_t t = 1; t <= T; t++) {
    row[0] = (double)t;
    row[1] = d->x[(t - 1) * I + 0];   /* x_t is row t-1 of x */
    row[2] = d->x[(t - 1) * I + 1];
    for (size_t j = 0; j < H; j++)
      row[3 + j] = gsl_matrix_get(grl_seq_states(d->s), t * B, j);  /* h_t: row t of the states */
    grl_chart_row(ch, 3 + H, row);
  }
  free(row);
  size_t pick[4] = {0, H / 3, 2 * H / 3, H - 1};
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "t_step", "%zu", T / 2 + 1);
  for (size_t q = 0; q < 4; q++) {
    char key[16];
    snprintf(key, sizeof key, "col%zu", q);
    grl_chart_set(ch, key, "%zu", 4 + pick[q]);
    snprintf(key, sizeof key, "title%zu", q);
    grl_chart_set_text(ch, key, "unit %zu, b_z = %.1f", pick[q],
                       bz_of_unit(pick[q], H));
  }
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  /* The two claims the charts illustrate, measured on this run: the
   * fastest unit jumps at the pulses, and the slowest one moves to a new
   * level after the step. */
  driven_stats st;
  int rc = driven_measure(d, &st);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward without the step");
    return;
  }
  double effect = st.hi - st.hi_nostep, warm = st.hi_nostep - st.lo;
  grl_lesson_say(L,
    "In the heatmap, units with small b_z have z near 0 and replace most of\n"
    "their state at every step; units with large b_z keep most of it.");
  grl_lesson_value(L, "unit 0: mean |dh| at a pulse", st.at_pulse);
  grl_lesson_value(L, "unit 0: mean |dh| between pulses", st.elsewhere);
  char label[64];
  snprintf(label, sizeof label, "unit %zu: mean h_t, t <= %zu", H - 1, T / 2);
  grl_lesson_value(L, label, st.lo);
  snprintf(label, sizeof label, "unit %zu: mean h_t, t > %zu", H - 1, T / 2);
  grl_lesson_value(L, label, st.hi);
  snprintf(label, sizeof label, "unit %zu: the same, input without the step", H - 1);
  grl_lesson_value(L, label, st.hi_nostep);
  grl_lesson_say(L,
    "At this seed the fastest unit moves %.1f times as far at a pulse as\n"
    "between pulses.  It follows its candidate n; whether n jumps at a pulse\n"
    "depends on the input weights W_in, which come from the seed (the table\n"
    "below shows how much that varies).\n"
    "The slowest unit starts from h_0 = 0, so part of any change in its level\n"
    "is its own warming up; the same cell run on the sine alone (no step)\n"
    "measures that part: its mean over t > %zu %s by %.3f from the first\n"
    "half's without any step.  The step itself %s the slowest unit's mean\n"
    "level over t > %zu by %.3f (with the step minus without it),\n"
    "%s.",
    st.at_pulse / st.elsewhere, T / 2, warm >= 0.0 ? "rises" : "falls",
    fabs(warm), effect >= 0.0 ? "raises" : "lowers", T / 2, fabs(effect),
    fabs(effect) > fabs(warm) ? "more than the warming up moves it"
                              : "less than the warming up moves it");
  /* The two numbers above come from two runs; the with-step run is the
   * chart's, and the lesson's sentence uses their difference. */
  grl_lesson_expect(L, isfinite(effect) && effect != 0.0,
                    "the step changes the slowest unit's level (two runs differ)");

  /* The same measurements at nine more seeds: other weights, the same
   * input and the same spread of b_z. */
  enum { NSEED = 10 };
  driven_stats all[NSEED] = {st};
  for (size_t q = 1; q < NSEED; q++) {
    driven d2;
    rc = driven_run(L, &d2, L->seed + q, 0);
    if (!rc)
      rc = driven_measure(&d2, &all[q]);
    driven_free(&d2);
    if (rc) {
      grl_lesson_error(L, rc, "the driven run, another seed");
      return;
    }
  }
  grl_lesson_say(L,
    "\nThe same at ten seeds (other weights; the same input and b_z):\n"
    "closed: the share of the gap closed per step by unit 0 and unit %zu;\n"
    "z max: unit 0's largest z; order: neighbouring units (of %zu pairs)\n"
    "whose share does not fall as b_z rises; pulse: unit 0's mean |dh| at a\n"
    "pulse over between pulses; step and warm-up: the change of unit %zu's\n"
    "mean level over t > %zu.\n"
    "  seed   closed: unit 0  unit %2zu   z max   order   pulse     step  warm-up",
    H - 1, H - 1, H - 1, T / 2, H - 1);
  double pmin = INFINITY, pmax = 0.0, emin = INFINITY, emax = -INFINITY, zmax = 0.0;
  double ratio[NSEED];   /* unit 0's pulse ratio per seed, sorted below */
  size_t in_order = 0, quarter = 0, step_wins = 0;
  for (size_t q = 0; q < NSEED; q++) {
    const driven_stats *a = &all[q];
    double eff = a->hi - a->hi_nostep, wu = a->hi_nostep - a->lo;
    grl_lesson_say(L, "  %4lu   %14.3f  %7.3f   %5.3f   %5zu  %6.1f  %+7.3f  %+7.3f",
                   L->seed + q, a->closed_fast, a->closed_slow, a->z_fast_max,
                   a->out_of_order, a->at_pulse / a->elsewhere, eff, wu);
    ratio[q] = a->at_pulse / a->elsewhere;
    zmax = fmax(zmax, a->z_fast_max);
    pmin = fmin(pmin, a->at_pulse / a->elsewhere);
    pmax = fmax(pmax, a->at_pulse / a->elsewhere);
    emin = fmin(emin, eff);
    emax = fmax(emax, eff);
    in_order += a->out_of_order == 0;
    quarter += a->closed_slow < 0.25 * a->closed_fast;
    step_wins += fabs(eff) > fabs(wu);
  }
  grl_lesson_say(L, "Unit 0's z stays at or below %.3f at every step of every seed%s",
                 zmax, zmax < 0.5 ? ":\nit closes most of its gap at every step." : ".");
  grl_lesson_say(L,
    "The slowest unit closes less than a quarter of the fastest's share at\n"
    "%zu of %d seeds; the share falls with b_z across every neighbouring pair\n"
    "at %zu of %d.", quarter, (int)NSEED, in_order, (int)NSEED);
  if (in_order < NSEED)
    grl_lesson_say(L, "Elsewhere a few neighbours swap: b_z sets the trend, the input's\n"
                      "pull on z the details.");
  /* the charted seed's pulse ratio among the ten: its rank from the top,
   * and the median */
  double here = ratio[0];
  size_t above = 0;
  for (size_t q = 1; q < NSEED; q++)
    above += ratio[q] > here;
  qsort(ratio, NSEED, sizeof ratio[0], cmp_double);
  double median = (ratio[(NSEED - 1) / 2] + ratio[NSEED / 2]) / 2.0;
  grl_lesson_value(L, "unit 0: pulse ratio, median", median);
  grl_lesson_say(L,
    "How far the fastest unit jumps at a pulse depends on its weights: %.1f\n"
    "to %.1f times as far as between pulses (median %.1f); the charted seed\n"
    "%lu, at %.1f, ranks %zu of %d from the top.  So does the step's effect\n"
    "on the slowest unit, %+.3f to %+.3f%s,\n"
    "which exceeds its warming up at %zu of %d seeds.", pmin, pmax, median,
    L->seed, here, above + 1, (int)NSEED, emin, emax,
    emin < 0.0 && emax > 0.0 ? " (its sign too)" : "", step_wins, (int)NSEED);
  grl_lesson_takeaway(L, "trajectories",
    "Seed %lu: the fastest unit jumps %.1f times as far at a pulse as"
    " between pulses (median %.1f over %d seeds, %.1f to %.1f); the step"
    " %s the slowest unit's level by %.3f.", L->seed, here, median,
    (int)NSEED, pmin, pmax, effect >= 0.0 ? "raises" : "lowers",
    fabs(effect));
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;

  interpolation(&L);
  memory(&L);
  driven d;
  structured_input(&L, &d);
  charts_of_run(&L, &d);
  driven_free(&d);
  return grl_lesson_end(&L);
}
