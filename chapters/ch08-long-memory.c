/*
# Chapter 8: Learning a long dependency: the adding problem

**Prerequisites:** chapter 7 §1-§4 (the gradient against lag, the
gates that keep it, and the LSTM's forget gate and its bias), chapter 6 §3, §5, §7, §8 (the adding problem with
its two baselines, Adam, clipping, and a GRU's first training on it),
chapter 4 (BPTT), chapter 3 §7 (the LSTM), chapter 2 §2 (a gate's memory).

Chapter 7 showed that at initialisation the gradient of a tanh RNN dies
within a few dozen steps, and that a gate near 1 keeps it alive.  Here the
cells have to *use* that: they learn the adding problem of chapter 6 §3,
whose answer depends on two inputs up to $T$ steps back, and we watch who
gets past its two baselines.

### What you will learn

1. How to judge a run on the adding problem (defined, with its generator
   and both baselines, in chapter 6 §3).  A net with no memory scores
   $1/6$; a net that keeps only the second marker, which sits in the
   last $T/2$ steps, scores $1/12$.  So falling to about $1/12$ needs a
   memory of at most $T/2$ steps, and only a test MSE below $1/12$ shows
   that a net carries something of the first marker's value, which sits
   $T/2$ to $T - 1$ steps back, to the end.  How far back it must reach
   depends on how far below: §1 computes it (at $T = 50$, a net that
   remembers perfectly up to $L$ steps back and nothing beyond needs
   $L \ge 26$ to be clearly below $1/12$, but $L \ge 45$ to reach
   $1/60$).
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
   three seeds (`--seeds`), and every comparison rests on all of them,
   with the mean and the spread printed: the test MSE, the step at which
   each run's smoothed loss first goes below $1/12$ (when it starts to
   carry the first marker), and how fast the loss still falls over the
   last part of the training.  What a run of 3000 steps cannot show --
   where the curves would end -- it says it cannot.
4. After training, the gradient against lag once more (chapter 7's
   measurement, `grl_gradnorm_run`, with the readout's direction), and the
   mean of the gate that keeps the state, before and after, for every
   seed.

Every run is one `grl_session_run` -- what `grulab train` does:

    grulab train --task adding --cell gru --seq-len 50 --seed 5

reproduces the GRU's first seed at $T = 50$ (same initial parameters,
batches and 1000 test sequences).  The runs are independent, so they run
in parallel (OpenMP, one BLAS thread each); the output does not depend on
the number of threads.

### Run it

    chapters/ch08-long-memory                  T = 50, 3 seeds (measured once:
                                               1082 s of training CPU time,
                                               9 min end to end on 2 shared
                                               cores; the run prints its own)
    chapters/ch08-long-memory --seq-len 100    T = 100 (about twice as long)
    chapters/ch08-long-memory --cells rnn,gru  skip the LSTM (faster)
    chapters/ch08-long-memory --threads 1      one core (same output)
    chapters/ch08-long-memory --quick          tiny: too short to learn

### Charts

- `ch08-learning-curves`: smoothed training loss (mean of the last 50
  batch losses) against step, linear in the step: the mean over the seeds
  and the band from the lowest to the highest seed, (a) the three cells
  and (b) the LSTM three ways, with the levels 1/6 (no memory), 1/12 (the
  second marker only) and 1/60; each key gives the factor by which the
  loss still fell per 1000 steps at the end ("flat": some seed's loss
  was not significantly falling).  The RNN is drawn dash-dot, and the
  LSTM with forget bias 1 at the GRU's parameter count in a rose of its
  own, dashed.
- `ch08-lag-trained`: $\|∂L/∂s_{T-k}\|$ against lag $k$, before and after
  training (one seed, the first, named in the title: an illustration;
  the table of §5 gives every seed), where the state $s$ is $h$ for the RNN and the GRU
  and $(h, c)$ for the LSTM.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"
#include "grl_stop.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
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

enum { MAX_CONFIGS = 8, MAX_SEEDS = 10, SMOOTH = 50,
       BATCH = 50, TEST_SEQS = 1000, GN_BATCH = 32, ONSET_GAP = 200 };

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
static int ex1_answer(double *v)   /* knows u_1: E[(u_2 - 1/2)^2] = Var(u_2) */
{
  *v = 1.0 / 12.0;
  return GRL_OK;
}

