/*
# Chapter 8: Learning a long dependency: the adding problem

**Prerequisites:** chapter 7 §1-§3 (the gradient against lag, and the
gates that keep it), chapter 6 §3, §5, §7, §8 (the adding problem, Adam,
clipping, and a GRU's first training on it), chapter 4 (BPTT), chapter 2 §2
(a gate's memory).

Chapter 7 showed that at initialisation the gradient of a tanh RNN dies
within a few dozen steps, and that a gate near 1 keeps it alive.  Here the
cells have to *use* that: they learn the adding problem, whose answer
depends on two inputs up to $T$ steps back, and we watch who gets past the
no-memory baseline.

### What you will learn

1. The adding problem (Hochreiter and Schmidhuber 1997, experiment 4;
   here in the benchmark form of Arjovsky, Shah and Bengio 2016).  Each
   step feeds two numbers: a value $v_t \sim U[0,1]$ and a marker $m_t$,
   which is 1 at exactly one step of the first half and one step of the
   second half, 0 elsewhere.  After the last step the net must answer

   $$y = \sum_t m_t v_t \qquad \text{the sum of the two marked values}$$

   A net that remembers nothing can only answer $E[y] = 1$, and scores the
   baseline

   $$E[(y − 1)^2] = \operatorname{Var}(v_i + v_j) = 2/12 = 1/6 ≈ 0.1667$$

   Beating it means carrying a value across up to $T$ steps.
2. The models: a cell ($H$ units) and a linear readout
   $\hat y = W_o h_T + b_o$, trained on the mean squared error with full
   BPTT, Adam (lr 1e-3, PyTorch's update), and the gradient clipped to
   global norm 1.  Same $H$ is not same size: at $H = 32$ the LSTM has 4/3
   of the GRU's weights, so the LSTM is also trained at the $H$ whose
   parameter count is closest to the GRU's.  PyTorch draws the LSTM's
   forget-gate bias around 0, so $f$ starts near 1/2; Jozefowicz, Zaremba
   and Sutskever (2015) recommend a forget bias of 1, and the LSTM runs
   both ways.
3. One training run is one sample: every configuration is trained with
   several seeds, and the verdicts come from the measured test MSEs of all
   of them.
4. After training, the gradient against lag once more (chapter 7's
   measurement, `grl_gradnorm_run`, with the readout's direction), and the
   mean of the gate that keeps the state, before and after.

Every run is one `grl_session_run` -- what `grulab train` does:

    grulab train --task adding --cell gru --seq-len 50 --seed 5

reproduces the GRU's first seed at $T = 50$ (same initial parameters,
batches and 1000 test sequences).  The runs are independent, so they run
in parallel (OpenMP, one BLAS thread each); the output does not depend on
the number of threads.

### Run it

    chapters/ch08-long-memory                  T = 50, 3 seeds (about 2 min)
    chapters/ch08-long-memory --seq-len 100    T = 100 (about twice as long)
    chapters/ch08-long-memory --cells rnn,gru  skip the LSTM (faster)
    chapters/ch08-long-memory --threads 1      one core (same output)
    chapters/ch08-long-memory --quick          tiny: too short to learn

### Charts

- `ch08-learning-curves`: smoothed training loss (mean of the last 50
  batch losses) against step: the mean over the seeds and the band from
  the lowest to the highest seed, one panel per $T$, with the baseline 1/6
  and one tenth of it.
- `ch08-lag-trained`: $\|∂L/∂h_{T-k}\|$ against lag $k$ at the longest
  $T$, before and after training (first seed).
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"
#include "grl_stop.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static const char *const charts[] = {"learning-curves", "lag-trained", NULL};

static size_t opt_steps, opt_H, opt_seeds, opt_threads, opt_length;
static const char *opt_cells = "rnn,gru,lstm";

enum { MAX_CONFIGS = 8, MAX_LENGTHS = 2, MAX_SEEDS = 10, SMOOTH = 50,
       BATCH = 50, TEST_SEQS = 1000, GN_BATCH = 32 };

static const grl_opt options[] = {
  {"steps", GRL_OPT_SIZE, &opt_steps, "N",
   .help = "optimiser steps per net, N >= 1 (default 3000, quick 150)", .lo = 1},
  {"hidden-size", GRL_OPT_SIZE, &opt_H, "H",
   .help = "hidden units (default 32, quick 16)", .lo = 1},
  {"cells", GRL_OPT_STRING, &opt_cells, "LIST",
   .help = "cells to train, comma-separated (default rnn,gru,lstm)"},
  {"seeds", GRL_OPT_SIZE, &opt_seeds, "N",
   .help = "seeds per configuration: --seed, --seed+1, ... (default 3)",
   .lo = 1, .hi = MAX_SEEDS},
  {"seq-len", GRL_OPT_SIZE, &opt_length, "T",
   .help = "sequence length, T >= 2 (default 50, quick 20)", .lo = 2},
  {"threads", GRL_OPT_SIZE, &opt_threads, "N",
   .help = "runs trained at once (default: one per core); the output is the same",
   .lo = 1, .hi = 1024},
  {"length", GRL_OPT_ALIAS, .now = "seq-len"},
  {NULL}};

/* The cells of --cells, each at most once: filled by check_options. */
enum { MAX_CELLS = 5 };
static const grl_cell *cells[MAX_CELLS];
static size_t ncells;
static int check_options(grl_lesson *L);

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* Var(u1 + u2), u ~ U(0,1): 2 * 1/12 */
{
  *v = 2.0 * (1.0 / 12.0);
  return GRL_OK;
}

