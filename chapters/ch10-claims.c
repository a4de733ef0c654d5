/*
# Chapter 10: The article's remaining claims, measured on text

**Prerequisites:** chapter 3 §1 (the article's f/i/o cell), chapter 3 §3
(the MGU, between the LSTM and the GRU), chapter 3 §7 (the LSTM), chapter 6 §5 (the optimisers), chapter 8 (long memory on the
adding problem), chapter 9 (the text task, bpc, truncated BPTT).

The source article makes four claims no earlier chapter has put to a
measurement.  This chapter trains character-level language models on
GSL's headers (chapter 9's task) and measures each one:

- §1.2: a GRU's performance "depends on the choice of gates, the design
  of the network structure, and the training strategy and optimisation
  algorithm";
- §5: a bigger network "may overfit the training data and needs better
  regularisation";
- Q&A: the GRU's "simple structure and efficient computation" against the
  LSTM's "stronger ability to capture long dependencies";
- §5: "the computational cost is still large".

### What you will learn

1. How much the optimiser matters on real text: SGD, momentum, RMSprop,
   Adam and Adagrad (min-char-rnn's choice), each at the best rate of a
   small sweep, and how sensitive each is to its rate.
2. What overfitting looks like (training bpc falls while validation bpc
   turns up) and how much early stopping, weight decay, dropout and
   variational dropout recover.
3. Whether a second layer beats one at the same parameter count.
4. The cost of a GRU against an LSTM: parameters and flops per byte from
   the formulas
   $n = G H (V + H) + 2 G H + V H + V$ for one layer and its readout
   (checked against the model's own count), and the time per step,
   forward and backward, measured; then which is better at an equal
   parameter count and at an equal training time.
5. Which gates matter: the article's f/i/o cell, a plain RNN, the GRU,
   the LSTM and the MGU on the same text at equal parameters.

Every comparison runs three seeds (`--seeds`), trained in parallel (one
BLAS thread each), and prints the mean and the range (lowest, highest).

### Run it

    chapters/ch10-claims              the default: 81 trainings of H = 46
                                      to 128, 250-400 steps of 32 x 32
                                      bytes; 358 s of CPU time when
                                      measured, two trainings at a time
                                      on 2 cores
    chapters/ch10-claims --quick      seconds: tiny models, 20-30 steps;
                                      too short to separate anything
    chapters/ch10-claims --long       three times the steps: what the
                                      default cannot show about later
                                      training

### Charts

- `ch10-optim-lr`: final validation bpc against the learning rate, one
  curve per optimiser.
- `ch10-optim-curves`: validation bpc against step and against seconds,
  each optimiser at its best rate.
- `ch10-overfit`: training and validation bpc of a big GRU on a small
  slice, with no remedy, weight decay, dropout and variational dropout.
- `ch10-depth`: validation bpc against step, one layer and two.
- `ch10-cells`: validation bpc of five cells at equal parameters, against
  step and against (measured) seconds.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"
#include "grl_stop.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static const char *const charts[] = {
  "optim-lr", "optim-curves", "overfit", "depth", "cells", NULL};

static size_t opt_seeds, opt_threads;
static int opt_long;

static const grl_opt options[] = {
  {"seeds", GRL_OPT_SIZE, &opt_seeds, "N",
   .help = "seeds per configuration, N >= 3 (default 3)", .lo = 3, .hi = 20},
  {"threads", GRL_OPT_SIZE, &opt_threads, "N",
   .help = "trainings run at once (default: one per core)", .lo = 1,
   .hi = 256},
  {"long", GRL_OPT_FLAG, &opt_long, NULL,
   .help = "three times the default's steps"},
  {NULL}};

/* The text task's shape for every run: B streams, windows of T bytes. */
enum { T_BPTT = 32, B_STREAMS = 32, EVAL_BYTES = 32768, SLICE = 65536,
       MAX_SEEDS = 20, NOPT = 5, NLR = 3, NCELL = 6 };
#define CLIP 5.0
#define LR_ADAM 3e-3

/*
### The exercises' answers, computed
*/

/* The GRU's parameter count for the text task at V = 94 (GSL's headers'
 * vocabulary, as the run prints it), H = 64. */
static int ex1_answer(double *v)
{
  const double V = 94, H = 64, G = 3;
  *v = G * H * (V + H) + 2 * G * H + V * H + V;
  return GRL_OK;
}

/* The hidden size of an LSTM with the parameters closest to a GRU's at
 * V = 94, H = 64. */
static int ex2_answer(double *v)
{
  const double V = 94;
  double target = 3 * 64 * (V + 64) + 6 * 64 + V * 64 + V, best = 0, bd = 1e300;
  for (double h = 1; h <= 256; h++) {
    double n = 4 * h * (V + h) + 8 * h + V * h + V;
    if (fabs(n - target) < bd) {
      bd = fabs(n - target);
      best = h;
    }
  }
  *v = best;
  return GRL_OK;
}

static size_t model_params(const grl_cell *cell, size_t V, size_t H, size_t layers);

/* The parameter count `grulab train --task text --layers 2 --hidden-size
 * 46` prints: the model's own count, at the default text's V. */
static int ex3_answer(double *v)
{
  grl_text *t = NULL;
  int st = grl_text_read_glob(&t, GRL_TEXT_DEFAULT_GLOB);
  if (st)
    return st;
  *v = (double)model_params(&grl_cell_gru, t->vocab.V, 46, 2);
  grl_text_free(t);
  return *v > 0 ? GRL_OK : grl_fail(GRL_ENOMEM, "exercise 3: the model");
}

static const grl_exercise exercises[] = {
  {"A GRU reads bytes from GSL's headers, a vocabulary of V = 94 (the default\n"
   "run prints it; --quick's slice has fewer), with H = 64 units and a softmax readout.  How many\n"
   "parameters does it have, readout included?  (Wx is 3H x V, Wh 3H x H,\n"
   "two biases of 3H, Wo V x H, bo V.)",
   ex1_answer, 0, 1},
  {"At V = 94, which hidden size H gives an LSTM (four gate blocks) the\n"
   "parameter count closest to the GRU's of the first exercise?",
   ex2_answer, 0, 1},
  {"Run `grulab train --task text --layers 2 --hidden-size 46 --steps 1`\n"
   "(section 4's two layers).  How many parameters does it print?  Then\n"
   "check it by hand: the second layer reads H inputs, not V.",
   ex3_answer, 0, 1},
  {"Train `grulab train --task text --optimizer adagrad --lr 0.1 --log a.dat`\n"
   "and `--optimizer adam --lr 0.003 --log b.dat` for 800 steps; the logs\n"
   "hold the training bpc at every step.  Which is ahead at step 100, and\n"
   "which at step 800?  Why does Adagrad's step size only shrink?",
   NULL, 0, 0},
  {"Run `chapters/ch10-claims --long`.  Does the gap between the GRU and\n"
   "the LSTM at equal parameters grow or shrink with three times the steps?",
   NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch10-claims",
  .title = "The article's remaining claims, measured on text",
  .summary =
    "Chapter 10 tests the source article's claims about optimisers,\n"
    "overfitting, depth, cost and gate choice on chapter 9's text task\n"
    "(GSL's headers, bits per character on the validation split).  It\n"
    "trains SGD, momentum, RMSprop, Adam and Adagrad over a small\n"
    "learning-rate sweep; a big GRU on a 64 KiB slice without and with\n"
    "early stopping, weight decay and (variational) dropout; one layer\n"
    "against two at equal parameters; and the seed (f/i/o), RNN, GRU,\n"
    "LSTM and MGU cells at\n"
    "equal parameters, with the GRU's and LSTM's parameter counts and\n"
    "flops from the formulas and their time per step measured.  Every\n"
    "comparison runs three seeds in parallel and prints mean and range.\n"
    "The default takes about six minutes of CPU time, two trainings at a\n"
    "time on 2 cores; --quick takes seconds and is too short to separate\n"
    "anything.",
  .charts = charts,
  .seed = 10,
  .opts = options,
};

/*
### One training run, with its validation curve

Every run trains as chapter 9 does (Adam unless said otherwise, the
gradient clipped to norm 5, PyTorch's uniform initialisation from the
seed), cut into chunks of `every` steps; after each chunk the
validation bpc of the range [vfrom, vto) of the text is measured.
*/
typedef struct {
  const grl_cell *cell;
  size_t H, layers;
  const char *opt;
  double lr, wd, dropout;
  grl_dropout_kind kind;
  unsigned long seed;
  size_t steps, every;
  const grl_text *text;
  size_t vfrom, vto;
  /* results */
  int status;               /* GRL_OK, GRL_ENONFINITE (diverged), ...  */
  char error[200];
  size_t nparam, npts;      /* parameters; points of the curve         */
  double *step, *valid, *train, *secs;   /* (npts)                     */
} run;

static double run_cost(const run *r)
{
  const double G = (double)r->cell->G, H = (double)r->H;
  return (double)r->steps * (G * H * H * (double)r->layers + 100.0 * H);
}

static double item_cost(const void *r)
{
  return run_cost(r);
}

static int train_one(run *r)
{
  const grl_text *t = r->text;
  const size_t V = t->vocab.V;
  grl_model *m = NULL;
  grl_source *src = NULL;
  grl_trainer *tr = NULL;
  grl_train_stat *log = NULL;
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  r->npts = r->steps / r->every + 1;
  r->step = calloc(r->npts, sizeof(double));
  r->valid = calloc(r->npts, sizeof(double));
  r->train = calloc(r->npts, sizeof(double));
  r->secs = calloc(r->npts, sizeof(double));
  log = calloc(r->every, sizeof *log);
  int st = g && r->step && r->valid && r->train && r->secs && log
             ? GRL_OK : grl_fail(GRL_ENOMEM, "run: out of memory");
  if (!st)
    st = grl_model_alloc_layers(&m, r->cell, V, r->H, V, r->layers);
  if (!st) {
    r->nparam = m->n;
    gsl_rng_set(g, r->seed);
    grl_model_init_uniform(m, g);
    st = grl_text_source_alloc_layers(&src, t, T_BPTT, B_STREAMS, r->H, r->layers);
  }
  grl_train_config cfg = {.optimizer = r->opt, .lr = r->lr, .clip = CLIP,
                          .batch = B_STREAMS, .stop = &grl_stop_signal,
                          .weight_decay = r->wd, .dropout = r->dropout,
                          .dropout_kind = r->kind};
  if (!st)
    st = grl_trainer_alloc_source(&tr, m, src, &cfg);
  if (!st)
    st = grl_text_evaluate(m, t, T_BPTT, B_STREAMS, r->vfrom, r->vto, &r->valid[0]);
  r->train[0] = NAN;
  double secs = 0;
  size_t k = 1;
  for (; k < r->npts && !st; k++) {
    size_t got = 0;
    double t0 = grl_seconds();
    st = grl_train_run(tr, g, r->every, log, &got, NULL, NULL);
    secs += grl_seconds() - t0;
    r->step[k] = (double)(r->step[k - 1] + (double)got);
    r->secs[k] = secs;
    if (st)
      break;
    double s = 0;
    for (size_t i = 0; i < got; i++)
      s += log[i].loss / (double)got;
    r->train[k] = s;
    st = grl_text_evaluate(m, t, T_BPTT, B_STREAMS, r->vfrom, r->vto, &r->valid[k]);
  }
  /* a diverged run: the rest of its curve is NaN */
  for (; k < r->npts; k++) {
    r->step[k] = (double)(k * r->every);
    r->valid[k] = r->train[k] = NAN;
    r->secs[k] = secs;
  }
  r->status = st;
  if (st)
    snprintf(r->error, sizeof r->error, "%s", grl_strerror());
  free(log);
  grl_trainer_free(tr);
  grl_source_free(src);
  grl_model_free(m);
  if (g)
    gsl_rng_free(g);
  return st;
}

static void run_free(run *r)
{
  free(r->step);
  free(r->valid);
  free(r->train);
  free(r->secs);
}

static void train_item(void *r, void *arg)
{
  (void)arg;
  train_one(r);
}

/* Trains every run, in parallel, the longest first; "k/n runs trained"
 * on a terminal (chapters/lib/grl_lesson.h). */
static void train_all(run *runs, size_t n)
{
  grl_lesson_run_parallel(runs, n, sizeof *runs, item_cost, train_item, NULL);
}

/* Did any run stop on a signal or fail for a reason other than
 * divergence?  Then the lesson stops. */
static int runs_failed(grl_lesson *L, const run *runs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (runs[i].status == GRL_EINTR)
      return GRL_EINTR;
    if (runs[i].status && runs[i].status != GRL_ENONFINITE)
      return grl_lesson_error(L, runs[i].status, runs[i].error), 1;
  }
  return 0;
}