static int ex2_answer(double *v)   /* GRU with I = 2, H = 20 and a readout */
{
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_gru, 2, 20, 1);
  if (rc)
    return rc;
  *v = (double)m->n;
  grl_model_free(m);
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"A net keeps only the FIRST marker's value u_1 and nothing of the second.\n"
   "What is the lowest mean squared error its answer can reach (as a\n"
   "decimal)?\n"
   "(Chapter 6 §3 derives the level of a net that keeps only the second.)\n"
   "Why does this chapter still say that going below 1/12 needs the first\n"
   "marker?",
   ex1_answer, 0.01, 0},
  {"How many parameters does a GRU with two inputs, H = 20 and a readout\n"
   "of H weights and one bias have?  Count by hand, then check your\n"
   "formula against §2's table at H = 32.",
   ex2_answer, 0.001, 1},
  {"Train the tanh RNN and the GRU four times longer, at T = 50:\n"
   "`chapters/ch08-long-memory --cells rnn,gru --steps 12000` (six runs,\n"
   "about as long as the default run).  Does the RNN now get below 1/12,\n"
   "and at which step against the GRU?  Compare its gradient at lag 49 after\n"
   "training with the GRU's and with the default run's.  What do 3000\n"
   "steps, and 12000, tell you about whether a tanh RNN can learn this\n"
   "task, and what can neither tell you?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch08-long-memory",
  .title = "Learning a long dependency: the adding problem",
  .summary =
    "Chapter 8 trains a tanh RNN, a GRU and an LSTM (with PyTorch's forget\n"
    "bias and with forget bias 1, at the GRU's H and at the GRU's parameter\n"
    "count) on chapter 6's adding problem at T = 50 (--seq-len), three\n"
    "seeds each, with the same batches, Adam and clipping for all.  It\n"
    "prints the test MSE of every seed with mean and spread, verdicts\n"
    "against the levels 1/6 (no memory), 1/12 (the second marker only) and\n"
    "1/60, when each run's loss first went below 1/12 and 1/60, how fast it\n"
    "still falls at the end, learning curves, and the gradient against lag\n"
    "after training for every seed.  The runs are trained in parallel, one\n"
    "per core; the output does not depend on --threads.",
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
  char name[40];     /* "lstm b_f=1 H=27", for tables and chart keys */
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

static double item_cost(const void *r)
{
  return run_cost(r);
}

/* One run: its own generators, model, trainer and log, so that the
 * threads share nothing and every run's bytes are those of a run alone. */
static void train_item(void *item, void *arg)
{
  run *r = item;
  const size_t steps = *(const size_t *)arg;
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
}

/* Trains every run, in parallel, the longest first; on a terminal,
 * "k/n runs trained" on stderr (chapters/lib/grl_lesson.h). */
static void train_all(run *runs, size_t n, size_t steps)
{
  grl_lesson_run_parallel(runs, n, sizeof *runs, item_cost, train_item, &steps);
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

/* A configuration's colour: style.gp's book-wide name for it. */
/* The H of the first configuration: the LSTM at another H is the
 * parameter-matched one, drawn in a colour and dash of its own. */
static size_t config_H0;

static const char *config_colour(const config *c)
{
  if (c->cell == &grl_cell_lstm)
    return isnan(c->bias) ? "c_lstm" : c->H != config_H0 ? "c_lstm_f1_pc" : "c_lstm_f1";
  if (c->cell == &grl_cell_gru)
    return "c_gru";
  if (c->cell == &grl_cell_rnn)
    return "c_rnn";
  const char *name = grl_cell_name(c->cell);
  if (!strcmp(name, "gru-cho"))
    return "c_gru_cho";
  if (!strcmp(name, "seed"))
    return "c_seed";
  if (!strcmp(name, "mgu"))
    return "c_mgu";
  return "c_ref2";
}

/* What each run's curve says, measured once (see §4):
 *   below12, below60  the first step (from the first full smoothing
 *                     window) at which its smoothed loss is below 1/12,
 *                     1/60; 0 if never
 *   factor, factor_se the factor by which its loss falls per 1000 steps
 *                     over the last third of the training: 10^(1000 b),
 *                     b the least-squares slope of log10(batch loss)
 *                     against step; factor_se: the factor 10^(1000 se(b))
 *   falling           1 if b is more than 2 of its standard errors below 0 */
typedef struct {
  size_t below12, below60, fit_from;
  double factor, slope, slope_se;
  int falling;
} curve_facts;

static void curve_measure(const run *ru, size_t w, size_t fit_from,
                          curve_facts *f)
{
  const size_t n = ru->s.done;
  memset(f, 0, sizeof *f);
  for (size_t i = w ? w - 1 : 0; i < n; i++) {
    double v = smoothed(ru, i, w);
    if (!f->below12 && v < 1.0 / 12)
      f->below12 = i + 1;
    if (!f->below60 && v < 1.0 / 60)
      f->below60 = i + 1;
  }
  f->factor = f->slope = f->slope_se = NAN;
  /* a run that started to learn late would put its onset in the fit:
   * fit from ONSET_GAP steps after it went below 1/12, if that is later */
  if (f->below12 && f->below12 + ONSET_GAP > fit_from)
    fit_from = f->below12 + ONSET_GAP;
  f->fit_from = fit_from;
  if (fit_from < 1 || n < fit_from + 9)   /* fewer than 10 points: no fit */
    return;
  const size_t m = n - fit_from + 1;
  double *x = malloc(2 * m * sizeof *x), *y = x ? x + m : NULL;
  if (!x)
    return;
  for (size_t k = 0; k < m; k++) {
    x[k] = (double)(fit_from + k);
    y[k] = log10(ru->s.log[fit_from - 1 + k].loss);
  }
  double c0, c1, cov00, cov01, cov11, sumsq;
  if (!gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)) {
    f->slope = c1;
    f->slope_se = sqrt(cov11);
    f->factor = pow(10.0, 1000.0 * c1);
    f->falling = c1 < -2.0 * f->slope_se;
  }
  free(x);
}

/* runs[c * nseed + k] is configuration c, seed k (one length T). */
static void learning_chart(grl_lesson *L, const run *runs, const config *cf,
                           size_t ncf, size_t T, size_t nseed, size_t steps,
                           size_t w, size_t fit_from, const double *factor,
                           const int *flat_of, double first_loss, size_t mean_step)
{
  grl_chart *ch = grl_lesson_chart(L, "learning-curves",
                                   "Adding problem: smoothed training loss against step");
  /* steps, H, B, cells and seeds are the run's parameters, already in
   * every chart's header; only what is this chart's own is added */
  grl_chart_param(ch, "optimizer", "adam lr=0.001 clip=1");
  grl_chart_param(ch, "smoothing", "mean of the last %zu batch losses", w);
  grl_chart_comment(ch, "smoothed loss of one run at step s = mean of its batch MSEs of steps s-%zu+1 .. s", w);
  grl_chart_comment(ch, "mean_i, lo_i, hi_i = mean, lowest and highest over the seeds of configuration i's smoothed loss");
  char cols[1024] = "step";
  for (size_t c = 0; c < ncf; c++) {
    grl_chart_comment(ch, "configuration %zu: %s at T=%zu (%zu parameters); loss factor per 1000 steps over steps %zu-%zu: %.4g (mean of the seeds' fits)",
                      c, cf[c].name, T, cf[c].nparam, fit_from, steps, factor[c]);
    size_t len = strlen(cols);
    snprintf(cols + len, sizeof cols - len, " mean_%zu lo_%zu hi_%zu", c, c, c);
  }
  grl_chart_columns(ch, cols);
  double *row = malloc((1 + 3 * ncf) * sizeof *row);
  size_t rows = steps;
  for (size_t i = 0; i < ncf * nseed; i++)
    if (runs[i].s.done < rows)
      rows = runs[i].s.done;
  for (size_t s = 0; row && s < rows; s++) {
    size_t j = 0;
    row[j++] = (double)(s + 1);
    for (size_t c = 0; c < ncf; c++) {
      double sum = 0, lo = INFINITY, hi = -INFINITY;
      for (size_t k = 0; k < nseed; k++) {
        double v = smoothed(&runs[c * nseed + k], s, w);
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
  /* what the template needs: the configurations' names, colours, dashes,
   * panels and end factors.  Panel (a): the cells as PyTorch initialises
   * them; panel (b), when the LSTM runs with forget bias 1 too: the LSTM's
   * variants (the plain LSTM in both). */
  char names[512], lc[256] = "", dt[64] = "", panel[64] = "", fac[256] = "", flat[64] = "";
  int variants = 0;
  for (size_t c = 0; c < ncf; c++)
    variants |= cf[c].cell == &grl_cell_lstm && !isnan(cf[c].bias);
  config_names(names, sizeof names, cf, ncf);
  for (size_t c = 0; c < ncf; c++) {
    const int lstm = cf[c].cell == &grl_cell_lstm;
    const char *in = !variants ? "a" : !lstm ? "a" : isnan(cf[c].bias) ? "ab" : "b";
    const int dashed = lstm && !isnan(cf[c].bias) && cf[c].H != cf[0].H;
    const int rnn = cf[c].cell == &grl_cell_rnn;   /* dash-dot: not the LSTM's hue alone */
    size_t a = strlen(lc);
    snprintf(lc + a, sizeof lc - a, "%s%s", c ? " " : "", config_colour(&cf[c]));
    a = strlen(dt);
    snprintf(dt + a, sizeof dt - a, "%s%d", c ? " " : "", dashed ? 2 : rnn ? 4 : 1);
    a = strlen(panel);
    snprintf(panel + a, sizeof panel - a, "%s%s", c ? " " : "", in);
    a = strlen(flat);
    snprintf(flat + a, sizeof flat - a, "%s%d", c ? " " : "", flat_of ? flat_of[c] : 0);
    a = strlen(fac);
    if (isnan(factor[c]))
      snprintf(fac + a, sizeof fac - a, "%s-", c ? " " : "");
    else
      snprintf(fac + a, sizeof fac - a, "%s%.3g", c ? " " : "", factor[c]);
  }
  grl_chart_set(ch, "T", "%zu", T);
  grl_chart_set(ch, "nseed", "%zu", nseed);
  grl_chart_set(ch, "npanel", "%d", variants ? 2 : 1);
  grl_chart_set(ch, "nconfig", "%zu", ncf);
  grl_chart_set(ch, "last_step", "%zu", rows);
  grl_chart_set(ch, "fit_from", "%zu", fit_from);
  grl_chart_set(ch, "first_loss", "%.4g", first_loss);
  grl_chart_set(ch, "mean_step", "%zu", mean_step);
  grl_chart_set(ch, "batch", "%d", BATCH);
  grl_chart_set(ch, "smooth", "%zu", w);
  grl_chart_set_text(ch, "config_name", "%s", names);
  grl_chart_set_text(ch, "config_lc", "%s", lc);
  grl_chart_set_text(ch, "config_dt", "%s", dt);
  grl_chart_set_text(ch, "config_panel", "%s", panel);
  grl_chart_set_text(ch, "config_factor", "%s", fac);
  grl_chart_set_text(ch, "config_flat", "%s", flat);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  if (rows > 0) {
    char what[768] = "";
    for (size_t c = 0; c < ncf; c++) {
      double sum = 0;
      for (size_t k = 0; k < nseed; k++)
        sum += smoothed(&runs[c * nseed + k], rows - 1, w);
      size_t a = strlen(what);
      snprintf(what + a, sizeof what - a, "%s%s %.3g (×%.2f per 1000 steps at the end)",
               c ? ", " : "", cf[c].name, sum / (double)nseed, factor[c]);
    }
    grl_lesson_takeaway(L, "learning-curves",
      "Smoothed training loss at step %zu, T = %zu, mean of %zu seeds (no"
      " memory scores 1/6 ≈ 0.167, the second marker alone 1/12 ≈ 0.083): %s.",
      rows, T, nseed, what);
  }
}

/* The smallest memory L (steps back) with which a net that knows u_1
 * perfectly when its lag is at most L, and answers its mean beyond,
 * scores below level: (1/12) P(lag > L), the lag uniform on T - T/2 ..
 * T - 1.  T - 1 + 1 = T if even a perfect memory is not enough. */
static size_t reach(size_t T, double level)
{
  const size_t half = T / 2;
  for (size_t L = 0; L < T; L++) {
    size_t beyond = 0;   /* lags T - 1 - i > L, i = 0 .. half - 1 */
    for (size_t i = 0; i < half; i++)
      beyond += T - 1 - i > L;
    if ((double)beyond / (double)half / 12.0 < level)
      return L;
  }
  return T;
}

/*
### The gradient against lag, and the keep gate, before and after
*/

/* Mean of the fraction of the state kept (gru z, lstm and seed f: the
 * cell's keep_gate) over a batch of adding sequences and every step; NAN
 * if the cell has none.  *held: how many units keep more than KEEP_HIGH
 * of their state on average (each unit's mean over steps and sequences). */
#define KEEP_HIGH 0.9
static double keep_gate(const grl_model *m, size_t T, unsigned long seed,
                        size_t *held)
{
  *held = 0;
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
      const size_t rows = grl_seq_cache(s)->size1;
      sum = 0;
      /* gate k is cache columns [k*H, (k+1)*H) of every row t*B+b */
      for (size_t j = 0; j < H; j++) {
        double u = 0;
        for (size_t i = 0; i < rows; i++)
          u += gsl_matrix_get(grl_seq_cache(s), i, k * H + j);
        u /= (double)rows;
        if (c->keep_sign < 0)   /* the gate is the fraction written */
          u = 1.0 - u;
        *held += u > KEEP_HIGH;
        sum += u;
      }
      sum /= (double)H;
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

static int find_config(const config *cf, size_t ncf, const grl_cell *cell,
                       double bias, size_t H);

static void lag_section(grl_lesson *L, const run *runs, const config *cf,
                        size_t ncf, size_t nseed, size_t Tl, size_t steps)
{
  grl_lesson_section(L, "The gradient against lag, before and after training");
  grl_lesson_say(L,
    "Chapter 7's measurement at T = %zu on %d adding sequences, with the\n"
    "readout's direction on the last state: ||dL/ds_{T-k}|| / ||dL/ds_T||,\n"
    "where the state s is h (rnn, gru) or the pair (h, c) (lstm), at the\n"
    "initial parameters and at the trained ones, for every seed.  'keep\n"
    "gate' is the mean over steps, units and sequences of the gate that\n"
    "keeps the old state (gru z, lstm f), at the initial parameters and\n"
    "after training; 'units > 0.9': how many of the H units keep more than\n"
    "0.9 of their state on average.", Tl, GN_BATCH);
  /* gn[((c * nseed + k) * 2 + 0 or 1) * Tl + lag]: init, trained */
  double *gn = calloc(2 * ncf * nseed * Tl, sizeof *gn);
  /* kg[(c * nseed + k) * 4 + 0..3]: mean keep gate init, trained; units
   * above KEEP_HIGH init, trained (NAN: no keep gate) */
  double *kg = malloc(4 * ncf * nseed * sizeof *kg);
  int st = gn && kg ? GRL_OK : grl_fail(GRL_ENOMEM, "gradient norms: out of memory");
  for (size_t i = 0; kg && i < 4 * ncf * nseed; i++)
    kg[i] = NAN;
  printf("  %-16s %4s %11s %11s %11s %11s %9s %9s %13s\n", "", "", "lag T/2", "lag T/2",
         "lag T-1", "lag T-1", "keep gate", "keep gate", "units > 0.9");
  printf("  %-16s %4s %11s %11s %11s %11s %9s %9s %6s %6s\n", "configuration", "seed", "init",
         "trained", "init", "trained", "init", "trained", "init", "train");
  for (size_t c = 0; c < ncf && !st; c++)
    for (size_t k = 0; k < nseed && !st; k++) {
      const run *ru = &runs[c * nseed + k];
      double *init = gn + (c * nseed + k) * 2 * Tl, *trained = init + Tl;
      grl_model *m0 = NULL;
      st = initial_model(&m0, ru);
      if (!st)
        st = lag_norms(m0, Tl, ru->seed + 1000, init);
      if (!st)
        st = lag_norms(ru->s.m, Tl, ru->seed + 1000, trained);
      if (!st) {
        size_t h0, h1;
        double k0 = keep_gate(m0, Tl, ru->seed + 1000, &h0);
        double k1 = keep_gate(ru->s.m, Tl, ru->seed + 1000, &h1);
        char a[16] = "-", b[16] = "-", ha[16] = "-", hb[16] = "-";
        if (!isnan(k0)) {
          snprintf(a, sizeof a, "%.3f", k0);
          snprintf(b, sizeof b, "%.3f", k1);
          snprintf(ha, sizeof ha, "%zu", h0);
          snprintf(hb, sizeof hb, "%zu", h1);
          kg[(c * nseed + k) * 4 + 0] = k0;
          kg[(c * nseed + k) * 4 + 1] = k1;
          kg[(c * nseed + k) * 4 + 2] = (double)h0;
          kg[(c * nseed + k) * 4 + 3] = (double)h1;
        }
        printf("  %-16s %4lu %11.3g %11.3g %11.3g %11.3g %9s %9s %6s %6s\n", k ? "" : cf[c].name,
               ru->seed, init[Tl / 2], trained[Tl / 2], init[Tl - 1], trained[Tl - 1], a, b,
               ha, hb);
      }
      grl_model_free(m0);
    }
  if (st) {
    grl_lesson_error(L, st, "gradient against lag");
    free(gn);
    free(kg);
    return;
  }
  char title[128];
  snprintf(title, sizeof title,
           "Gradient against lag, before and after training (seed %lu only)", runs[0].seed);
  grl_chart *ch = grl_lesson_chart(L, "lag-trained", title);
  grl_chart_param(ch, "T", "%zu", Tl);
  grl_chart_param(ch, "gradnorm_batch", "%d", GN_BATCH);
  grl_chart_comment(ch, "init_i, trained_i = mean over the batch of ||dL/ds_{T-k}||, ||dL/ds_T|| = 1 (readout direction), s = h (rnn, gru) or (h, c) (lstm); first seed (%lu) only: the table of section 5 gives every seed",
                    runs[0].seed);
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
      row[j++] = gn[(c * nseed) * 2 * Tl + k];
      row[j++] = gn[(c * nseed) * 2 * Tl + Tl + k];
    }
    grl_chart_row(ch, j, row);
  }
  char names[512], lc[256] = "", dt[64] = "";
  config_names(names, sizeof names, cf, ncf);
  for (size_t c = 0; c < ncf; c++) {
    size_t a = strlen(lc);
    snprintf(lc + a, sizeof lc - a, "%s%s", c ? " " : "", config_colour(&cf[c]));
    a = strlen(dt);
    snprintf(dt + a, sizeof dt - a, "%s%d", c ? " " : "",
             cf[c].cell == &grl_cell_lstm && !isnan(cf[c].bias) && cf[c].H != cf[0].H ? 2
             : cf[c].cell == &grl_cell_rnn ? 4 : 1);
  }
  grl_chart_set(ch, "T", "%zu", Tl);
  grl_chart_set(ch, "seed", "%lu", runs[0].seed);
  grl_chart_set(ch, "nconfig", "%zu", ncf);
  grl_chart_set_text(ch, "config_name", "%s", names);
  grl_chart_set_text(ch, "config_lc", "%s", lc);
  grl_chart_set_text(ch, "config_dt", "%s", dt);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  {
    char what[768] = "";
    for (size_t c = 0; c < ncf; c++) {
      size_t a = strlen(what);
      snprintf(what + a, sizeof what - a, "%s%s %.2g → %.2g", c ? ", " : "",
               cf[c].name, gn[(c * nseed) * 2 * Tl + Tl - 1],
               gn[(c * nseed) * 2 * Tl + 2 * Tl - 1]);
    }
    grl_lesson_takeaway(L, "lag-trained",
      "The gradient at lag %zu, at initialisation → after training (seed %lu,"
      " one run per configuration; the chapter's table gives every seed): %s.",
      Tl - 1, runs[0].seed, what);
  }

  /* What the numbers say, configuration by configuration, over the seeds. */
  size_t ndead = 0;
  for (size_t c = 0; c < ncf; c++) {
    size_t alive = 0;
    double lo0 = INFINITY, hi0 = 0, lo1 = INFINITY, hi1 = 0;
    for (size_t k = 0; k < nseed; k++) {
      const double *g = gn + (c * nseed + k) * 2 * Tl;
      double a0 = g[Tl - 1], a1 = g[2 * Tl - 1];
      alive += a1 > 1e-3;
      lo0 = fmin(lo0, a0);
      hi0 = fmax(hi0, a0);
      lo1 = fmin(lo1, a1);
      hi1 = fmax(hi1, a1);
    }
    ndead += alive == 0;
    printf("  %-16s gradient at lag %zu: %.2g..%.2g at init, %.2g..%.2g trained;"
           " above 1e-3 after training in %zu of %zu seeds\n",
           cf[c].name, Tl - 1, lo0, hi0, lo1, hi1, alive, nseed);
  }
  if (ndead)
    grl_lesson_say(L,
      "A configuration whose gradient at lag %zu is still below 1e-3 after\n"
      "%zu steps got almost no signal from the first marker in those steps.\n"
      "Whether more steps would revive it, this run cannot say: it\n"
      "measured %zu steps, not more (exercise 3 trains the RNN four times\n"
      "longer).",
      Tl - 1, steps, steps);

  /* The keep gate's mean hides the units that keep: per gated
   * configuration, the mean and the count of units above KEEP_HIGH. */
  for (size_t c = 0; c < ncf; c++) {
    double m0 = INFINITY, m0h = 0, m1 = INFINITY, m1h = 0, g1 = INFINITY;
    double h0 = INFINITY, h0h = 0, h1 = INFINITY, h1h = 0;
    for (size_t k = 0; k < nseed; k++) {
      const double *q = kg + (c * nseed + k) * 4;
      if (isnan(q[0]))
        break;
      m0 = fmin(m0, q[0]); m0h = fmax(m0h, q[0]);
      m1 = fmin(m1, q[1]); m1h = fmax(m1h, q[1]);
      h0 = fmin(h0, q[2]); h0h = fmax(h0h, q[2]);
      h1 = fmin(h1, q[3]); h1h = fmax(h1h, q[3]);
      g1 = fmin(g1, gn[(c * nseed + k) * 2 * Tl + 2 * Tl - 1]);
    }
    if (isinf(m0) || c != (size_t)find_config(cf, ncf, cf[c].cell, NAN, cf[0].H)
        || !(g1 > 1e-3))
      continue;   /* no keep gate, not the cell as PyTorch draws it, or
                   * no gradient left at lag T-1 to explain */
    grl_lesson_say(L,
      "\n%s: the mean keep gate goes from %.2f..%.2f to %.2f..%.2f, far from 1;\n"
      "the keep path alone, at %.2f per step, would pass %.1e of a gradient\n"
      "over %zu steps.  Yet its gradient at lag %zu after training is at\n"
      "least %.2g.  The units that keep more than %.1f of their state on\n"
      "average: %.0f..%.0f of %zu at init, %.0f..%.0f after training.",
      cf[c].name, m0, m0h, m1, m1h, m1h, pow(m1h, (double)(Tl - 1)), Tl - 1,
      Tl - 1, g1, KEEP_HIGH, h0, h0h, cf[c].H, h1, h1h);
    if (h1 > h0h)
      grl_lesson_say(L,
        "The mean hides them: training set a few units to keep nearly all of\n"
        "their state, and a long gradient can pass through those while the\n"
        "others write freely; a mean over all units says little about memory.");
    else
      grl_lesson_say(L,
        "Training did not raise the count in every seed, so neither the mean\n"
        "nor this count explains the gradient: both average the gate over all\n"
        "steps, and a gate may be near 1 only where it matters (between the\n"
        "markers) -- a per-step look, which this chapter does not take.");
  }

  /* Trained gradients above 1: chapter 7's decay is about initialisation. */
  double gmax = 0;
  size_t cmax = 0, kmax = 0, lmax = 0;
  for (size_t c = 0; c < ncf; c++)
    for (size_t k = 0; k < nseed; k++)
      for (size_t l = 0; l < Tl; l++) {
        const double v = gn[(c * nseed + k) * 2 * Tl + Tl + l];
        if (v > gmax) {
          gmax = v;
          cmax = c;
          kmax = k;
          lmax = l;
        }
      }
  if (gmax > 1.0)
    grl_lesson_say(L,
      "\nTrained gradients can exceed 1: the largest here is %.3g (%s, seed\n"
      "%lu, lag %zu), larger than at the last state itself.  Chapter 7\n"
      "measured the initial parameters, where the gradient only decays with\n"
      "lag; a trained net has learned that the first marker matters to the\n"
      "loss, so the loss can be more sensitive to a state far back than to\n"
      "the last one.  The decay of chapter 7 is a property of the untrained\n"
      "nets, not a law of the cells.",
      gmax, cf[cmax].name, runs[cmax * nseed + kmax].seed, lmax);
  free(gn);
  free(kg);
}

/*
### Verdicts, and the lesson in order
*/

/* The verdict on one configuration, from its seeds' test MSEs alone,
 * against the levels of section 1: below 1/60 (solved), more than 2 SE
 * below 1/12 (the first marker is carried), at or above 0.8 of 1/6 (no
 * memory to speak of). */
static const char *verdict(const double *mse, size_t n, double below12,
                           char *buf, size_t len)
{
  size_t solved = 0, first = 0, base = 0;
  for (size_t k = 0; k < n; k++) {
    solved += mse[k] < 1.0 / 60;
    first += mse[k] < below12;
    base += mse[k] >= 0.8 / 6;
  }
  if (first == n && solved == n)
    snprintf(buf, len, "below 1/60 in every seed: solved, first marker carried");
  else if (first == n)
    snprintf(buf, len, "below 1/12 in every seed (first marker carried); below 1/60 in %zu of %zu",
             solved, n);
  else if (first)
    snprintf(buf, len, "below 1/12 in %zu of %zu seeds (below 1/60 in %zu); at the no-memory level in %zu",
             first, n, solved, base);
  else if (base == n)
    snprintf(buf, len, "at the no-memory level 1/6 in every seed (test MSE >= 0.8 of it)");
  else if (base == 0)
    snprintf(buf, len, "below 0.8 of 1/6 in every seed, but none below 1/12: no sign of the first marker");
  else
    snprintf(buf, len, "below 0.8 of 1/6 in %zu of %zu seeds, none below 1/12", n - base, n);
  return buf;
}

/* Mean and sample sd of the n values v[k] (sd 0 for one value). */
static void mean_sd(const double *v, size_t n, double *m, double *sd)
{
  *m = gsl_stats_mean(v, 1, n);
  *sd = n > 1 ? gsl_stats_sd(v, 1, n) : 0.0;
}

/* The index of the configuration of cell with that bias (NAN: PyTorch's)
 * at hidden size H, or -1. */
static int find_config(const config *cf, size_t ncf, const grl_cell *cell,
                       double bias, size_t H)
{
  for (size_t c = 0; c < ncf; c++)
    if (cf[c].cell == cell && cf[c].H == H
        && (isnan(bias) ? isnan(cf[c].bias) : cf[c].bias == bias))
      return (int)c;
  return -1;
}

/* The step a seed first went below a target, appended to the table's
 * cell buf ("never" if it did not), and kept in vals[(*n)++] if it did. */
static void append_step(char *buf, size_t size, size_t step, double *vals,
                        size_t *n)
{
  size_t l = strlen(buf);
  if (!step) {
    snprintf(buf + l, size - l, " never");
    return;
  }
  snprintf(buf + l, size - l, "%6zu", step);
  vals[(*n)++] = (double)step;
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
  /* One length: three seeds of five configurations at T = 100 as well
   * would not fit the 3 minutes this chapter may take on a 2-core machine
   * (README: measured times); --seq-len 100 runs T = 100 instead. */
  const size_t T = opt_length ? opt_length : (L.quick ? 20 : 50);
  const size_t w = steps >= 5 * SMOOTH ? SMOOTH : (steps / 5 ? steps / 5 : 1);
  grl_lesson_param(&L, "steps", "%zu", steps);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "B", "%d", BATCH);
  grl_lesson_param(&L, "cells", "%s", opt_cells);
  grl_lesson_param(&L, "seeds", "%zu", nseed);

/*
## 1. The task, and the levels that judge a run

The adding problem is chapter 6 §3's, generator and all: `grl_task_sample`
draws the same sequences here, at $T = 50$ unless `--seq-len` says
otherwise.  A run is judged by its MSE on 1000 fresh test sequences,
against chapter 6 §3's two baselines, $1/6$ (no memory) and $1/12$ (the
second marker only), and against $1/60$, a tenth of the first, where the
task counts as solved.

How far apart two test MSEs must be follows from the spread of one
sequence's squared error.  At the no-memory answer the error is
$s = u_1 + u_2 - 1$, triangular on $[-1, 1]$, with $\mathbb E[s^4] =
2(\frac15 - \frac16) = \frac1{15}$, so $\operatorname{Var}(s^2) =
\frac1{15} - \frac1{36} = \frac7{180}$.  With the second marker only it is
$w = u_1 - \frac12$, uniform on $[-\frac12, \frac12]$, with
$\mathbb E[w^4] = \frac1{80}$, so $\operatorname{Var}(w^2) = \frac1{80} -
\frac1{144} = \frac1{180}$.  Over $n = 1000$ sequences the standard errors
are $\sqrt{7/180/n}$ and $\sqrt{1/180/n}$.  A run counts as below $1/12$
-- carrying the first marker -- only when its test MSE is more than 2 SE
below it.

How far back does that reach?  The first marker sits at a step $i$
uniform on $0 .. T/2 - 1$, so its lag from the last step, $T - 1 - i$,
is uniform on $T - T/2 .. T - 1$ (25 to 49 at $T = 50$).  A net that
remembers $u_1$ perfectly when it is at most $L$ steps back, and answers
its mean beyond, scores $\frac1{12} P(\text{lag} > L)$.  `reach`, below,
finds the smallest $L$ that brings this under a level: under the cut, a
memory somewhat past $T/2$ is enough; only $1/60$ needs nearly $T - 1$.
*/
  grl_lesson_section(&L, "The task, and the levels that judge a run");
  const double se6 = sqrt(7.0 / 180.0 / TEST_SEQS), se12 = sqrt(1.0 / 180.0 / TEST_SEQS);
  grl_lesson_say(&L,
    "The adding problem of chapter 6 §3 (its generator, its baselines) at\n"
    "T = %zu.  Each run's test MSE, on %d fresh sequences, is judged against:",
    T, TEST_SEQS);
  printf("  %-48s %8.5f  (SE of a %d-sequence MSE there: %.5f)\n",
         "1/6   no memory (always answer 1)", 1.0 / 6, TEST_SEQS, se6);
  printf("  %-48s %8.5f  (SE %.5f)\n",
         "1/12  the second marker only (answer 1/2 + u_2)", 1.0 / 12, se12);
  printf("  %-48s %8.5f\n", "1/60  a tenth of 1/6: solved", 1.0 / 60);
  const size_t L12 = reach(T, 1.0 / 12 - 2 * se12), L60 = reach(T, 1.0 / 60);
  grl_lesson_say(&L,
    "Below 1/12 means below %.5f (1/12 - 2 SE): the run carries something\n"
    "of the first marker's value, %zu to %zu steps back, to the end.  How\n"
    "far back: a net that remembers u_1 perfectly up to L steps back and\n"
    "nothing beyond scores (1/12) P(lag > L); that is below %.5f from\n"
    "L = %zu, and below 1/60 only from L = %zu.  So a score under the cut\n"
    "shows a memory of at least %zu steps, not necessarily %zu; only\n"
    "one under 1/60 shows it reaching nearly the whole sequence.  Between\n"
    "the cut and 0.8 of 1/6 (%.4f) a run beats having no memory, but need\n"
    "not hold anything longer than T/2 = %zu steps.",
    1.0 / 12 - 2 * se12, T - T / 2, T - 1, 1.0 / 12 - 2 * se12, L12, L60,
    L12, T - 1, 0.8 / 6, T / 2);

/*
## 2. The configurations and their sizes

What is trained.
*/
  grl_lesson_section(&L, "The configurations and their sizes");
  config cf[MAX_CONFIGS];
  const size_t ncf = make_configs(cf, H);
  config_H0 = H;
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
## 3. Training: every configuration and seed
*/
  grl_lesson_section(&L, "Training: every configuration and seed");
  const size_t n = ncf * nseed;
  run *runs = calloc(n, sizeof *runs);
  if (!runs) {
    grl_lesson_error(&L, GRL_ENOMEM, "runs");
    return grl_lesson_end(&L);
  }
  for (size_t c = 0; c < ncf; c++)
    for (size_t k = 0; k < nseed; k++) {
      run *r = &runs[c * nseed + k];
      r->cfg = &cf[c];
      r->T = T;
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
## 4. Results: every seed, and what the curves say

The test MSE of every run, its mean and spread over the seeds, and a
verdict from those numbers alone against the levels of §1.  Then what the
training curves say beyond the end point: the step at which each run's
smoothed loss first went below $1/12$ (it starts to carry the first
marker) and below $1/60$, and whether it was still falling at the end.
For the last, a straight line is fitted to $\log_{10}$ of the batch losses
over the last third of the steps; its slope $b$ gives the factor
$10^{1000 b}$ by which the loss falls per 1000 steps, and a run counts as
still falling when $b$ is more than 2 of its standard errors below 0.
*/
  grl_lesson_section(&L, "Results: every seed, and what the curves say");
  const double below12 = 1.0 / 12 - 2 * se12;
  printf("  %-16s", "test MSE");
  for (size_t k = 0; k < nseed; k++)
    printf("   seed %-3lu", L.seed + k);
  printf(" %10s %10s\n", "mean", "sd");
  double cpu = 0;
  double first_loss = 0;
  size_t mean_step = 0;
  double mse_m[MAX_CONFIGS], mse_sd[MAX_CONFIGS];
  for (size_t c = 0; c < ncf; c++) {
    double mse[MAX_SEEDS];
    printf("  %-16s", cf[c].name);
    for (size_t k = 0; k < nseed; k++) {
      const run *r = &runs[c * nseed + k];
      mse[k] = r->s.test;
      first_loss += r->s.log[0].loss;
      /* the first step whose smoothed loss is below 0.2: the mean learned */
      size_t s = 0;
      while (s < r->s.done && smoothed(r, s, w) >= 0.2)
        s++;
      mean_step = s + 1 > mean_step ? s + 1 : mean_step;
      printf(" %10.5f", mse[k]);
    }
    mean_sd(mse, nseed, &mse_m[c], &mse_sd[c]);
    printf(" %10.5f %10.5f\n", mse_m[c], mse_sd[c]);
  }
  first_loss /= (double)n;
  printf("  levels: 1/6 = %.4f (no memory), 1/12 = %.4f (second marker only;\n"
         "  below it means below %.4f), 1/60 = %.4f (solved)\n",
         1.0 / 6, 1.0 / 12, below12, 1.0 / 60);
  printf("  (T = %zu; sd: the sample standard deviation over the %zu seeds)\n", T, nseed);
  /* Wall-clock time: the one part of the output that changes run to run. */
  for (size_t c = 0; c < ncf; c++) {
    double secs = 0;
    for (size_t k = 0; k < nseed; k++)
      secs += runs[c * nseed + k].s.seconds;
    cpu += secs;
    printf("  time %-16s T = %3zu: %6.1f s per run (wall, mean over seeds)\n",
           cf[c].name, T, secs / (double)nseed);
  }
  printf("  time all %zu runs: %.1f s of training, %.1f s end to end on %d threads\n",
         n, cpu, wall, threads);

  grl_lesson_say(&L, "Verdicts, from the test MSEs above:");
  for (size_t c = 0; c < ncf; c++) {
    double mse[MAX_SEEDS];
    for (size_t k = 0; k < nseed; k++)
      mse[k] = runs[c * nseed + k].s.test;
    char buf[160];
    printf("  %-16s %s\n", cf[c].name, verdict(mse, nseed, below12, buf, sizeof buf));
  }
  if (L.quick)
    grl_lesson_say(&L,
      "--quick trains %zu steps at T = %zu: too short to learn the task, so\n"
      "these verdicts, and the comparisons below, say nothing about what the\n"
      "cells can do.  The default run (3000 steps at T = 50, three seeds)\n"
      "is the one that can separate them: run the chapter without --quick.",
      steps, T);
  if (mean_step <= steps)
    grl_lesson_say(&L,
      "Every run starts at a loss of about %.2f (the mean first-batch loss:\n"
      "the untrained readout answers about 0, and E[y^2] = 1 + 1/6) and its\n"
      "smoothed loss is below 0.2, near 1/6, by step %zu in every run: that\n"
      "is the readout learning to answer the mean, not the task.",
      first_loss, mean_step);
  else
    grl_lesson_say(&L,
      "Every run starts at a loss of about %.2f (the mean first-batch loss:\n"
      "the untrained readout answers about 0, and E[y^2] = 1 + 1/6); not\n"
      "every run's smoothed loss got below 0.2 (near 1/6) in %zu steps.\n"
      "Falling to 1/6 is the readout learning to answer the mean, not the task.",
      first_loss, steps);

  /* What each curve says beyond its end point. */
  const size_t fit_from = steps - steps / 3 + 1;
  curve_facts *facts = calloc(n, sizeof *facts);
  double factor_m[MAX_CONFIGS];
  int flat_m[MAX_CONFIGS] = {0};   /* 1: some seed's fit is not falling */
  if (!facts) {
    grl_lesson_error(&L, GRL_ENOMEM, "curves");
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    curve_measure(&runs[i], w, fit_from, &facts[i]);
  grl_lesson_say(&L,
    "\nThe first step at which each run's smoothed loss (mean of %zu batch\n"
    "losses, counted from step %zu) is below 1/12 and below 1/60, and the\n"
    "factor by which its loss falls per 1000 steps over steps %zu-%zu (a\n"
    "least-squares fit of log10 of the batch losses; < 1: falling).  A run\n"
    "that went below 1/12 less than %d steps before step %zu, or later, is\n"
    "fitted from %d steps after that (marked +), so that its onset of\n"
    "learning is not in the fit:",
    w, w, fit_from, steps, ONSET_GAP, fit_from, ONSET_GAP);
  printf("  %-16s %-22s %14s   %-22s %14s   %s\n", "", "below 1/12, by seed", "mean (sd)",
         "below 1/60, by seed", "mean (sd)", "factor per 1000 steps, by seed");
  size_t nfalling = 0, nlearned = 0, nflat = 0;
  double fall_lo = INFINITY, fall_hi = 0;
  for (size_t c = 0; c < ncf; c++) {
    const curve_facts *f = &facts[c * nseed];
    char a12[96] = "", a60[96] = "", fc[128] = "", m12[48] = "-", m60[48] = "-";
    double v12[MAX_SEEDS], v60[MAX_SEEDS], fm = 0;
    size_t n12 = 0, n60 = 0;
    for (size_t k = 0; k < nseed; k++) {
      append_step(a12, sizeof a12, f[k].below12, v12, &n12);
      append_step(a60, sizeof a60, f[k].below60, v60, &n60);
      size_t l = strlen(fc);
      if (isnan(f[k].factor))
        snprintf(fc + l, sizeof fc - l, " %7s", "-");
      else
        snprintf(fc + l, sizeof fc - l, " %c%c%6.3f", f[k].fit_from > fit_from ? '+' : ' ',
                 f[k].falling ? ' ' : '*', f[k].factor);
      fm += f[k].factor / (double)nseed;
      flat_m[c] |= !isnan(f[k].factor) && !f[k].falling;
      if (f[k].below12) {
        nlearned++;
        nfalling += f[k].falling;
        if (f[k].falling) {
          fall_lo = fmin(fall_lo, f[k].factor);
          fall_hi = fmax(fall_hi, f[k].factor);
        }
      } else
        nflat++;
    }
    factor_m[c] = fm;
    double m, sd;
    if (n12 == nseed) {
      mean_sd(v12, n12, &m, &sd);
      snprintf(m12, sizeof m12, "%.0f (%.0f)", m, sd);
    } else if (n12)
      snprintf(m12, sizeof m12, "%zu of %zu", n12, nseed);
    if (n60 == nseed) {
      mean_sd(v60, n60, &m, &sd);
      snprintf(m60, sizeof m60, "%.0f (%.0f)", m, sd);
    } else if (n60)
      snprintf(m60, sizeof m60, "%zu of %zu", n60, nseed);
    printf("  %-16s %-22s %14s   %-22s %14s   %s\n", cf[c].name, a12, m12, a60, m60, fc);
  }
  grl_lesson_say(&L,
    "(*: not falling -- its fitted slope is not 2 standard errors below 0;\n"
    "-: fewer than 10 steps to fit.  mean (sd): over the seeds, when every\n"
    "seed got there; else how many did.)");
  if (nlearned && !L.quick) {
    if (nfalling == nlearned)
      grl_lesson_say(&L,
        "Every run that went below 1/12 (%zu of %zu) is still falling at step\n"
        "%zu, by a factor of %.2f to %.2f per 1000 steps: the test MSEs above\n"
        "are where %zu steps got, not where these cells would end.",
        nlearned, n, steps, fall_lo, fall_hi, steps);
    else
      grl_lesson_say(&L,
        "Of the %zu runs that went below 1/12, %zu are still falling at step\n"
        "%zu (by a factor of %.2f to %.2f per 1000 steps): for those the test\n"
        "MSEs above are where %zu steps got, not where they would end.",
        nlearned, nfalling, steps, fall_lo, fall_hi, steps);
  }

  /* The GRU against the LSTM: when learning starts, and how fast it goes. */
  const int ig = find_config(cf, ncf, &grl_cell_gru, NAN, H);
  const int il = find_config(cf, ncf, &grl_cell_lstm, NAN, H);
  const int i1 = find_config(cf, ncf, &grl_cell_lstm, 1.0, H);
  if (ig >= 0 && il >= 0 && !L.quick) {
    double sg[MAX_SEEDS], sl[MAX_SEEDS];
    size_t D = steps, ok = 1;
    for (size_t k = 0; k < nseed; k++) {
      const curve_facts *fg = &facts[(size_t)ig * nseed + k], *fl = &facts[(size_t)il * nseed + k];
      ok &= fg->below12 && fl->below12;
      if (!ok)
        break;
      sg[k] = (double)fg->below12;
      sl[k] = (double)fl->below12;
      D = GSL_MIN(D, steps - fg->below12);
      D = GSL_MIN(D, steps - fl->below12);
    }
    D = D / 100 * 100;
    if (ok && D >= 100) {
      double mg, sdg, ml, sdl, lg[MAX_SEEDS], ll[MAX_SEEDS], mlg, sdlg, mll, sdll;
      mean_sd(sg, nseed, &mg, &sdg);
      mean_sd(sl, nseed, &ml, &sdl);
      for (size_t k = 0; k < nseed; k++) {
        const run *rg = &runs[(size_t)ig * nseed + k], *rl = &runs[(size_t)il * nseed + k];
        lg[k] = smoothed(rg, (size_t)sg[k] - 1 + D, w);
        ll[k] = smoothed(rl, (size_t)sl[k] - 1 + D, w);
      }
      mean_sd(lg, nseed, &mlg, &sdlg);
      mean_sd(ll, nseed, &mll, &sdll);
      grl_lesson_say(&L,
        "\nThe GRU against the LSTM (both as PyTorch initialises them):\n"
        "  first below 1/12 at step      gru %6.0f (sd %4.0f)   lstm %6.0f (sd %4.0f)\n"
        "  smoothed loss %4zu steps later gru %6.4f (sd %.4f) lstm %6.4f (sd %.4f)",
        mg, sdg, ml, sdl, D, mlg, sdlg, mll, sdll);
      if (ml > mg)
        grl_lesson_say(&L,
          "The LSTM starts to carry the first marker %.0f steps after the GRU.\n"
          "Counted from that start, %zu steps on, the GRU's loss is %.2f times\n"
          "the LSTM's: %s",
          ml - mg, D, mlg / mll,
          mlg / mll > 0.5 && mlg / mll < 2
            ? "once started they fall at a similar pace, so in this run\n"
              "the GRU's lead is mostly in when learning starts."
            : mlg < mll
              ? "the GRU also falls faster once started, so its lead is in\n"
                "when learning starts and in how fast it goes."
              : "the LSTM falls faster once started; the GRU's lead is in\n"
                "when learning starts.");
    }
  }

  /* Forget bias 1 against PyTorch's draw, and the parameter-matched LSTM. */
  if (il >= 0 && i1 >= 0 && !L.quick && nseed > 1) {
    /* Welch's t test on the two sets of test MSEs */
    const double n_ = (double)nseed, d = mse_m[i1] - mse_m[il];
    const double v1 = mse_sd[i1] * mse_sd[i1] / n_, v0 = mse_sd[il] * mse_sd[il] / n_;
    const double se = sqrt(v1 + v0);
    const double t = se > 0 ? d / se : 0.0;
    const double df = v1 + v0 > 0
      ? (v1 + v0) * (v1 + v0) / (v1 * v1 / (n_ - 1) + v0 * v0 / (n_ - 1)) : n_ - 1;
    const double p = se > 0 ? 2.0 * gsl_cdf_tdist_Q(fabs(t), df) : 1.0;
    grl_lesson_say(&L,
      "\nForget bias 1 (Jozefowicz et al. 2015 recommend it): mean test MSE\n"
      "%.5f (sd %.5f), against %.5f (sd %.5f) with PyTorch's draw\n"
      "around 0: a difference of %+.2g, Welch's t = %.2f on %.1f degrees of\n"
      "freedom, two-sided p = %.3f (%zu seeds each).",
      mse_m[i1], mse_sd[i1], mse_m[il], mse_sd[il], d, t, df, p, nseed);
    /* and the curves: when each first went below 1/12 and 1/60 */
    double b12[2] = {0, 0}, b60[2] = {0, 0};
    size_t got = 0;
    for (size_t k = 0; k < nseed; k++) {
      const curve_facts *f1 = &facts[(size_t)i1 * nseed + k], *f0 = &facts[(size_t)il * nseed + k];
      got += f1->below60 && f0->below60;
      b12[0] += (double)f1->below12 / n_;
      b12[1] += (double)f0->below12 / n_;
      b60[0] += (double)f1->below60 / n_;
      b60[1] += (double)f0->below60 / n_;
    }
    if (p >= 0.05)
      grl_lesson_say(&L,
        "With %zu seeds each the two are not distinguishable at the 5%% level\n"
        "in %zu steps; if anything forget bias 1 is %s at the end point.",
        nseed, steps, d > 0 ? "worse" : "better");
    else
      grl_lesson_say(&L,
        "Forget bias 1 is %s at the end point (p < 0.05, %zu seeds each).",
        d > 0 ? "worse, not better," : "better", nseed);
    if (got == nseed)
      grl_lesson_say(&L,
        "Along the way (means over the seeds): first below 1/12 at step %.0f\n"
        "with forget bias 1 against %.0f, below 1/60 at %.0f against %.0f --\n"
        "%s (by %.0f and %.0f steps).",
        b12[0], b12[1], b60[0], b60[1],
        (b12[0] <= b12[1]) == (b60[0] <= b60[1])
          ? (b12[0] <= b12[1] ? "forget bias 1 gets to each level first"
                              : "forget bias 1 gets to each level later")
          : "the order changes between the two levels",
        fabs(b12[0] - b12[1]), fabs(b60[0] - b60[1]));
  }
  for (size_t c = 0; c < ncf && !L.quick; c++)
    if (cf[c].cell == &grl_cell_lstm && cf[c].H != H) {
      size_t solved = 0, first = 0;
      double worst = 0;
      for (size_t k = 0; k < nseed; k++) {
        double v = runs[c * nseed + k].s.test;
        solved += v < 1.0 / 60;
        first += v < below12;
        worst = fmax(worst, v);
      }
      grl_lesson_say(&L,
        "At the GRU's parameter count (%s: %zu parameters, the\n"
        "GRU's %zu) the LSTM is below 1/60 in %zu of %zu seeds and below 1/12\n"
        "in %zu; its worst seed scores %.4f.", cf[c].name, cf[c].nparam,
        ig >= 0 ? cf[ig].nparam : param_count(&grl_cell_gru, H), solved, nseed,
        first, worst);
    }
  (void)nflat;
  learning_chart(&L, runs, cf, ncf, T, nseed, steps, w, fit_from, factor_m,
                 flat_m, first_loss, mean_step);

/*
## 5. The gradient against lag, before and after training

The gradient against lag, after training (`lag_section`, above, prints
this section), for every seed; the chart draws the first seed's.
*/
  lag_section(&L, runs, cf, ncf, nseed, T, steps);

out:
  free(facts);
  for (size_t i = 0; i < n; i++)
    grl_session_free(&runs[i].s);
  free(runs);
  return grl_lesson_end(&L);
}