static int ex2_answer(double *v)   /* GRU with I = 2, H = 32 and a readout */
{
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, 2, 32, 1);
  if (rc)
    return rc;
  *v = (double)m->n;
  grl_model_free(m);
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"The trivial predictor of the adding problem always answers 1, the mean\n"
   "of the sum of two numbers drawn from U(0, 1).  What is its mean squared\n"
   "error?", ex1_answer, 0.01, 0},
  {"How many parameters does the GRU of the default run have (two inputs,\n"
   "H = 32, and a readout of H weights and one bias)?  Count by hand.",
   ex2_answer, 0.001, 1},
  {"Train the tanh RNN for longer: `chapters/ch08-long-memory --cells rnn\n"
   "--steps 6000 --seq-len 100`.  Does it ever beat the baseline at T = 100?\n"
   "Compare its lag curve after training with the GRU's.", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch08-long-memory",
  .title = "Learning a long dependency: the adding problem",
  .summary =
    "Chapter 8 trains a tanh RNN, a GRU and an LSTM (with PyTorch's forget\n"
    "bias and with forget bias 1, at the GRU's H and at the GRU's parameter\n"
    "count) on the adding problem at T = 50 (--seq-len), three seeds each,\n"
    "with the same batches, Adam and clipping for all.  It prints parameter\n"
    "counts, the test MSE of every seed with mean and spread, verdicts from\n"
    "those numbers, learning curves against the no-memory baseline 1/6, and\n"
    "the gradient against lag again after training.  The runs are trained\n"
    "in parallel, one per core; the output does not depend on --threads.",
  .charts = charts,
  .seed = 5,
  .opts = options,
  .check = check_options,
};


/* Parse --cells "rnn,gru,lstm" into cells[] before the lesson starts: a
 * bad value is a usage error (one line on stderr, exit 2), not a failed
 * lesson.  (The sizes' ranges are the option rows'.) */
static int check_options(grl_lesson *L)
{
  const char *p = opt_cells;
  ncells = 0;
  if (!*p)
    return grl_lesson_bad_option(L, "--cells: no cells given (want e.g. rnn,gru,lstm)");
  for (;;) {
    size_t len = strcspn(p, ",");
    if (len == 0)
      return grl_lesson_bad_option(L, "--cells: empty cell name in '%s'"
                                   " (want e.g. rnn,gru,lstm)", opt_cells);
    char name[32];
    const grl_cell *c = NULL;
    if (len < sizeof name) {
      memcpy(name, p, len);
      name[len] = '\0';
      c = grl_cell_lookup(name);
    }
    if (!c)
      return grl_lesson_bad_option(L, "--cells: unknown cell '%.*s'",
                                   (int)(len < 40 ? len : 40), p);
    for (size_t k = 0; k < ncells; k++)
      if (cells[k] == c)
        return grl_lesson_bad_option(L, "--cells: '%s' is listed twice",
                                     name);
    if (ncells == MAX_CELLS)
      return grl_lesson_bad_option(L, "--cells: at most %d cells", MAX_CELLS);
    cells[ncells++] = c;
    if (p[len] == '\0')
      return 0;
    p += len + 1;
  }
}

/*
### What is trained
*/

/* One configuration: a cell, its size and its keep-gate bias. */
typedef struct {
  const grl_cell *cell;
  size_t H;
  double bias;       /* LSTM forget bias b_f; NAN = PyTorch's draw */
  size_t nparam;     /* parameters, readout included */
  char name[40];     /* "lstm b_f=1 H=28", for tables and chart keys */
} config;

/* One training run: a configuration at one length with one seed. */
typedef struct {
  const config *cfg;
  size_t T;
  size_t seed_index;
  unsigned long seed;
  grl_session s;
  int status;
  char error[200];   /* grl_strerror() of the thread that ran it */
} run;

static size_t param_count(const grl_cell *cell, size_t H)
{
  grl_model *m = NULL;
  size_t n = 0;
  if (!grl_model_alloc(&m, cell, 2, H, 1))
    n = m->n;
  grl_model_free(m);
  return n;
}

static void config_set(config *c, const grl_cell *cell, size_t H, double bias,
                       int show_H)
{
  c->cell = cell;
  c->H = H;
  c->bias = bias;
  c->nparam = param_count(cell, H);
  int n = snprintf(c->name, sizeof c->name, "%s", grl_cell_name(cell));
  if (!isnan(bias))
    n += snprintf(c->name + n, sizeof c->name - (size_t)n, " b_f=%g", bias);
  if (show_H)
    snprintf(c->name + n, sizeof c->name - (size_t)n, " H=%zu", H);
}

/* The configurations for the cells of --cells at hidden size H: each cell
 * as PyTorch initialises it; the LSTM also with forget bias 1; and, when
 * the GRU is trained too, the LSTM with forget bias 1 at the H whose
 * parameter count is closest to the GRU's at H. */