/*
### Mean and range over the seeds
*/
typedef struct {
  double mean, lo, hi;
  size_t n, diverged;   /* values kept; values failed (see fail_bpc) */
} spread;

/* A run whose final bpc is not finite or above the uniform guess, log2 V
 * bits, learned nothing: it "failed".  Set per text (section 1, 3). */
static double fail_bpc = 20;

/* Over the values of v[k*stride], k < n, at most cut bpc; a value not
 * finite or above cut counts as failed. */
static spread spread_cut(const double *v, size_t n, size_t stride, double cut)
{
  spread s = {0, INFINITY, -INFINITY, 0, 0};
  for (size_t k = 0; k < n; k++) {
    double x = v[k * stride];
    if (!isfinite(x) || x > cut) {
      s.diverged++;
      continue;
    }
    s.mean += x;
    s.n++;
    s.lo = fmin(s.lo, x);
    s.hi = fmax(s.hi, x);
  }
  if (s.n)
    s.mean /= (double)s.n;
  else
    s.mean = s.lo = s.hi = NAN;
  return s;
}

/* The charts' curves: only a diverged value (not finite, above 20 bpc)
 * leaves them; a curve starts near log2 V. */
static spread spread_of(const double *v, size_t n, size_t stride)
{
  return spread_cut(v, n, stride, 20);
}

static void print_spread(const char *label, spread s, size_t nseed)
{
  if (s.n == 0)
    printf("  %-38s failed in all %zu seeds\n", label, nseed);
  else if (s.diverged)
    printf("  %-38s %.3f  [%.3f, %.3f]  (%zu of %zu seeds failed)\n", label,
           s.mean, s.lo, s.hi, s.diverged, nseed);
  else
    printf("  %-38s %.3f  [%.3f, %.3f]\n", label, s.mean, s.lo, s.hi);
}

/* The final validation bpc of runs r[0..n). */
static spread final_of(const run *r, size_t n)
{
  double v[MAX_SEEDS];
  for (size_t k = 0; k < n; k++)
    v[k] = r[k].valid[r[k].npts - 1];
  return spread_cut(v, n, 1, fail_bpc);
}

/* The best (lowest) validation bpc along each run's curve, and its step. */
static spread best_of(const run *r, size_t n, double *mean_step)
{
  double v[MAX_SEEDS], st = 0;
  for (size_t k = 0; k < n; k++) {
    v[k] = INFINITY;
    double at = 0;
    for (size_t i = 0; i < r[k].npts; i++)
      if (r[k].valid[i] < v[k]) {
        v[k] = r[k].valid[i];
        at = r[k].step[i];
      }
    st += at / (double)n;
  }
  if (mean_step)
    *mean_step = st;
  return spread_cut(v, n, 1, fail_bpc);
}

/* Did run r fail (the rule of final_of: its final validation bpc is not
 * finite or above fail_bpc)?  A failed run leaves the charts' curves
 * entirely, as it leaves the tables' means. */
static int run_failed(const run *r)
{
  double x = r->valid[r->npts - 1];
  return !isfinite(x) || x > fail_bpc;
}

/* The mean over the seeds of the validation bpc lost over the last
 * quarter of the steps (from the point at 3/4 of the run to the end);
 * failed seeds are left out. */
static double last_quarter_fall(const run *r, size_t n)
{
  double s = 0;
  size_t m = 0;
  for (size_t k = 0; k < n; k++) {
    size_t e = r[k].npts - 1, q = e * 3 / 4;
    double d = r[k].valid[q] - r[k].valid[e];
    if (isfinite(d) && !run_failed(&r[k])) {
      s += d;
      m++;
    }
  }
  return m ? s / (double)m : NAN;
}

/* The training bpc at the end (the batches since the last point). */
static spread train_end_of(const run *r, size_t n)
{
  double v[MAX_SEEDS];
  for (size_t k = 0; k < n; k++)
    v[k] = r[k].train[r[k].npts - 1];
  return spread_cut(v, n, 1, fail_bpc);
}

/* Does the seeds' mean validation curve reach its lowest at the last
 * point? */
static int lowest_at_end(const run *r, size_t n)
{
  const size_t np = r[0].npts;
  double best = INFINITY;
  size_t at = 0;
  for (size_t i = 0; i < np; i++) {
    double m = 0;
    for (size_t k = 0; k < n; k++)
      m += r[k].valid[i] / (double)n;
    if (m < best) {
      best = m;
      at = i;
    }
  }
  return at == np - 1;
}

/* The chance that two sets of n seeds drawn from the same distribution
 * have ranges that do not overlap: 2 / C(2n, n). */
static double apart_by_chance(size_t n)
{
  double c = 1;
  for (size_t i = 1; i <= n; i++)
    c = c * (double)(n + i) / (double)i;
  return 2 / c;
}

/* Two sets of seeds "differ" when their ranges do not overlap. */
static int apart(spread a, spread b)
{
  return a.n && b.n && (a.hi < b.lo || b.hi < a.lo);
}

/* How many of the nseed runs of each series s < ns did not fail, as
 * words ("3 3 2"), for a chart's key. */
static void kept_words(const run *runs, size_t ns, size_t nseed, char *buf,
                       size_t size)
{
  buf[0] = 0;
  for (size_t s = 0; s < ns; s++) {
    size_t m = 0;
    for (size_t k = 0; k < nseed; k++)
      m += !run_failed(&runs[s * nseed + k]);
    snprintf(buf + strlen(buf), size - strlen(buf), "%s%zu", s ? " " : "", m);
  }
}

/* Says in a chart's comment, and to its template as "kept" (words, one
 * per series), how many seeds each series averages: the seeds that did
 * not fail (run_failed). */
static void chart_kept(grl_chart *ch, const run *runs, size_t ns, size_t nseed)
{
  char kept[256];
  kept_words(runs, ns, nseed, kept, sizeof kept);
  grl_chart_comment(ch, "curves: mean, lo, hi over the seeds that did not fail (final bpc finite, at most log2 V = %.3f); seeds kept per series: %s of %zu", fail_bpc, kept, nseed);
  grl_chart_set_text(ch, "kept", "%s", kept);
}

/* Curves of series s = 0..ns-1 (runs[s*nseed + k]) into a chart, one row
 * per point: the step, then per series the kept seeds' mean measured
 * seconds at that point and the mean, lowest and highest bpc (validation, or
 * with train = 1 the training batches' mean since the last point) over
 * the seeds that did not fail (run_failed: the tables' rule), so a chart
 * and its table average the same seeds.  A series whose seeds all failed
 * is -1 (below every axis).  The columns are declared once (declare =
 * 1), before the first block. */