static size_t make_configs(config *cf, size_t H)
{
  size_t n = 0, ngru = 0;
  int has_lstm = 0;
  for (size_t i = 0; i < ncells; i++) {
    if (cells[i] == &grl_cell_gru)
      ngru = param_count(cells[i], H);
    if (cells[i] == &grl_cell_lstm)
      has_lstm = 1;
  }
  for (size_t i = 0; i < ncells; i++) {
    config_set(&cf[n++], cells[i], H, NAN, 0);
    if (cells[i] == &grl_cell_lstm)
      config_set(&cf[n++], cells[i], H, 1.0, 0);
  }
  if (has_lstm && ngru) {
    size_t best = 1, bestd = (size_t)-1;
    for (size_t h = 1; h <= H; h++) {
      size_t p = param_count(&grl_cell_lstm, h);
      size_t d = p > ngru ? p - ngru : ngru - p;
      if (d < bestd) {
        bestd = d;
        best = h;
      }
    }
    if (best != H)
      config_set(&cf[n++], &grl_cell_lstm, best, 1.0, 1);
  }
  return n;
}

/*
### Train every run, in parallel
*/

/* Longest runs first, so that two threads finish together. */
static double run_cost(const run *r)
{
  const config *c = r->cfg;
  return (double)r->T * (double)c->cell->G * (double)c->H * (double)(c->H + 3);
}

static int by_cost(const void *a, const void *b)
{
  const run *const *x = a, *const *y = b;
  double ca = run_cost(*x), cb = run_cost(*y);
  return ca < cb ? 1 : ca > cb ? -1 : (*x < *y ? -1 : *x > *y);
}

/* Trains every run; on a terminal, "k/n runs trained" on stderr. */
static void train_all(run *runs, size_t n, size_t steps)
{
  const int progress = isatty(fileno(stderr));
  size_t finished = 0;
  run **order = malloc(n * sizeof *order);
  if (order) {
    for (size_t i = 0; i < n; i++)
      order[i] = &runs[i];
    qsort(order, n, sizeof *order, by_cost);
  }
  /* Each run owns its generators, model, trainer and log: the threads
   * share nothing, so every run's bytes are those of a run alone. */
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < n; i++) {
    run *r = order ? order[i] : &runs[i];
    grl_session_spec spec = {
      .cell = r->cfg->cell, .task = "adding", .length = r->T,
      .hidden_size = r->cfg->H, .steps = steps, .seed = r->seed,
      .test_seqs = TEST_SEQS, .keep_gate_bias = r->cfg->bias,
      .cfg = {.optimizer = "adam", .lr = 1e-3, .clip = 1.0, .batch = BATCH,
               .stop = &grl_stop_signal},
    };
    r->status = grl_session_run(&r->s, &spec, NULL, NULL);
    if (r->status)
      snprintf(r->error, sizeof r->error, "%s", grl_strerror());
#pragma omp critical
    {
      finished++;
      if (progress) {
        fprintf(stderr, "\r%zu/%zu runs trained ", finished, n);
        fflush(stderr);
      }
    }
  }
  if (progress) {
    fputs("\r\033[K", stderr);   /* the terminal keeps only the results */
    fflush(stderr);
  }
  free(order);
}

/* Mean of the batch losses of steps (i-w, i], the curve we plot. */
static double smoothed(const run *ru, size_t i, size_t w)
{
  size_t lo = i + 1 >= w ? i + 1 - w : 0;
  double s = 0;
  for (size_t k = lo; k <= i; k++)
    s += ru->s.log[k].loss;
  return s / (double)(i + 1 - lo);
}

/*
### The learning curves: mean over the seeds, and their band
*/

/* The configurations' names, "'rnn' 'gru' ...", as a chart's template
 * reads them. */
static void config_names(char *names, size_t len, const config *cf,
                         size_t ncf)
{
  names[0] = '\0';
  for (size_t c = 0; c < ncf; c++) {
    size_t a = strlen(names);
    snprintf(names + a, len - a, "%s'%s'", c ? " " : "", cf[c].name);
  }
}

/* runs[(c * nT + l) * nseed + k] is configuration c at length l, seed k. */
static void learning_chart(grl_lesson *L, const run *runs, const config *cf,
                           size_t ncf, const size_t *Ts, size_t nT,
                           size_t nseed, size_t steps, size_t w,
                           double first_loss, size_t mean_step)
{
  grl_chart *ch = grl_lesson_chart(L, "learning-curves",
                                   "Adding problem: smoothed training loss against step");
  /* steps, H, B, cells and seeds are the run's parameters, already in
   * every chart's header; only what is this chart's own is added */
  grl_chart_param(ch, "optimizer", "adam lr=0.001 clip=1");
  grl_chart_param(ch, "smoothing", "mean of the last %zu batch losses", w);
  grl_chart_comment(ch, "smoothed loss of one run at step s = mean of its batch MSEs of steps s-%zu+1 .. s", w);
  grl_chart_comment(ch, "mean_i, lo_i, hi_i = mean, lowest and highest over the seeds of series i's smoothed loss");
  char cols[1024] = "step";
  size_t ns = 0;
  for (size_t l = 0; l < nT; l++)
    for (size_t c = 0; c < ncf; c++, ns++) {
      grl_chart_comment(ch, "series %zu: %s at T=%zu (%zu parameters)", ns,
                        cf[c].name, Ts[l], cf[c].nparam);
      size_t len = strlen(cols);
      snprintf(cols + len, sizeof cols - len, " mean_%zu lo_%zu hi_%zu", ns, ns, ns);
    }
  grl_chart_columns(ch, cols);
  double *row = malloc((1 + 3 * ns) * sizeof *row);
  size_t rows = steps;
  for (size_t i = 0; i < ncf * nT * nseed; i++)
    if (runs[i].s.done < rows)
      rows = runs[i].s.done;
  for (size_t s = 0; row && s < rows; s++) {
    size_t j = 0;
    row[j++] = (double)(s + 1);
    for (size_t l = 0; l < nT; l++)
      for (size_t c = 0; c < ncf; c++) {
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < nseed; k++) {
          double v = smoothed(&runs[(c * nT + l) * nseed + k], s, w);
          sum += v;
          lo = fmin(lo, v);
          hi = fmax(hi, v);
        }
        row[j++] = sum / (double)nseed;
        row[j++] = lo;
        row[j++] = hi;
      }
    grl_chart_row(ch, j, row);
  }
  free(row);
  /* what the template needs: panels, series, colours and names */
  char panels[128] = "", names[512];
  for (size_t l = 0; l < nT; l++) {
    size_t a = strlen(panels);
    snprintf(panels + a, sizeof panels - a, "%s%zu", l ? " " : "", Ts[l]);
  }
  config_names(names, sizeof names, cf, ncf);
  grl_chart_set(ch, "npanel", "%zu", nT);
  grl_chart_set(ch, "nconfig", "%zu", ncf);
  grl_chart_set(ch, "last_step", "%zu", rows);
  grl_chart_set(ch, "first_loss", "%.4g", first_loss);
  grl_chart_set(ch, "mean_step", "%zu", mean_step);
  grl_chart_set(ch, "batch", "%d", BATCH);
  grl_chart_set(ch, "smooth", "%zu", w);
  grl_chart_set_text(ch, "panel_T", "%s", panels);
  grl_chart_set_text(ch, "config_name", "%s", names);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  if (rows > 0) {
    char what[768] = "";
    size_t l = nT - 1;
    for (size_t c = 0; c < ncf; c++) {
      double sum = 0;
      for (size_t k = 0; k < nseed; k++)
        sum += smoothed(&runs[(c * nT + l) * nseed + k], rows - 1, w);
      size_t a = strlen(what);
      snprintf(what + a, sizeof what - a, "%s%s %.3g", c ? ", " : "",
               cf[c].name, sum / (double)nseed);
    }
    grl_lesson_takeaway(L, "learning-curves",
      "Smoothed training loss at step %zu, T = %zu, mean of %zu seeds (the"
      " no-memory baseline is 1/6 ≈ 0.167): %s.", rows, Ts[l], nseed, what);
  }
}

/*
### The gradient against lag, and the keep gate, before and after
*/

/* Mean of the fraction of the state kept (gru z, lstm and seed f: the
 * cell's keep_gate) over a batch of adding sequences and every step; NAN
 * if the cell has none. */
static double keep_gate(const grl_model *m, size_t T, unsigned long seed)
{
  const grl_cell *c = m->cell;
  const size_t k = (size_t)c->keep_gate;
  if (!c->keep_sign)
    return NAN;
  grl_seq *s = NULL;
  grl_task *t = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double sum = NAN;
  if (r && !grl_task_alloc(&t, "adding", T, GN_BATCH)
      && !grl_seq_alloc(&s, m, T, GN_BATCH)) {
    gsl_rng_set(r, seed);
    grl_task_sample(t, r);
    if (!grl_seq_forward(s, NULL, t->x->data, NULL, NULL)) {
      const size_t H = m->hidden_size;
      sum = 0;
      /* gate k is cache columns [k*H, (k+1)*H) of every row t*B+b */
      for (size_t i = 0; i < grl_seq_cache(s)->size1; i++)
        for (size_t j = 0; j < H; j++)
          sum += gsl_matrix_get(grl_seq_cache(s), i, k * H + j);
      sum /= (double)(grl_seq_cache(s)->size1 * H);
      if (c->keep_sign < 0)   /* the gate is the fraction written */
        sum = 1.0 - sum;
    }
  }
  grl_seq_free(s);
  grl_task_free(t);
  if (r)
    gsl_rng_free(r);
  return sum;
}