static void chart_curves(grl_chart *ch, const run *runs, size_t ns,
                         size_t nseed, int train, int declare)
{
  const size_t np = runs[0].npts;
  if (declare) {
    char cols[1024] = "step";
    for (size_t s = 0; s < ns; s++)
      snprintf(cols + strlen(cols), sizeof cols - strlen(cols),
               " sec%zu mean%zu lo%zu hi%zu", s, s, s, s);
    grl_chart_columns(ch, cols);
  }
  for (size_t i = train ? 1 : 0; i < np; i++) {
    double row[1 + 4 * 16];
    row[0] = runs[0].step[i];
    for (size_t s = 0; s < ns; s++) {
      double v[MAX_SEEDS], sec = 0, sec_all = 0;
      size_t m = 0;
      for (size_t k = 0; k < nseed; k++) {
        const run *r = &runs[s * nseed + k];
        sec_all += r->secs[i] / (double)nseed;
        if (!run_failed(r)) {
          v[m++] = train ? r->train[i] : r->valid[i];
          sec += r->secs[i];
        }
      }
      /* the seconds too are the kept seeds' (a failed run's steps can be
       * cheaper once it is not finite) */
      sec = m ? sec / (double)m : sec_all;
      spread sp = spread_cut(v, m, 1, INFINITY);
      int ok = m && sp.n == m;
      row[1 + 4 * s] = sec;
      row[2 + 4 * s] = ok ? sp.mean : -1;
      row[3 + 4 * s] = ok ? sp.lo : -1;
      row[4 + 4 * s] = ok ? sp.hi : -1;
    }
    grl_chart_row(ch, 1 + 4 * ns, row);
  }
}

/*
### The cost of one step, measured
*/

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Seconds per training step (T x B bytes) of cell at H: forward alone
 * (the loss, no gradient) and forward plus backward, each the median of
 * five repeats of `reps` calls, one thread; *lo and *hi the fastest and
 * slowest repeat of forward plus backward. */
static int time_step(const grl_cell *cell, size_t V, size_t H, size_t reps,
                     double *fwd, double *flo, double *fhi, double *both, double *lo,
                     double *hi)
{
  double tf[5], tb[5];
  grl_model *m = NULL;
  grl_seq *s = NULL;
  const size_t R = T_BPTT * B_STREAMS;
  unsigned char *in = malloc(R);
  size_t *target = malloc(R * sizeof *target);
  gsl_matrix *logits = gsl_matrix_alloc(R, V), *dlogits = gsl_matrix_alloc(R, V);
  gsl_matrix *dout = gsl_matrix_alloc(R, H);
  double *dtheta = NULL;
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  int st = in && target && logits && dlogits && dout && g ? GRL_OK
           : grl_fail(GRL_ENOMEM, "timing: out of memory");
  if (!st)
    st = grl_model_alloc(&m, cell, V, H, V);
  if (!st && !(dtheta = calloc(m->n, sizeof *dtheta)))
    st = grl_fail(GRL_ENOMEM, "timing: out of memory");
  if (!st)
    st = grl_seq_alloc(&s, m, T_BPTT, B_STREAMS);
  if (!st) {
    gsl_rng_set(g, 1);
    grl_model_init_uniform(m, g);
    for (size_t i = 0; i < R; i++) {
      in[i] = (unsigned char)gsl_rng_uniform_int(g, V);
      target[i] = gsl_rng_uniform_int(g, V);
    }
  }
  for (int rep = 0; rep < 5 && !st; rep++) {
    double loss, t0 = grl_seconds();
    for (size_t k = 0; k < reps && !st; k++)
      st = grl_text_loss(m, NULL, s, in, target, NULL, NULL, logits, &loss, NULL,
                         NULL, NULL, NULL, NULL);
    tf[rep] = (grl_seconds() - t0) / (double)reps;
    t0 = grl_seconds();
    for (size_t k = 0; k < reps && !st; k++)
      st = grl_text_loss(m, NULL, s, in, target, NULL, NULL, logits, &loss, dtheta,
                         dlogits, dout, NULL, NULL);
    tb[rep] = (grl_seconds() - t0) / (double)reps;
  }
  if (!st) {
    qsort(tf, 5, sizeof *tf, by_value);
    qsort(tb, 5, sizeof *tb, by_value);
    *fwd = tf[2];
    *flo = tf[0];
    *fhi = tf[4];
    *both = tb[2];
    *lo = tb[0];
    *hi = tb[4];
  }
  grl_seq_free(s);
  grl_model_free(m);
  free(in);
  free(target);
  free(dtheta);
  if (logits) gsl_matrix_free(logits);
  if (dlogits) gsl_matrix_free(dlogits);
  if (dout) gsl_matrix_free(dout);
  if (g)
    gsl_rng_free(g);
  return st;
}

/* The parameter count of the formula: layer 0 reads the one-hot byte
 * (I = V), a layer above reads H; every layer has G blocks of W_x, W_h and
 * two biases (PyTorch's b_ih and b_hh); the readout is V x H plus V. */
static size_t formula_params(size_t G, size_t V, size_t H, size_t layers)
{
  size_t n = G * H * (V + H) + 2 * G * H;
  for (size_t l = 1; l < layers; l++)
    n += G * H * (H + H) + 2 * G * H;
  return n + V * H + V;
}

/* The model's own count, by allocating it. */
static size_t model_params(const grl_cell *cell, size_t V, size_t H, size_t layers)
{
  grl_model *m = NULL;
  if (grl_model_alloc_layers(&m, cell, V, H, V, layers))
    return 0;
  size_t n = m->n;
  grl_model_free(m);
  return n;
}

/* The hidden size whose parameter count is closest to target. */
static size_t h_for(const grl_cell *cell, size_t V, size_t layers, size_t target)
{
  size_t best = 1, bd = (size_t)-1;
  for (size_t h = 2; h <= 512; h++) {
    size_t n = model_params(cell, V, h, layers);
    size_t d = n > target ? n - target : target - n;
    if (n && d < bd) {
      bd = d;
      best = h;
    }
    if (n > 2 * target)
      break;
  }
  return best;
}

/* Linear interpolation of run r's validation curve at step x (NaN past
 * its end). */
static double valid_at_step(const run *r, double x)
{
  for (size_t i = 1; i < r->npts; i++)
    if (x <= r->step[i]) {
      double a = (x - r->step[i - 1]) / (r->step[i] - r->step[i - 1]);
      return r->valid[i - 1] + a * (r->valid[i] - r->valid[i - 1]);
    }
  return NAN;
}