/* norm (T) for the model on a fixed batch of adding inputs (seeded). */
static int lag_norms(const grl_model *m, size_t T, unsigned long seed,
                     double *norm)
{
  grl_gradnorm *g = NULL;
  grl_task *t = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int st = r ? GRL_OK : grl_fail(GRL_ENOMEM, "rng: out of memory");
  if (!st) {
    gsl_rng_set(r, seed);
    st = grl_task_alloc(&t, "adding", T, GN_BATCH);
  }
  if (!st)
    st = grl_gradnorm_alloc(&g, m, T, GN_BATCH);
  if (!st) {
    grl_task_sample(t, r);
    /* the readout's direction on h_T: what the MSE's gradient looks like */
    st = grl_gradnorm_run(g, NULL, t->x->data, r, norm, NULL);
  }
  grl_gradnorm_free(g);
  grl_task_free(t);
  if (r)
    gsl_rng_free(r);
  return st;
}

/* The model of run ru as it was before training: the same generator
 * draws the same initial parameters. */
static int initial_model(grl_model **m0, const run *ru)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r)
    return grl_fail(GRL_ENOMEM, "rng: out of memory");
  gsl_rng_set(r, ru->seed);
  int st = grl_model_alloc(m0, ru->cfg->cell, 2, ru->cfg->H, 1);
  if (!st) {
    grl_model_init_uniform(*m0, r);
    if (!isnan(ru->cfg->bias))
      st = grl_init_keep_gate_bias(*m0, ru->cfg->bias);
  }
  gsl_rng_free(r);
  return st;
}

static void lag_section(grl_lesson *L, const run *runs, const config *cf,
                        size_t ncf, size_t nT, size_t nseed, size_t Tl,
                        int learned_any)
{
  grl_lesson_section(L, "The gradient against lag, before and after training");
  grl_lesson_say(L,
    "Chapter 7's measurement at T = %zu on %d adding sequences, with the\n"
    "readout's direction on h_T: ||dL/dh_{T-k}|| / ||dL/dh_T||, at the\n"
    "initial parameters and at the trained ones of each configuration's\n"
    "first seed.  'keep gate' is the mean over steps, units and sequences\n"
    "of the gate that keeps the old state (gru z, lstm f), at the initial\n"
    "parameters and after training.", Tl, GN_BATCH);
  double *gn = calloc(2 * ncf * Tl, sizeof *gn);
  int st = gn ? GRL_OK : grl_fail(GRL_ENOMEM, "gradient norms: out of memory");
  printf("  %-16s %13s %13s %13s %13s %9s %9s\n", "", "lag T/2", "lag T/2",
         "lag T-1", "lag T-1", "keep gate", "keep gate");
  printf("  %-16s %13s %13s %13s %13s %9s %9s\n", "configuration", "init",
         "trained", "init", "trained", "init", "trained");
  for (size_t c = 0; c < ncf && !st; c++) {
    const run *ru = &runs[(c * nT + nT - 1) * nseed];
    double *init = gn + 2 * c * Tl, *trained = init + Tl;
    grl_model *m0 = NULL;
    st = initial_model(&m0, ru);
    if (!st)
      st = lag_norms(m0, Tl, ru->seed + 1000, init);
    if (!st)
      st = lag_norms(ru->s.m, Tl, ru->seed + 1000, trained);
    if (!st) {
      double k0 = keep_gate(m0, Tl, ru->seed + 1000);
      double k1 = keep_gate(ru->s.m, Tl, ru->seed + 1000);
      char a[16] = "-", b[16] = "-";
      if (!isnan(k0)) {
        snprintf(a, sizeof a, "%.3f", k0);
        snprintf(b, sizeof b, "%.3f", k1);
      }
      printf("  %-16s %13.4g %13.4g %13.4g %13.4g %9s %9s\n", cf[c].name,
             init[Tl / 2], trained[Tl / 2], init[Tl - 1], trained[Tl - 1], a, b);
    }
    grl_model_free(m0);
  }
  if (st) {
    grl_lesson_error(L, st, "gradient against lag");
    free(gn);
    return;
  }
  grl_chart *ch = grl_lesson_chart(L, "lag-trained",
                                   "Gradient norm against lag, before and after training");
  grl_chart_param(ch, "T", "%zu", Tl);
  grl_chart_param(ch, "gradnorm_batch", "%d", GN_BATCH);
  grl_chart_comment(ch, "init_i, trained_i = mean over the batch of ||dL/dh_{T-k}||, ||dL/dh_T|| = 1 (readout direction), first seed");
  char cols[512] = "lag";
  for (size_t c = 0; c < ncf; c++) {
    grl_chart_comment(ch, "series %zu: %s", c, cf[c].name);
    size_t len = strlen(cols);
    snprintf(cols + len, sizeof cols - len, " init_%zu trained_%zu", c, c);
  }
  grl_chart_columns(ch, cols);
  double row[1 + 2 * MAX_CONFIGS];
  for (size_t k = 0; k < Tl; k++) {
    size_t j = 0;
    row[j++] = (double)k;
    for (size_t c = 0; c < ncf; c++) {
      row[j++] = gn[2 * c * Tl + k];
      row[j++] = gn[(2 * c + 1) * Tl + k];
    }
    grl_chart_row(ch, j, row);
  }
  char names[512];
  config_names(names, sizeof names, cf, ncf);
  grl_chart_set(ch, "T", "%zu", Tl);
  grl_chart_set(ch, "nconfig", "%zu", ncf);
  grl_chart_set_text(ch, "config_name", "%s", names);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  {
    char what[768] = "";
    for (size_t c = 0; c < ncf; c++) {
      size_t a = strlen(what);
      snprintf(what + a, sizeof what - a, "%s%s %.2g → %.2g", c ? ", " : "",
               cf[c].name, gn[2 * c * Tl + Tl - 1], gn[(2 * c + 1) * Tl + Tl - 1]);
    }
    grl_lesson_takeaway(L, "lag-trained",
      "The gradient at lag %zu, at initialisation → after training (first"
      " seed): %s.", Tl - 1, what);
  }

  /* What the numbers say, configuration by configuration. */
  for (size_t c = 0; c < ncf; c++) {
    double a0 = gn[2 * c * Tl + Tl - 1], a1 = gn[(2 * c + 1) * Tl + Tl - 1];
    printf("  %-16s gradient at lag %zu: %.3g at init, %.3g trained (%s)\n",
           cf[c].name, Tl - 1, a0, a1,
           a1 > 1e-3 ? (a0 > 1e-3 ? "alive before and after" : "alive now, > 1e-3")
           : a1 < a0 ? "dead, and smaller than at init" : "dead, < 1e-3");
  }
  if (learned_any)
    grl_lesson_say(L,
      "A configuration whose gradient at lag %zu is alive after training\n"
      "gets a signal from the first marker; one whose gradient is dead\n"
      "cannot learn to keep that marker's value, however long it trains.",
      Tl - 1);
  else
    grl_lesson_say(L,
      "No configuration learned the task in this run (see the verdicts),\n"
      "so these trained parameters say little about what training does.");
  free(gn);
}

/*
### Verdicts, and the lesson in order
*/

/* "learned it" ... from the seeds' test MSEs, q_k = mse_k / (1/6). */
static const char *verdict(const double *mse, size_t n, char *buf, size_t len)
{
  size_t learned = 0, base = 0;
  for (size_t k = 0; k < n; k++) {
    double q = mse[k] / (1.0 / 6);
    learned += q < 0.1;
    base += q >= 0.8;
  }
  if (learned == n)
    snprintf(buf, len, "learned it: every seed below a tenth of the baseline");
  else if (learned)
    snprintf(buf, len, "learned it in %zu of %zu seeds (below a tenth of the baseline)", learned, n);
  else if (base == n)
    snprintf(buf, len, "at the baseline in every seed (test MSE >= 0.8 of it)");
  else if (base == 0)
    snprintf(buf, len, "below the baseline in every seed, but not a tenth of it");
  else
    snprintf(buf, len, "below 0.8 of the baseline in %zu of %zu seeds, none at a tenth", n - base, n);
  return buf;
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;   /* --help, --charts: 0; a bad option: 2 */
#ifdef _OPENMP
  if (opt_threads)
    omp_set_num_threads((int)opt_threads);
#endif

  const size_t steps = opt_steps ? opt_steps : (L.quick ? 150 : 3000);
  const size_t H = opt_H ? opt_H : (L.quick ? 16 : 32);
  const size_t nseed = opt_seeds ? opt_seeds : 3;
  /* One length by default: three seeds of five configurations at T = 100
   * as well would not fit the 3 minutes this chapter may take on a
   * 2-core machine (README: measured times); --seq-len 100 runs it. */
  size_t Ts[MAX_LENGTHS] = {opt_length ? opt_length : (L.quick ? 20 : 50)}, nT = 1;
  const size_t w = steps >= 5 * SMOOTH ? SMOOTH : (steps / 5 ? steps / 5 : 1);
  grl_lesson_param(&L, "steps", "%zu", steps);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "B", "%d", BATCH);
  grl_lesson_param(&L, "cells", "%s", opt_cells);
  grl_lesson_param(&L, "seeds", "%zu", nseed);