static void set_runs(run *r, size_t nseed, unsigned long seed0, const grl_cell *cell,
                     size_t H, size_t layers, const char *opt, double lr, double wd,
                     size_t steps, size_t every, const grl_text *t, size_t vfrom,
                     size_t vto)
{
  for (size_t k = 0; k < nseed; k++)
    r[k] = (run){.cell = cell, .H = H, .layers = layers, .opt = opt, .lr = lr,
                 .wd = wd, .seed = seed0 + k, .steps = steps, .every = every,
                 .text = t, .vfrom = vfrom, .vto = vto};
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
  grl_train_blas_threads_default();   /* one BLAS thread per training */
  grl_stop_catch(chapter.name);
  const size_t nseed = opt_seeds ? opt_seeds : 3;
  const int quick = L.quick;
  const size_t mult = opt_long ? 3 : 1;
  /* sizes: default, or --quick's tiny ones */
  const size_t H_OPT = quick ? 16 : 48, STEPS_OPT = (quick ? 20 : 250) * mult;
  const size_t H_REF = quick ? 16 : 64, STEPS_CELL = (quick ? 20 : 400) * mult;
  const size_t H_BIG = quick ? 32 : 128, STEPS_BIG = (quick ? 30 : 400) * mult;
  const size_t EVERY = quick ? 10 : 25 * mult, EVERY_BIG = quick ? 10 : 20 * mult;
  grl_lesson_param(&L, "seeds", "%zu", nseed);
  grl_lesson_param(&L, "T", "%d", T_BPTT);
  grl_lesson_param(&L, "B", "%d", B_STREAMS);
  grl_text *text = NULL, *slice = NULL;
  run *ro = NULL, *rv = NULL, *rd = NULL, *rc = NULL;
  size_t nro = 0, nrv = 0, nrd = 0, nrc = 0;
  int interrupted = 0, st;
  double rH = NAN, rP = NAN, gru_step = NAN;   /* measured in section 5 */
  double FH = NAN, FP = NAN;                   /* their flop ratios      */
  int time_overlap = 1;                        /* GRU and LSTM-P ranges  */
  int time_overlap_h = 1;                      /* GRU and LSTM-H ranges  */

/*
## 1. The text, the runs, and what is measured
*/
  grl_lesson_section(&L, "The text, the runs, and what is measured");
  st = grl_text_read_glob(&text, GRL_TEXT_DEFAULT_GLOB);
  if (!st && quick && text->n > SLICE) {
    grl_text *whole = text;
    char name[512];
    snprintf(name, sizeof name, "%s, its first %d bytes (--quick)", whole->name, SLICE);
    text = NULL;
    st = grl_text_from_bytes(&text, whole->bytes, SLICE, name);
    grl_text_free(whole);
  }
  if (st) {
    grl_lesson_error(&L, st, "reading the text");
    goto done;
  }
  const size_t V = text->vocab.V, nv = grl_text_nvalid(text);
  const size_t vto = text->ntrain + (nv < EVAL_BYTES ? nv : EVAL_BYTES);
  double uni, bi;
  if ((st = grl_text_baselines(text, &uni, &bi))) {
    grl_lesson_error(&L, st, "baselines");
    goto done;
  }
  printf("  text            %s\n", text->name);
  printf("  bytes           %zu: training %zu, validation %zu; V = %zu\n", text->n,
         text->ntrain, nv, V);
  printf("  baselines       unigram %.3f bpc, bigram %.3f bpc\n", uni, bi);
  fail_bpc = log2((double)V);
  grl_lesson_say(&L,
    "Every run below trains as chapter 9 does: %d streams, windows of %d bytes\n"
    "(truncated BPTT), the gradient clipped to norm %g, PyTorch's uniform\n"
    "initialisation.  The validation bpc of a curve is measured on the first\n"
    "%zu bytes of the validation split (to keep the curves cheap), every\n"
    "few steps.  Each configuration runs %zu seeds (%lu..%lu), all trained\n"
    "in parallel, one BLAS thread each.  A row prints the mean over the\n"
    "seeds and, in brackets, the lowest and the highest seed; two\n"
    "configurations 'differ' below only when those ranges do not overlap.\n"
    "Two configurations that do not differ at all still have ranges apart\n"
    "by chance %.0f%% of the time (2 in C(%zu, %zu) orderings of the seeds);\n"
    "this chapter makes about twenty such calls, so one or two may be chance.\n"
    "A run whose final bpc is not finite or above the uniform guess (log2 V\n"
    "= %.3f bpc) learned nothing: it counts as failed, out of the mean.\n"
    "(The chance above treats the seeds' runs as independent; the same seeds\n"
    "start every configuration.)",
    B_STREAMS, T_BPTT, CLIP, vto - text->ntrain, nseed, L.seed,
    L.seed + nseed - 1, 100 * apart_by_chance(nseed), 2 * nseed, nseed, fail_bpc);
  {
    double dup = NAN;
    if ((st = grl_text_duplicate_share(text, 8, &dup))) {
      grl_lesson_error(&L, st, "duplicate share");
      goto done;
    }
    printf("  duplicate share %.3f (validation 8-grams seen in training)\n", dup);
    grl_lesson_say(&L,
      "Unlike chapter 9, this chapter splits the text by position: its first\n"
      "90%% trains and its last 10%% validates.  Chapter 9 holds out whole files\n"
      "because such a split validates on near-copies of training bytes: here\n"
      "%.1f%% of the validation split's 8-grams also occur in training (chapter\n"
      "9 prints its own split's share).  So the bpc below compare\n"
      "configurations with each other; they are not comparable with chapter\n"
      "9's.", 100 * dup);
  }
  if (quick)
    grl_lesson_say(&L,
      "This is --quick: the first %d bytes of the text; H = %zu and %zu steps\n"
      "per run (section 3's big GRU: H = %zu, %zu steps); one learning rate\n"
      "per optimiser.  The runs stop long before they have learned what they\n"
      "can; the numbers show the machinery, and no difference below is a\n"
      "finding.", SLICE, H_REF, STEPS_CELL, H_BIG, STEPS_BIG);

/*
## 2. Optimisers on real text

The learning chapter derived SGD, momentum, RMSprop and Adam on small
problems.  Adagrad (Duchi, Hazan and Singer 2011) keeps the sum of every
squared gradient, so each parameter's effective rate $η/\sqrt{v}$ only
shrinks:

$v ← v + g^2, \quad θ ← θ − η\, g / (\sqrt{v} + ε)$

Each optimiser runs a sweep of three rates around a usual choice, each a
factor of about 3 from the next (3 or 3.3).  When the best rate is the
largest one tried, the optimum is not bracketed: a larger rate might do
better, and the chapter says so instead of ranking that optimiser.
*/
  grl_lesson_section(&L, "Optimisers on real text");
  static const char *const opt_name[NOPT] = {"sgd", "momentum", "rmsprop", "adam", "adagrad"};
  static const double opt_lr[NOPT][NLR] = {
    {0.3, 1.0, 3.0}, {0.03, 0.1, 0.3}, {1e-3, 3e-3, 1e-2},
    {1e-3, 3e-3, 1e-2}, {0.03, 0.1, 0.3}};
  const size_t nlr = quick ? 1 : NLR, lr0 = quick ? 1 : 0;
  nro = NOPT * nlr * nseed;
  if (!(ro = calloc(nro, sizeof *ro))) {
    grl_lesson_error(&L, GRL_ENOMEM, "runs");
    goto done;
  }
  for (size_t q = 0; q < NOPT; q++)
    for (size_t j = 0; j < nlr; j++)
      set_runs(&ro[(q * nlr + j) * nseed], nseed, L.seed, &grl_cell_gru, H_OPT, 1,
               opt_name[q], opt_lr[q][lr0 + j], 0, STEPS_OPT, EVERY, text,
               text->ntrain, vto);
  grl_lesson_say(&L,
    "A GRU with H = %zu, %zu steps each, %zu rates x %d optimisers x %zu seeds\n"
    "= %zu runs.  Final validation bpc (mean [lowest, highest]):",
    H_OPT, STEPS_OPT, nlr, NOPT, nseed, nro);
  train_all(ro, nro);
  if ((st = runs_failed(&L, ro, nro))) {
    interrupted = st == GRL_EINTR;
    goto done;
  }
  size_t best_lr[NOPT];
  spread best_sp[NOPT];
  for (size_t q = 0; q < NOPT; q++) {
    best_lr[q] = 0;
    for (size_t j = 0; j < nlr; j++) {
      char label[64];
      snprintf(label, sizeof label, "%-8s lr %g", opt_name[q], opt_lr[q][lr0 + j]);
      spread s = final_of(&ro[(q * nlr + j) * nseed], nseed);
      print_spread(label, s, nseed);
      spread b = final_of(&ro[(q * nlr + best_lr[q]) * nseed], nseed);
      if (s.n == nseed && (b.n < nseed || s.mean < b.mean))
        best_lr[q] = j;
    }
    best_sp[q] = final_of(&ro[(q * nlr + best_lr[q]) * nseed], nseed);
  }
  size_t qbest = 0, qworst = 0;
  for (size_t q = 1; q < NOPT; q++) {
    if (best_sp[q].mean < best_sp[qbest].mean) qbest = q;
    if (best_sp[q].mean > best_sp[qworst].mean) qworst = q;
  }
  printf(nlr > 1 ? "  each at its best rate:\n" : "  each at the one rate --quick tries:\n");
  for (size_t q = 0; q < NOPT; q++) {
    char label[64];
    snprintf(label, sizeof label, "%-8s lr %g%s", opt_name[q], opt_lr[q][lr0 + best_lr[q]],
             nlr > 1 && (best_lr[q] == 0 || best_lr[q] == nlr - 1) ? " (sweep's end)" : "");
    print_spread(label, best_sp[q], nseed);
  }
  /* sensitivity: the worst rate's mean minus the best's */
  double sens[NOPT];
  for (size_t q = 0; q < NOPT; q++) {
    double worst = -INFINITY;
    for (size_t j = 0; j < nlr; j++) {
      spread s = final_of(&ro[(q * nlr + j) * nseed], nseed);
      worst = s.n ? fmax(worst, s.mean) : INFINITY;
    }
    sens[q] = worst - best_sp[q].mean;
  }
  /* which optimisers overlap the best one, which end behind it, and
   * whose best rate is an end of its sweep (optimum not bracketed) */
  int edge[NOPT];
  char near[128] = "", behind[128] = "", behind_edge[128] = "", edges[128] = "";
  for (size_t q = 0; q < NOPT; q++) {
    edge[q] = nlr > 1 && (best_lr[q] == 0 || best_lr[q] == nlr - 1);
    if (edge[q])
      snprintf(edges + strlen(edges), sizeof edges - strlen(edges), "%s%s",
               *edges ? ", " : "", opt_name[q]);
    char *b = apart(best_sp[q], best_sp[qbest]) ? behind : near;
    snprintf(b + strlen(b), 128 - strlen(b), "%s%s", *b ? ", " : "", opt_name[q]);
    if (b == behind && edge[q])
      snprintf(behind_edge + strlen(behind_edge), sizeof behind_edge - strlen(behind_edge),
               "%s%s", *behind_edge ? ", " : "", opt_name[q]);
  }
  if (!quick) {
    printf("  sensitivity (worst rate's mean minus the best's, over a factor 10 of rate):\n");
    for (size_t q = 0; q < NOPT; q++)
      printf("    %-8s %s%.3f bpc%s\n", opt_name[q], isinf(sens[q]) ? "failed at one rate; " : "",
             isinf(sens[q]) ? 0.0 : sens[q],
             edge[q] ? "  (best rate at the sweep's end: not bracketed, not comparable)" : "");
    grl_lesson_say(&L,
      "Sensitivity compares optimisers only where the best rate is inside the\n"
      "sweep; %s.", *edges ? "a flagged row measures where the sweep stopped"
                           : "every sweep brackets its best rate here");
    grl_lesson_say(&L,
      "After %zu steps, each at the best of its rates: %s %s the best\n"
      "(%s, %.3f bpc)%s%s%s.", STEPS_OPT, near,
      strchr(near, ',') ? "overlap" : "is alone as", opt_name[qbest], best_sp[qbest].mean,
      *behind ? "; " : "", behind, *behind ? " end behind it, the seed ranges apart" : "");
    if (*edges)
      grl_lesson_say(&L,
        "The best rate is an end of its sweep for %s: a rate beyond it\n"
        "might do better, so for them 'best' means best of the rates tried.", edges);
  }
  {
    grl_chart *ch = grl_lesson_chart(&L, "optim-lr",
      "Final validation bpc against the learning rate, one curve per optimiser");
    grl_chart_param(ch, "H", "%zu", H_OPT);
    grl_chart_param(ch, "steps", "%zu", STEPS_OPT);
    grl_chart_comment(ch, "one block per optimiser (sgd momentum rmsprop adam adagrad): lr mean lo hi over %zu seeds", nseed);
    grl_chart_columns(ch, "lr mean lo hi");
    for (size_t q = 0; q < NOPT; q++) {
      if (q)
        grl_chart_block(ch, opt_name[q]);
      for (size_t j = 0; j < nlr; j++) {
        spread s = final_of(&ro[(q * nlr + j) * nseed], nseed);
        double row[4] = {opt_lr[q][lr0 + j], s.n == nseed ? s.mean : -1,
                         s.n == nseed ? s.lo : -1, s.n == nseed ? s.hi : -1};
        grl_chart_row(ch, 4, row);
      }
    }
    grl_chart_set(ch, "nseed", "%zu", nseed);
    grl_chart_set(ch, "bigram", "%.6f", bi);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(&L, ch);
    grl_lesson_takeaway(&L, "optim-lr",
      "At its %s rate %s ends at %.2f bpc and %s at %.2f; the bigram scores %.2f.",
      nlr > 1 ? "best" : "one", opt_name[qbest], best_sp[qbest].mean, opt_name[qworst],
      best_sp[qworst].mean, bi);
  }
  {
    /* the best rate's runs, in optimiser order, for the curves */
    run *sel = calloc(NOPT * nseed, sizeof *sel);
    if (!sel) {
      grl_lesson_error(&L, GRL_ENOMEM, "curves");
      goto done;
    }
    for (size_t q = 0; q < NOPT; q++)
      memcpy(&sel[q * nseed], &ro[(q * nlr + best_lr[q]) * nseed], nseed * sizeof *sel);
    grl_chart *ch = grl_lesson_chart(&L, "optim-curves",
      "Validation bpc of each optimiser at its best rate, against step and seconds");
    grl_chart_comment(ch, "step, then per optimiser (sgd momentum rmsprop adam adagrad): seconds mean lo hi");
    chart_kept(ch, sel, NOPT, nseed);
    chart_curves(ch, sel, NOPT, nseed, 0, 1);
    char lrs[128] = "";
    for (size_t q = 0; q < NOPT; q++)
      snprintf(lrs + strlen(lrs), sizeof lrs - strlen(lrs), "%s%g", q ? " " : "",
               opt_lr[q][lr0 + best_lr[q]]);
    grl_chart_set_text(ch, "lrs", "%s", lrs);
    grl_chart_set(ch, "nseed", "%zu", nseed);
    grl_chart_set(ch, "steps", "%zu", STEPS_OPT);
    grl_chart_set(ch, "bigram", "%.6f", bi);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(&L, ch);
    double secs[NOPT];
    for (size_t q = 0; q < NOPT; q++) {
      secs[q] = 0;
      for (size_t k = 0; k < nseed; k++)
        secs[q] += sel[q * nseed + k].secs[sel[q * nseed + k].npts - 1] / (double)nseed;
    }
    printf("  time  training seconds per run (mean, measured while the runs share the cores):");
    for (size_t q = 0; q < NOPT; q++)
      printf(" %s %.1f", opt_name[q], secs[q]);
    printf("\n");
    size_t qnext = qbest == 0 ? 1 : 0;
    for (size_t q = 0; q < NOPT; q++)
      if (q != qbest && best_sp[q].mean < best_sp[qnext].mean)
        qnext = q;
    grl_lesson_takeaway(&L, "optim-curves",
      "At step %zu %s has the lowest mean (%.2f bpc; %s %.2f, %s).  The seconds"
      " panel is wall-clock under load: its order is the machine's load, not the"
      " optimisers' cost.", STEPS_OPT, opt_name[qbest], best_sp[qbest].mean,
      opt_name[qnext], best_sp[qnext].mean,
      apart(best_sp[qbest], best_sp[qnext]) ? "seed ranges apart" : "seed ranges overlapping");
    free(sel);
  }

/*
## 3. Overfitting: a big GRU on a small slice

A GRU of H = 128 on 64 KiB: the slice joins the text's first 58,983
bytes to its last 6,553, and chapter 9's split of the slice trains on
the first part and validates on the second (other files, so that the
validation bytes are not copies of training bytes).  Only H = 128 is tried: how overfitting grows with the
network's size is not measured here.  Then four
remedies: early stopping (keep the parameters of the best validation
point); weight decay, decoupled as AdamW (Loshchilov and Hutter 2019),

$θ ← (1 − η λ)\, θ$, then Adam's step

(PyTorch's form, with the learning rate η in the decay.  Loshchilov and
Hutter write $θ ← θ − η_t(α\,\hat m/(\sqrt{\hat v} + ε) + λ θ)$ with
$η_t$ the schedule multiplier, 1 here, so their λ is η λ: weight decay
1 and 3 at η = 0.003 are their λ = 0.003 and 0.009);

dropout on the non-recurrent connections (Zaremba, Sutskever and Vinyals
2014: a fresh mask at every step); and variational dropout (Gal and
Ghahramani 2016: one mask per sequence, reused at every step, also on the
recurrent state).  Both scale the kept units by 1/(1 − p), so evaluation
runs without masks.
*/
  grl_lesson_section(&L, "Overfitting: a big GRU on a small slice");
  {
    unsigned char *buf = malloc(SLICE);
    const size_t tr_bytes = SLICE - SLICE / 10;
    if (!buf) {
      grl_lesson_error(&L, GRL_ENOMEM, "slice");
      goto done;
    }
    memcpy(buf, text->bytes, tr_bytes);
    memcpy(buf + tr_bytes, text->bytes + text->n - (SLICE - tr_bytes), SLICE - tr_bytes);
    char name[128];
    if (quick)   /* the text is already its first SLICE bytes: one piece */
      snprintf(name, sizeof name, "GSL's headers: their first %zu bytes, and the %zu after"
               " them (the same file: --quick's slice)", tr_bytes, (size_t)SLICE - tr_bytes);
    else
      snprintf(name, sizeof name, "GSL's headers: their first %zu bytes joined to their last %zu",
               tr_bytes, (size_t)SLICE - tr_bytes);
    st = grl_text_from_bytes(&slice, buf, SLICE, name);
    free(buf);
    if (st) {
      grl_lesson_error(&L, st, "slice");
      goto done;
    }
  }
  /* no remedy, weight decay 1 and 3, standard and variational dropout */
  static const double wds[] = {0.0, 1.0, 3.0, 0.0, 0.0};
  static const double drops[] = {0.0, 0.0, 0.0, 0.3, 0.3};
  static const grl_dropout_kind kinds[] = {GRL_DROPOUT_STANDARD, GRL_DROPOUT_STANDARD,
    GRL_DROPOUT_STANDARD, GRL_DROPOUT_STANDARD, GRL_DROPOUT_VARIATIONAL};
  static const char *const remedy[] = {"no remedy", "weight decay 1", "weight decay 3",
    "dropout 0.3", "variational dropout 0.3"};
  const size_t nwd = sizeof wds / sizeof wds[0];
  nrv = nwd * nseed;
  if (!(rv = calloc(nrv, sizeof *rv))) {
    grl_lesson_error(&L, GRL_ENOMEM, "runs");
    goto done;
  }
  for (size_t w = 0; w < nwd; w++) {
    set_runs(&rv[w * nseed], nseed, L.seed, &grl_cell_gru, H_BIG, 1, "adamw", LR_ADAM,
             wds[w], STEPS_BIG, EVERY_BIG, slice, slice->ntrain, slice->n);
    for (size_t k = 0; k < nseed; k++) {
      rv[w * nseed + k].dropout = drops[w];
      rv[w * nseed + k].kind = kinds[w];
    }
  }
  printf("  slice           %s\n"
         "                  split: training %zu bytes, validation %zu; V = %zu\n",
         slice->name, slice->ntrain, grl_text_nvalid(slice), slice->vocab.V);
  printf("  model           GRU, H = %zu: %zu parameters, %.1f per training byte\n",
         H_BIG, model_params(&grl_cell_gru, slice->vocab.V, H_BIG, 1),
         (double)model_params(&grl_cell_gru, slice->vocab.V, H_BIG, 1) / (double)slice->ntrain);
  printf("  training        adamw lr %g, %zu steps (%.1f epochs); remedies: weight decay\n"
         "                  1 and 3 (decoupled), dropout p = 0.3 standard and variational\n",
         LR_ADAM, STEPS_BIG, (double)STEPS_BIG / (double)grl_text_windows(slice, T_BPTT, B_STREAMS));
  train_all(rv, nrv);
  if ((st = runs_failed(&L, rv, nrv))) {
    interrupted = st == GRL_EINTR;
    goto done;
  }
  fail_bpc = log2((double)slice->vocab.V);
  spread ov_final[5], ov_best[5], ov_train[5];
  double ov_step[5];
  for (size_t w = 0; w < nwd; w++) {
    ov_final[w] = final_of(&rv[w * nseed], nseed);
    ov_best[w] = best_of(&rv[w * nseed], nseed, &ov_step[w]);
    ov_train[w] = train_end_of(&rv[w * nseed], nseed);
  }
  {
    /* the plain run's train and valid at its best step and at the end */
    double tr_end[MAX_SEEDS];
    for (size_t k = 0; k < nseed; k++)
      tr_end[k] = rv[k].train[rv[k].npts - 1];
    spread te = spread_of(tr_end, nseed, 1);
    print_spread("no remedy: train bpc at the end", te, nseed);
    print_spread("no remedy: valid bpc at the end", ov_final[0], nseed);
    print_spread("early stopping: best valid bpc", ov_best[0], nseed);
    printf("  %-38s %.0f (mean over the seeds)\n", "  at step", ov_step[0]);
    for (size_t w = 1; w < nwd; w++) {
      char label[64];
      snprintf(label, sizeof label, "%s: valid, end", remedy[w]);
      print_spread(label, ov_final[w], nseed);
      snprintf(label, sizeof label, "%s: best valid", remedy[w]);
      print_spread(label, ov_best[w], nseed);
    }
  }
  double sbi, suni;
  if ((st = grl_text_baselines(slice, &suni, &sbi))) {
    grl_lesson_error(&L, st, "baselines");
    goto done;
  }
  const int overfit = ov_final[0].n && ov_final[0].mean > ov_best[0].mean + 0.05;
  /* the no-remedy runs' mean training curve: at the best step, lowest, end */
  double tr_at = NAN, tr_min = INFINITY, tr_min_step = 0;
  {
    double dmin = INFINITY;
    for (size_t i = 1; i < rv[0].npts; i++) {
      double m = 0;
      for (size_t k = 0; k < nseed; k++)
        m += rv[k].train[i] / (double)nseed;
      if (m < tr_min) {
        tr_min = m;
        tr_min_step = rv[0].step[i];
      }
      if (fabs(rv[0].step[i] - ov_step[0]) < dmin) {
        dmin = fabs(rv[0].step[i] - ov_step[0]);
        tr_at = m;
      }
    }
  }
  grl_lesson_say(&L,
    "Early stopping's best, and each remedy's 'best valid', is the lowest of\n"
    "%zu evaluations on the same %zu validation bytes that pick it: biased\n"
    "low, an optimistic number; the 'end' values are not chosen.",
    rv[0].npts, grl_text_nvalid(slice));
  if (quick)
    grl_lesson_say(&L,
      "(--quick: %zu steps, %.1f epochs, cannot overfit, and the validation\n"
      "bytes continue the training bytes' file; the curves and the 'best' step\n"
      "show the machinery, not overfitting or a remedy.)", STEPS_BIG,
      (double)STEPS_BIG / (double)grl_text_windows(slice, T_BPTT, B_STREAMS));
  else if (overfit)
    grl_lesson_say(&L,
      "It overfits: the validation bpc bottoms out at %.3f near step %.0f and\n"
      "ends at %.3f, %.3f bpc worse, while the training bpc goes from %.3f\n"
      "there to %.3f at the end (its lowest, %.3f, at step %.0f).\n"
      "Early stopping keeps the %.3f.", ov_best[0].mean, ov_step[0], ov_final[0].mean,
      ov_final[0].mean - ov_best[0].mean, tr_at, ov_train[0].mean, tr_min, tr_min_step,
      ov_best[0].mean);
  else
    grl_lesson_say(&L,
      "The validation bpc did not turn up by more than 0.05 in this run\n"
      "(best %.3f, end %.3f): no overfitting to remedy at this length.",
      ov_best[0].mean, ov_final[0].mean);
  for (size_t w = 1; w < nwd && !quick; w++)
    grl_lesson_say(&L,
      "%s: end %.3f against %.3f without (%s);\n"
      "best %.3f against early stopping's %.3f (%s).", remedy[w], ov_final[w].mean, ov_final[0].mean,
      apart(ov_final[w], ov_final[0]) ? (ov_final[w].mean < ov_final[0].mean ? "better, the seed ranges apart" : "worse, the seed ranges apart")
                                      : "the seed ranges overlap",
      ov_best[w].mean, ov_best[0].mean,
      apart(ov_best[w], ov_best[0]) ? (ov_best[w].mean < ov_best[0].mean ? "better, apart" : "worse, apart")
                                    : "the ranges overlap");
  size_t wb = 0;
  char underfit[160] = "", still[160] = "";
  for (size_t w = 1; w < nwd; w++) {
    if (ov_final[w].n && ov_final[w].mean < ov_final[wb].mean)
      wb = w;
    /* worse than no remedy on validation and on training: too strong */
    if (ov_final[w].n && ov_train[w].n && ov_final[w].mean > ov_final[0].mean &&
        ov_train[w].mean > ov_train[0].mean)
      snprintf(underfit + strlen(underfit), sizeof underfit - strlen(underfit),
               "%s%s (ends %.3f, training %.3f; validation ranges %s)", *underfit ? ", " : "",
               remedy[w], ov_final[w].mean, ov_train[w].mean,
               apart(ov_final[w], ov_final[0]) ? "apart" : "overlapping");
    if (lowest_at_end(&rv[w * nseed], nseed))
      snprintf(still + strlen(still), sizeof still - strlen(still), "%s%s",
               *still ? ", " : "", remedy[w]);
  }
  if (!quick) {
    grl_lesson_say(&L,
      "The lowest validation bpc at the end: %s (%.3f); early stopping's\n"
      "best point without a remedy: %.3f.  The slice's bigram scores %.3f bpc.",
      remedy[wb], ov_final[wb].mean, ov_best[0].mean, sbi);
    if (*underfit)
      grl_lesson_say(&L,
        "Worse than no remedy on validation and on training at the end, in the\n"
        "mean (no remedy: training %.3f):\n%s.", ov_train[0].mean, underfit);
    if (*still)
      grl_lesson_say(&L,
        "Still falling at the last step (the mean curve's lowest point is its\n"
        "last): %s; longer training could move them (--long).", still);
  }
  {
    grl_chart *ch = grl_lesson_chart(&L, "overfit",
      "A big GRU on 64 KiB: overfitting and four remedies");
    grl_chart_param(ch, "H", "%zu", H_BIG);
    grl_chart_comment(ch, "index 0: validation, index 1: training; step, then per remedy (none, decay 1, decay 3, dropout, variational): seconds mean lo hi");
    chart_kept(ch, rv, nwd, nseed);
    chart_curves(ch, rv, nwd, nseed, 0, 1);
    grl_chart_block(ch, "train");
    chart_curves(ch, rv, nwd, nseed, 1, 0);
    grl_chart_set(ch, "nseed", "%zu", nseed);
    grl_chart_set(ch, "steps", "%zu", STEPS_BIG);
    grl_chart_set(ch, "best_step", "%.0f", ov_step[0]);
    grl_chart_set(ch, "bigram", "%.6f", sbi);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(&L, ch);
    grl_lesson_takeaway(&L, "overfit",
      "Without a remedy the validation bpc is lowest (%.2f) near step %.0f and"
      " ends at %.2f; with decay 1 it ends at %.2f, with decay 3 %.2f, with dropout"
      " %.2f, with variational dropout %.2f.", ov_best[0].mean, ov_step[0],
      ov_final[0].mean, ov_final[1].mean, ov_final[2].mean, ov_final[3].mean,
      ov_final[4].mean);
  }

/*
## 4. Depth: one layer against two at an equal parameter count

Two stacked GRU layers (PyTorch's num_layers = 2: the first layer's h
sequence is the second's input), with the hidden size that gives the
parameter count closest to one layer's.  Layer l reads layer l − 1's
state at the same step (layer 0 reads the byte):

$h^l_t = \mathrm{cell}(h^{l-1}_t, h^l_{t-1})$

Backpropagation through time runs through the stack as well: the
gradient layer l computes for its input, $∂L/∂h^{l-1}_t$, is added to
the gradient that reaches layer l − 1's output at step t, so the lower
layer trains on what the upper layer needs as well as on its own
recurrence.
*/
  grl_lesson_section(&L, "Depth: one layer against two at an equal parameter count");
  const size_t n_ref = model_params(&grl_cell_gru, V, H_REF, 1);
  const size_t H2 = h_for(&grl_cell_gru, V, 2, n_ref);
  /* the cells of section 6, with the one-layer GRU first: its runs are
   * also depth's one-layer runs */
  const grl_cell *cells[NCELL] = {&grl_cell_gru, &grl_cell_lstm, &grl_cell_lstm,
                                  &grl_cell_rnn, &grl_cell_mgu, &grl_cell_seed};
  size_t cellH[NCELL];
  cellH[0] = H_REF;
  cellH[1] = h_for(&grl_cell_lstm, V, 1, n_ref);
  cellH[2] = H_REF;   /* the LSTM at equal H */
  cellH[3] = h_for(&grl_cell_rnn, V, 1, n_ref);
  cellH[4] = h_for(&grl_cell_mgu, V, 1, n_ref);
  cellH[5] = h_for(&grl_cell_seed, V, 1, n_ref);
  nrc = NCELL * nseed;
  nrd = nseed;
  if (!(rc = calloc(nrc, sizeof *rc)) || !(rd = calloc(nrd, sizeof *rd))) {
    grl_lesson_error(&L, GRL_ENOMEM, "runs");
    goto done;
  }
  for (size_t c = 0; c < NCELL; c++)
    set_runs(&rc[c * nseed], nseed, L.seed, cells[c], cellH[c], 1, "adam", LR_ADAM, 0,
             STEPS_CELL, EVERY, text, text->ntrain, vto);
  set_runs(rd, nseed, L.seed, &grl_cell_gru, H2, 2, "adam", LR_ADAM, 0, STEPS_CELL,
           EVERY, text, text->ntrain, vto);
  {
    /* sections 4, 5 and 6 train together */
    run *all = calloc(nrc + nrd, sizeof *all);
    if (!all) {
      grl_lesson_error(&L, GRL_ENOMEM, "runs");
      goto done;
    }
    memcpy(all, rc, nrc * sizeof *all);
    memcpy(all + nrc, rd, nrd * sizeof *all);
    grl_lesson_say(&L,
      "Sections 4 to 6 train their %zu runs together now: Adam lr %g, %zu\n"
      "steps each.", nrc + nrd, LR_ADAM, STEPS_CELL);
    train_all(all, nrc + nrd);
    memcpy(rc, all, nrc * sizeof *all);
    memcpy(rd, all + nrc, nrd * sizeof *all);
    free(all);
    if ((st = runs_failed(&L, rc, nrc)) || (st = runs_failed(&L, rd, nrd))) {
      interrupted = st == GRL_EINTR;
      goto done;
    }
  }
  fail_bpc = log2((double)V);
  spread d1 = final_of(rc, nseed), d2 = final_of(rd, nseed);
  printf("  one layer,  H = %3zu: %6zu parameters\n", H_REF, n_ref);
  printf("  two layers, H = %3zu: %6zu parameters\n", H2, model_params(&grl_cell_gru, V, H2, 2));
  print_spread("one layer: final valid bpc", d1, nseed);
  print_spread("two layers: final valid bpc", d2, nseed);
  printf("  valid bpc lost from step %.0f to step %.0f: one layer %.3f, two %.3f\n",
         rc[0].step[(rc[0].npts - 1) * 3 / 4], rc[0].step[rc[0].npts - 1],
         last_quarter_fall(rc, nseed), last_quarter_fall(rd, nseed));
  if (!quick)
  grl_lesson_say(&L,
    "At an equal parameter count and %zu steps, %s (%.3f against %.3f bpc;\n"
    "%s).", STEPS_CELL,
    d2.mean < d1.mean ? "two layers end lower" : "one layer ends lower",
    d2.mean < d1.mean ? d2.mean : d1.mean, d2.mean < d1.mean ? d1.mean : d2.mean,
    apart(d1, d2) ? "the seed ranges do not overlap" : "the seed ranges overlap: no finding");
  {
    run both[2 * MAX_SEEDS];
    memcpy(both, rc, nseed * sizeof *both);
    memcpy(both + nseed, rd, nseed * sizeof *both);
    grl_chart *ch = grl_lesson_chart(&L, "depth",
      "One GRU layer against two at an equal parameter count");
    grl_chart_comment(ch, "step, then seconds mean lo hi: one layer (H = %zu), two layers (H = %zu)", H_REF, H2);
    chart_kept(ch, both, 2, nseed);
    chart_curves(ch, both, 2, nseed, 0, 1);
    grl_chart_set(ch, "H1", "%zu", H_REF);
    grl_chart_set(ch, "H2", "%zu", H2);
    grl_chart_set(ch, "nseed", "%zu", nseed);
    grl_chart_set(ch, "steps", "%zu", STEPS_CELL);
    grl_chart_set(ch, "bigram", "%.6f", bi);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(&L, ch);
    grl_lesson_takeaway(&L, "depth",
      "One layer (H = %zu) ends at %.2f bpc, two layers (H = %zu) at %.2f.",
      H_REF, d1.mean, H2, d2.mean);
  }

/*
## 5. Cost: the GRU against the LSTM

Parameters of one layer reading the one-hot byte (V inputs) and its
readout, with G gate blocks (GRU 3, LSTM 4):

$n = G H (V + H) + 2 G H + V H + V$

Flops per byte of the forward pass, a multiply-add counted as two (the
one-hot input is a gather, no multiply; the gate arithmetic is left out):

$F = 2 G H^2 + 2 V H$,  and about $2F$ for the backward: the usual count
of a backward pass's products.  Time is another matter: the gate
arithmetic, the softmax and the memory traffic are not in $F$, and the
times measured below need not follow it.
*/
  grl_lesson_section(&L, "Cost: the GRU against the LSTM");
  const size_t Hl = cellH[1];
  {
    const struct { const char *name; const grl_cell *cell; size_t H; } cf[3] = {
      {"gru", &grl_cell_gru, H_REF}, {"lstm", &grl_cell_lstm, H_REF},
      {"lstm", &grl_cell_lstm, Hl}};
    double fwd[3], flo[3], fhi[3], both[3], blo[3], bhi[3];
    printf("  %-6s %4s %9s %9s %12s\n", "cell", "H", "formula", "model", "flops/byte");
    for (int k = 0; k < 3; k++) {
      size_t f = formula_params(cf[k].cell->G, V, cf[k].H, 1);
      size_t mp = model_params(cf[k].cell, V, cf[k].H, 1);
      double F = 2.0 * (double)(cf[k].cell->G * cf[k].H * cf[k].H) + 2.0 * (double)(V * cf[k].H);
      printf("  %-6s %4zu %9zu %9zu %12.0f\n", cf[k].name, cf[k].H, f, mp, F);
      grl_lesson_expect(&L, f == mp, k == 0 ? "the GRU's count: the formula's is the model's"
                                            : "the LSTM's count: the formula's is the model's");
    }
    const size_t reps = quick ? 2 : 20;
    for (int k = 0; k < 3 && !st; k++)
      st = time_step(cf[k].cell, V, cf[k].H, reps, &fwd[k], &flo[k], &fhi[k], &both[k],
                     &blo[k], &bhi[k]);
    if (st) {
      grl_lesson_error(&L, st, "timing");
      goto done;
    }
    grl_lesson_say(&L,
      "Time per training step (%d x %d bytes), one thread, the median of five\n"
      "repeats of %zu steps, the five's range in brackets (wall clock: it\n"
      "depends on the machine and its load, and the repeats are one run's).\n"
      "The forward alone is timed the same way; the backward is the difference\n"
      "of the two medians, as uncertain as the two ranges say:",
      T_BPTT, B_STREAMS, reps);
    /* the backward is not timed alone: it is the two medians' difference,
     * which the load's noise can make zero or less */
    for (int k = 0; k < 3; k++) {
      char bwd[64];
      if (both[k] > fwd[k])
        snprintf(bwd, sizeof bwd, "backward %.2f ms", 1e3 * (both[k] - fwd[k]));
      else
        snprintf(bwd, sizeof bwd, "backward lost in the noise");
      printf("  time  %-4s H = %3zu: forward %.2f ms [%.2f, %.2f], both %.2f ms [%.2f, %.2f]; %s\n",
             cf[k].name, cf[k].H, 1e3 * fwd[k], 1e3 * flo[k], 1e3 * fhi[k], 1e3 * both[k],
             1e3 * blo[k], 1e3 * bhi[k], bwd);
    }
    rH = both[1] / both[0];
    rP = both[2] / both[0];
    gru_step = both[0];
    FH = (2.0 * 4 * H_REF * H_REF + 2.0 * V * H_REF) / (2.0 * 3 * H_REF * H_REF + 2.0 * V * H_REF);
    FP = (2.0 * 4 * Hl * Hl + 2.0 * V * Hl) / (2.0 * 3 * H_REF * H_REF + 2.0 * V * H_REF);
    time_overlap = !(bhi[0] < blo[2] || bhi[2] < blo[0]);
    time_overlap_h = !(bhi[0] < blo[1] || bhi[1] < blo[0]);
    printf("  time  at equal H the LSTM's step takes %.2f times the GRU's (the flops: %.2f);"
           " at equal parameters %.2f times\n", rH, FH, rP);
    /* equal training time: the LSTM at equal parameters gets
     * steps x t_gru / t_lstm steps; read its curve there */
    spread g = final_of(rc, nseed), lp = final_of(&rc[nseed], nseed), lh = final_of(&rc[2 * nseed], nseed);
    print_spread("gru, final valid bpc", g, nseed);
    char label[64];
    snprintf(label, sizeof label, "lstm H = %zu (equal H)", H_REF);
    print_spread(label, lh, nseed);
    snprintf(label, sizeof label, "lstm H = %zu (equal params)", Hl);
    print_spread(label, lp, nseed);
    double eq_steps = (double)STEPS_CELL / rP;
    double vt[MAX_SEEDS];
    for (size_t k = 0; k < nseed; k++)
      vt[k] = valid_at_step(&rc[nseed + k], fmin(eq_steps, (double)STEPS_CELL));
    spread lt = spread_of(vt, nseed, 1);
    printf("  time  equal training time: the GRU's %zu steps buy the LSTM (equal params) %.0f steps;"
           " its valid bpc there %.3f [%.3f, %.3f]%s\n", STEPS_CELL, eq_steps, lt.mean, lt.lo,
           lt.hi, eq_steps > (double)STEPS_CELL ? " (at its last step: it trained no longer)" : "");
    /* one line either way: the determinism check masks lines, not counts */
    printf("  time  %s\n", fabs(eq_steps - (double)STEPS_CELL) < 0.05 * (double)STEPS_CELL
           ? "equal training time is, here, within 5% of equal steps: it adds nothing at equal parameters"
           : "equal training time is, here, more than 5% away from equal steps");
    grl_lesson_say(&L,
      "The seconds panel of the cells chart is a different clock: the runs'\n"
      "wall time while they share the cores with each other and with the\n"
      "machine's other load, so its ratios need not match these.");
    if (!quick)
    grl_lesson_say(&L,
      "At an equal parameter count the %s ends lower (GRU %.3f, LSTM %.3f bpc;\n"
      "%s).  At equal H the LSTM has %zu parameters to the GRU's %zu and ends\n"
      "at %.3f.", lp.mean < g.mean ? "LSTM" : "GRU", g.mean, lp.mean,
      apart(g, lp) ? "the seed ranges do not overlap" : "the seed ranges overlap: no finding",
      model_params(&grl_cell_lstm, V, H_REF, 1), n_ref, lh.mean);
    grl_lesson_say(&L,
      "Long dependencies are not measured here: the windows are %d bytes.\n"
      "Chapter 8 measures them on the adding problem, the GRU against the\n"
      "LSTM over three seeds; run chapters/ch08-long-memory for its numbers.",
      T_BPTT);
  }

/*
## 6. Gate choice: five cells at equal parameters

The article's f/i/o cell (chapter 3), a plain tanh RNN, the GRU, the LSTM
and the MGU (one gate), each at the hidden size whose parameter count is
closest to the GRU's at H = 64, on the same text with the same training.
*/
  grl_lesson_section(&L, "Gate choice: five cells at equal parameters");
  static const char *const cell_label[NCELL] = {"gru", "lstm", "lstm (equal H)", "rnn", "mgu", "seed (f/i/o)"};
  spread cs[NCELL];
  printf("  %-16s %4s %7s   %s\n", "cell", "H", "params", "final valid bpc: mean [lowest, highest]");
  size_t cbest = 0;
  for (size_t c = 0; c < NCELL; c++) {
    cs[c] = final_of(&rc[c * nseed], nseed);
    char label[64];
    snprintf(label, sizeof label, "%-16s %4zu %7zu", cell_label[c], cellH[c],
             model_params(cells[c], V, cellH[c], 1));
    print_spread(label, cs[c], nseed);
    if (c != 2 && cs[c].n == nseed && (cs[c].mean < cs[cbest].mean))
      cbest = c;
  }
  printf("  valid bpc lost from step %.0f to step %.0f (mean over the seeds):\n   ",
         rc[0].step[(rc[0].npts - 1) * 3 / 4], rc[0].step[rc[0].npts - 1]);
  double fall_min = INFINITY, fall_max = -INFINITY;
  for (size_t c = 0; c < NCELL; c++) {
    double f = last_quarter_fall(&rc[c * nseed], nseed);
    printf(" %s %.3f%s", cell_label[c], f, c + 1 < NCELL ? "," : "\n");
    if (isfinite(f)) {
      fall_min = fmin(fall_min, f);
      fall_max = fmax(fall_max, f);
    }
  }
  if (!quick && fall_min > 0.05)
    grl_lesson_say(&L,
      "Every cell still lost %.2f to %.2f bpc over the last quarter: the\n"
      "curves are far from converged, and the rankings here are about how\n"
      "fast each learns early, not where it ends%s.", fall_min, fall_max,
      opt_long ? "" : " (--long runs three times\nthe steps)");
  /* the f/i/o cell's seeds above the unigram baseline, though not failed */
  size_t seed_above_uni = 0;
  for (size_t k = 0; k < nseed; k++) {
    const run *r = &rc[5 * nseed + k];
    if (!run_failed(r) && r->valid[r->npts - 1] > uni)
      seed_above_uni++;
  }
  if (!quick) {
    /* the gated cells at equal parameters: GRU, LSTM, MGU (not the LSTM
     * at equal H) against the RNN, seed ranges apart */
    static const size_t gated[3] = {0, 1, 4};
    size_t nbeat = 0, nbehind = 0;
    for (size_t i = 0; i < 3; i++) {
      size_t c = gated[i];
      if (apart(cs[c], cs[3]))
        cs[c].mean < cs[3].mean ? nbeat++ : nbehind++;
    }
    grl_lesson_say(&L,
      "At equal parameters the best is %s (%.3f bpc).  Of the gated cells\n"
      "(GRU, LSTM, MGU), %zu end below the plain RNN (%.3f, with H = %zu: the\n"
      "most units at this count, since it has one block where the GRU has 3)\n"
      "and %zu above it, seed ranges apart; %zu overlap it.",
      cell_label[cbest], cs[cbest].mean, nbeat, cs[3].mean, cellH[3], nbehind,
      3 - nbeat - nbehind);
    if (cbest == 3 && !quick)
      grl_lesson_say(&L,
        "Here, with windows of %d bytes and %zu steps, gates did not pay for\n"
        "their parameters.  Dependencies longer than a window are chapter 8's\n"
        "subject (the adding problem; chapters/ch08-long-memory), not this text's.",
        T_BPTT, STEPS_CELL);
    if (cs[5].diverged || seed_above_uni)
      grl_lesson_say(&L,
        "The article's f/i/o cell failed in %zu of %zu seeds (not finite or\n"
        "above log2 V = %.3f bpc) and ended above the unigram baseline (%.3f)\n"
        "in %zu more.  Its state has no bound (chapter 3); this run does not\n"
        "measure whether that is the cause.", cs[5].diverged, nseed, fail_bpc, uni,
        seed_above_uni);
    else
      grl_lesson_say(&L, "The article's f/i/o cell ends at %.3f bpc.", cs[5].mean);
  }
  {
    grl_chart *ch = grl_lesson_chart(&L, "cells",
      "Five cells at equal parameters: validation bpc against step and seconds");
    grl_chart_comment(ch, "step, then per cell (gru lstm lstm-equal-H rnn mgu seed): seconds mean lo hi");
    chart_kept(ch, rc, NCELL, nseed);
    chart_curves(ch, rc, NCELL, nseed, 0, 1);
    char hs[128] = "";
    for (size_t c = 0; c < NCELL; c++)
      snprintf(hs + strlen(hs), sizeof hs - strlen(hs), "%s%zu", c ? " " : "", cellH[c]);
    grl_chart_set_text(ch, "hs", "%s", hs);
    grl_chart_set(ch, "nseed", "%zu", nseed);
    grl_chart_set(ch, "steps", "%zu", STEPS_CELL);
    grl_chart_set(ch, "bigram", "%.6f", bi);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(&L, ch);
    grl_lesson_takeaway(&L, "cells",
      "At equal parameters the GRU ends at %.2f bpc, the LSTM at %.2f, the MGU at"
      " %.2f and the RNN at %.2f.", cs[0].mean, cs[1].mean, cs[4].mean, cs[3].mean);
  }

/*
## 7. The article's claims: the verdicts
*/
  grl_lesson_section(&L, "The article's claims: the verdicts");
  if (quick)
    grl_lesson_say(&L, "(--quick: the runs are too short for verdicts; run without --quick.)");
  else {
    grl_lesson_say(&L,
      "All verdicts are about %zu to %zu steps of training, far from\n"
      "converged: they rank early-training speed, which is what this run can\n"
      "show; %s.", STEPS_OPT, STEPS_CELL,
      opt_long ? "this is --long, three times the default's steps" : "where the curves end is --long's question");
    if (!*behind)
      grl_lesson_say(&L,
        "1. 'Performance depends on the optimisation algorithm' (§1.2): not\n"
        "   shown; after %zu steps every optimiser at its best rate overlaps\n"
        "   the best (%s, %.3f bpc).", STEPS_OPT, opt_name[qbest], best_sp[qbest].mean);
    else if (*behind_edge)
      grl_lesson_say(&L,
        "1. 'Performance depends on the optimisation algorithm' (§1.2): shown\n"
        "   only at the rates tried.  After %zu steps %s overlap the best (%s,\n"
        "   %.3f); %s end behind, but for %s the best rate is an end of the\n"
        "   sweep, so that gap measures where the sweep stopped.",
        STEPS_OPT, near, opt_name[qbest], best_sp[qbest].mean, behind, behind_edge);
    else
      grl_lesson_say(&L,
        "1. 'Performance depends on the optimisation algorithm' (§1.2): true\n"
        "   here.  After %zu steps %s end behind the best (%s, %.3f bpc), seed\n"
        "   ranges apart, each at a best rate inside its sweep.",
        STEPS_OPT, behind, opt_name[qbest], best_sp[qbest].mean);
    /* the worst cell among those that learned in every seed */
    size_t cworst = cbest;
    char failed[96] = "";
    for (size_t c = 0; c < NCELL; c++) {
      if (c == 2)
        continue;
      if (cs[c].n == nseed && cs[c].mean > cs[cworst].mean)
        cworst = c;
      if (cs[c].n < nseed)
        snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s",
                 *failed ? ", " : "", cell_label[c]);
    }
    grl_lesson_say(&L,
      "2. 'On the choice of gates' (§1.2): %s.  Among the cells that learned\n"
      "   in every seed, the mean final bpc spans %.3f (%s) to %.3f (%s)%s;\n"
      "   %s failed in some seed.", apart(cs[cbest], cs[cworst]) ? "true here" : "not shown",
      cs[cbest].mean, cell_label[cbest], cs[cworst].mean, cell_label[cworst],
      apart(cs[cbest], cs[cworst]) ? ", ranges apart" : ", ranges overlapping",
      *failed ? failed : "no cell");
    grl_lesson_say(&L,
      "   The design of the network structure (§1.2), as depth: %s at %zu\n"
      "   steps (one layer %.3f, two %.3f bpc%s); only two layers at one size\n"
      "   were tried.", apart(d1, d2) ? "it matters here" : "not shown",
      STEPS_CELL, d1.mean, d2.mean, apart(d1, d2) ? ", ranges apart" : ", ranges overlapping");
    if (overfit) {
      size_t wbest = 1, wnext = 2;
      for (size_t w = 2; w < nwd; w++)
        if (ov_final[w].n && ov_final[w].mean < ov_final[wbest].mean)
          wbest = w;
      for (size_t w = 1; w < nwd; w++)
        if (w != wbest && (wnext == wbest || (ov_final[w].n && ov_final[w].mean < ov_final[wnext].mean)))
          wnext = w;
      grl_lesson_say(&L,
        "3. 'A bigger network may overfit and needs regularisation' (§5): the\n"
        "   overfitting is seen at H = %zu on a 64 KiB slice: without a remedy\n"
        "   the validation bpc ends at %.3f; early stopping keeps %.3f.  The\n"
        "   remedy with the lowest mean at the end, %s, ends at %.3f\n"
        "   (best point %.3f), %.3f %s than early stopping (%s);\n"
        "   next is %s at %.3f (%s).\n"
        "   Size against overfitting is not measured.",
        H_BIG, ov_final[0].mean, ov_best[0].mean, remedy[wbest], ov_final[wbest].mean,
        ov_best[wbest].mean, fabs(ov_best[0].mean - ov_final[wbest].mean),
        ov_final[wbest].mean < ov_best[0].mean ? "better" : "worse",
        apart(ov_final[wbest], ov_best[0]) ? "seed ranges apart" : "seed ranges overlapping",
        remedy[wnext], ov_final[wnext].mean,
        apart(ov_final[wbest], ov_final[wnext]) ? "seed ranges apart" : "seed ranges overlapping");
    } else
      grl_lesson_say(&L,
        "3. 'A bigger network may overfit and needs regularisation' (§5): not\n"
        "   seen in this run (H = %zu on a 64 KiB slice).", H_BIG);
    grl_lesson_say(&L,
      "4. 'GRU: simple and efficient; LSTM: stronger on long dependencies'\n"
      "   (Q&A): the GRU has 3 gate blocks to the LSTM's 4, so fewer\n"
      "   parameters and flops at equal H (section 5); on this text at equal\n"
      "   parameters the %s ended lower (%s).  The long-dependency half is\n"
      "   not tested here (windows of %d bytes): chapter 8 measures it.",
      cs[1].mean < cs[0].mean ? "LSTM" : "GRU",
      apart(cs[0], cs[1]) ? "the seed ranges apart" : "the seed ranges overlap", T_BPTT);
    printf("  time     Measured here (medians of five), the LSTM's training step took %.2f\n"
           "  time     times the GRU's at equal H (flops %.2f) and %.2f times at equal\n"
           "  time     parameters (flops %.2f).  Over the five repeats, at equal H %s;\n"
           "  time     at equal parameters %s.\n",
           rH, FH, rP, FP,
           time_overlap_h ? "the ranges overlap (not told apart)"
           : rH > 1 ? "the GRU's step is faster" : "the LSTM's step is faster",
           time_overlap ? "the ranges overlap (not told apart)"
           : rP > 1 ? "the GRU's step is faster" : "the LSTM's step is faster");
    printf("  time  5. 'The computational cost is still large' (§5): one training step of a\n"
           "  time     GRU at H = %zu (%d x %d bytes) took %.1f ms on one core, %.0f bytes per\n"
           "  time     second; an epoch of this text's training split, %.0f s.  The article\n"
           "  time     gives no number to hold this against.\n", H_REF, T_BPTT, B_STREAMS,
           1e3 * gru_step, (double)(T_BPTT * B_STREAMS) / gru_step,
           gru_step * (double)grl_text_windows(text, T_BPTT, B_STREAMS));
  }

done:
  for (size_t i = 0; ro && i < nro; i++) run_free(&ro[i]);
  for (size_t i = 0; rv && i < nrv; i++) run_free(&rv[i]);
  for (size_t i = 0; rd && i < nrd; i++) run_free(&rd[i]);
  for (size_t i = 0; rc && i < nrc; i++) run_free(&rc[i]);
  free(ro);
  free(rv);
  free(rd);
  free(rc);
  grl_text_free(slice);
  grl_text_free(text);
  if (interrupted) {
    fflush(stdout);
    fprintf(stderr, "%s: interrupted by %s during training; the lesson stops here\n",
            chapter.name, grl_stop_name());
    return grl_stop_status();
  }
  return grl_lesson_end(&L);
}