/*
## 1. The adding problem

The task.
*/
  grl_lesson_section(&L, "The adding problem");
  grl_lesson_say(&L,
    "Input at step t: (v_t, m_t), v_t ~ U[0,1], m_t = 1 at one step of each\n"
    "half (Hochreiter and Schmidhuber 1997; this is the form of Arjovsky,\n"
    "Shah and Bengio 2016).  Target after the last step: y = sum_t m_t v_t.\n"
    "One sequence of the generator, and the statistics the baseline rests\n"
    "on, each a Monte-Carlo estimate beside its exact value and its\n"
    "standard error (SE = sample sd / sqrt(n)):");
  {
    enum { NSEQ = 2000 };
    grl_task *t = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int st = r ? grl_task_alloc(&t, "adding", Ts[0], NSEQ)
               : grl_fail(GRL_ENOMEM, "rng: out of memory");
    double *y = st ? NULL : malloc(2 * NSEQ * sizeof *y);
    if (!st && !y)
      st = grl_fail(GRL_ENOMEM, "out of memory");
    if (!st) {
      gsl_rng_set(r, L.seed);
      grl_task_sample(t, r);
      double *e2 = y + NSEQ;
      for (size_t b = 0; b < NSEQ; b++) {
        y[b] = gsl_matrix_get(t->y, b, 0);
        e2[b] = (y[b] - 1) * (y[b] - 1);
      }
      printf("  sequence 0, T = %zu: markers at steps t =", Ts[0]);
      for (size_t k = 0; k < t->T; k++)
        if (gsl_matrix_get(t->x, k * t->B, 1) == 1.0)
          printf(" %zu (v = %.4f)", k + 1, gsl_matrix_get(t->x, k * t->B, 0));
      printf(", target y = %.4f\n", gsl_matrix_get(t->y, 0, 0));
      double m1 = gsl_stats_mean(y, 1, NSEQ), s1 = gsl_stats_sd(y, 1, NSEQ) / sqrt(NSEQ);
      double m2 = gsl_stats_mean(e2, 1, NSEQ), s2 = gsl_stats_sd(e2, 1, NSEQ) / sqrt(NSEQ);
      printf("  %-34s = %.5f  exact %.5f  error % .1e = %+.2f SE  (SE %.4f)\n",
             "mean target, 2000 sequences", m1, 1.0, m1 - 1.0, (m1 - 1.0) / s1, s1);
      printf("  %-34s = %.5f  exact %.5f  error % .1e = %+.2f SE  (SE %.4f)\n",
             "MSE of always answering 1", m2, 1.0 / 6, m2 - 1.0 / 6,
             (m2 - 1.0 / 6) / s2, s2);
      grl_lesson_expect(&L, fabs(m1 - 1.0) < 4 * s1 && fabs(m2 - 1.0 / 6) < 4 * s2,
                        "both estimates within 4 SE of their exact values");
      printf("  (the test MSE below is over 1000 sequences: its SE at the baseline\n"
             "   is about %.4f, the sd of (y-1)^2 over sqrt(1000))\n",
             gsl_stats_sd(e2, 1, NSEQ) / sqrt(1000.0));
    }
    if (st)
      grl_lesson_error(&L, st, "the adding problem");
    free(y);
    grl_task_free(t);
    if (r)
      gsl_rng_free(r);
  }

/*
## 2. The configurations and their sizes

What is trained.
*/
  grl_lesson_section(&L, "The configurations and their sizes");
  config cf[MAX_CONFIGS];
  const size_t ncf = make_configs(cf, H);
  grl_lesson_say(&L,
    "Each net: the cell, a linear readout (H weights and a bias), the MSE,\n"
    "batches of %d, Adam (lr 1e-3), clip to global norm 1, %zu steps, then\n"
    "the MSE on %d fresh test sequences.  b_f=1: the LSTM's forget bias set\n"
    "to 1 (b_if = 1, b_hf = 0) after PyTorch's draw, the rest unchanged.",
    BATCH, steps, TEST_SEQS);
  printf("  %-16s %6s %11s\n", "configuration", "H", "parameters");
  for (size_t c = 0; c < ncf; c++)
    printf("  %-16s %6zu %11zu\n", cf[c].name, cf[c].H, cf[c].nparam);

/*
## 3. Training: every configuration, length and seed
*/
  grl_lesson_section(&L, "Training: every configuration, length and seed");
  const size_t n = ncf * nT * nseed;
  run *runs = calloc(n, sizeof *runs);
  if (!runs) {
    grl_lesson_error(&L, GRL_ENOMEM, "runs");
    return grl_lesson_end(&L);
  }
  for (size_t c = 0; c < ncf; c++)
    for (size_t l = 0; l < nT; l++)
      for (size_t k = 0; k < nseed; k++) {
        run *r = &runs[(c * nT + l) * nseed + k];
        r->cfg = &cf[c];
        r->T = Ts[l];
        r->seed_index = k;
        r->seed = L.seed + k;
      }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  grl_lesson_say(&L,
    "%zu runs (seeds %lu..%lu for each), trained in parallel, one BLAS\n"
    "thread each; a run's numbers do not depend on the thread count.", n,
    L.seed, L.seed + nseed - 1);
  fflush(stdout);
  /* SIGINT or SIGTERM: every run finishes the step under way, then the
   * chapter stops without a chart; a second signal stops it at once. */
  grl_stop_catch(chapter.name);
  double t0 = grl_seconds();
  train_all(runs, n, steps);
  double wall = grl_seconds() - t0;
  if (grl_stop_signal) {
    size_t finished = 0, lo = steps, hi = 0;
    for (size_t i = 0; i < n; i++) {
      if (runs[i].status == GRL_OK && runs[i].s.done == steps) {
        finished++;
        continue;
      }
      lo = runs[i].s.done < lo ? runs[i].s.done : lo;
      hi = runs[i].s.done > hi ? runs[i].s.done : hi;
    }
    if (finished == n)
      fprintf(stderr, "%s: interrupted by %s: all %zu runs finished; no chart written\n",
              chapter.name, grl_stop_name(), n);
    else
      fprintf(stderr, "%s: interrupted by %s: %zu of %zu runs finished, the others "
              "stopped after step %zu to %zu of %zu; no chart written\n",
              chapter.name, grl_stop_name(), finished, n, lo, hi, steps);
    for (size_t i = 0; i < n; i++)
      grl_session_free(&runs[i].s);
    free(runs);
    return grl_stop_status();
  }
  int all_ok = 1;
  for (size_t i = 0; i < n; i++)
    if (runs[i].status) {
      char what[120];
      snprintf(what, sizeof what, "training %s at T=%zu, seed %lu: %s",
               runs[i].cfg->name, runs[i].T, runs[i].seed, runs[i].error);
      grl_lesson_expect(&L, 0, what);
      all_ok = 0;
    }
  if (!all_ok) {
    for (size_t i = 0; i < n; i++)
      grl_session_free(&runs[i].s);
    free(runs);
    return grl_lesson_end(&L);
  }

/*
## 4. Results: test MSE of every seed

The table.
*/
  grl_lesson_section(&L, "Results: test MSE of every seed");
  printf("  %-16s %4s", "configuration", "T");
  for (size_t k = 0; k < nseed; k++)
    printf("   seed %-3lu", L.seed + k);
  printf(" %10s %10s\n", "mean", "sd");
  double cpu = 0;
  int learned_any = 0;
  double first_loss = 0;
  size_t mean_step = 0;
  for (size_t c = 0; c < ncf; c++)
    for (size_t l = 0; l < nT; l++) {
      double mse[MAX_SEEDS];
      printf("  %-16s %4zu", cf[c].name, Ts[l]);
      for (size_t k = 0; k < nseed; k++) {
        const run *r = &runs[(c * nT + l) * nseed + k];
        mse[k] = r->s.test;
        first_loss += r->s.log[0].loss;
        /* the first step whose smoothed loss is below 0.2: the mean learned */
        size_t s = 0;
        while (s < r->s.done && smoothed(r, s, w) >= 0.2)
          s++;
        mean_step = s + 1 > mean_step ? s + 1 : mean_step;
        printf(" %10.5f", mse[k]);
      }
      printf(" %10.5f %10.5f\n", gsl_stats_mean(mse, 1, nseed),
             nseed > 1 ? gsl_stats_sd(mse, 1, nseed) : 0.0);
    }
  first_loss /= (double)n;
  printf("  baseline (always answer 1): %.4f; one tenth of it: %.4f\n", 1.0 / 6, 1.0 / 60);
  printf("  (sd: the sample standard deviation over the %zu seeds)\n", nseed);
  /* Wall-clock time: the one part of the output that changes run to run. */
  for (size_t c = 0; c < ncf; c++)
    for (size_t l = 0; l < nT; l++) {
      double secs = 0;
      for (size_t k = 0; k < nseed; k++)
        secs += runs[(c * nT + l) * nseed + k].s.seconds;
      cpu += secs;
      printf("  time %-16s T = %3zu: %6.1f s per run (wall, mean over seeds)\n",
             cf[c].name, Ts[l], secs / (double)nseed);
    }
  printf("  time all %zu runs: %.1f s of training, %.1f s end to end on %d threads\n",
         n, cpu, wall, threads);

  grl_lesson_say(&L, "Verdicts, from the test MSEs above (a tenth of the baseline is 0.0167):");
  for (size_t c = 0; c < ncf; c++)
    for (size_t l = 0; l < nT; l++) {
      double mse[MAX_SEEDS];
      size_t learned = 0;
      for (size_t k = 0; k < nseed; k++) {
        mse[k] = runs[(c * nT + l) * nseed + k].s.test;
        learned += mse[k] < 1.0 / 60;
      }
      learned_any |= learned > 0;
      char buf[120];
      printf("  %-16s T = %3zu %s\n", cf[c].name, Ts[l], verdict(mse, nseed, buf, sizeof buf));
    }
  if (L.quick)
    grl_lesson_say(&L,
      "--quick trains %zu steps at T = %zu: too short to learn the task, so\n"
      "these verdicts say nothing about what the cells can do.\n"
      "The default run (3000 steps at T = 50, three seeds) is the one that\n"
      "can separate them: run the chapter without --quick.",
      steps, Ts[0]);
  if (mean_step <= steps)
    grl_lesson_say(&L,
      "Every run starts at a loss of about %.2f (the mean first-batch loss:\n"
      "the untrained readout answers about 0, and E[y^2] = 1 + 1/6) and its\n"
      "smoothed loss is below 0.2, near the baseline 1/6, by step %zu in every\n"
      "run: that is the readout learning to answer the mean, not the task.\n"
      "Only a loss below the baseline shows memory.", first_loss, mean_step);
  else
    grl_lesson_say(&L,
      "Every run starts at a loss of about %.2f (the mean first-batch loss:\n"
      "the untrained readout answers about 0, and E[y^2] = 1 + 1/6); not\n"
      "every run's smoothed loss got below 0.2 (near the baseline 1/6) in\n"
      "%zu steps.  Falling to the baseline is the readout learning to answer\n"
      "the mean, not the task; only a loss below it shows memory.",
      first_loss, steps);
  learning_chart(&L, runs, cf, ncf, Ts, nT, nseed, steps, w, first_loss, mean_step);

/*
## 5. The gradient against lag, before and after training

The gradient against lag, after training (`lag_section`, above, prints
this section).
*/
  lag_section(&L, runs, cf, ncf, nT, nseed, Ts[nT - 1], learned_any);

  for (size_t i = 0; i < n; i++)
    grl_session_free(&runs[i].s);
  free(runs);
  return grl_lesson_end(&L);
}
