/* ch07-long-memory.c -- Chapter 7: learning a long dependency.
 *
 * Chapter 6 showed that at initialisation the gradient of a tanh RNN dies
 * within a few dozen steps, and that a gate near 1 keeps it alive.  Here
 * the cells have to USE that: they learn the adding problem, whose answer
 * depends on two inputs up to T steps back, and we watch who gets past the
 * no-memory baseline.
 *
 * What you will learn
 *   1. The adding problem (Arjovsky, Shah and Bengio 2016).  Each step
 *      feeds two numbers: a value v_t ~ U[0,1] and a marker m_t, which is
 *      1 at exactly one step of the first half and one step of the second
 *      half, 0 elsewhere.  After the last step the net must answer
 *        y = sum_t m_t v_t    (the sum of the two marked values)
 *      A net that remembers nothing can only answer E[y] = 1, and scores
 *        E[(y - 1)^2] = Var(v_i + v_j) = 2/12 = 1/6 = 0.1667,
 *      the baseline.  Beating it means carrying a value across up to T
 *      steps.
 *   2. The model: a cell (H units) and a linear readout y^ = Wo h_T + bo,
 *      trained on the mean squared error with full BPTT, Adam (lr 1e-3,
 *      PyTorch's update), and the gradient clipped to global norm 1.
 *      Every cell gets the same seed, batch size, optimiser and steps.
 *   3. The outcome: the GRU (and the LSTM) learn it at T = 50 and T = 100;
 *      the tanh RNN stays at the baseline.
 *   4. After training, the gradient against lag once more (chapter 6's
 *      measurement, grl_gradnorm_run, with the readout's direction): the
 *      trained GRU has learned to keep its gradient alive across the whole
 *      sequence; the RNN's still dies.
 *
 * Every run here is `grulab train` with the same settings:
 *   grulab train --task adding --cell gru --length 50 --seed 5
 * reproduces the GRU row at T = 50 of the default run (same initial
 * parameters, batches and 1000 test sequences).
 *
 * Run it (the default run trains six nets, 3000 steps each: about two
 * minutes on a 2-core machine; progress goes to stderr on a terminal):
 *   chapters/ch07-long-memory                  T = 50 and 100, H = 32
 *   chapters/ch07-long-memory --cells rnn,gru  skip the LSTM (faster)
 *   chapters/ch07-long-memory --quick          T = 10 and 20, 150 steps
 *
 * Charts:
 *   ch07-learning-curves  training loss (mean of the last 50 batches)
 *                         against step, every cell and T, on a log scale,
 *                         with the baseline 1/6 and one tenth of it
 *   ch07-lag-trained      ||dL/dh_{T-k}|| against lag k at the longest T,
 *                         before and after training, for every cell
 */
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const charts[] = {"learning-curves", "lag-trained", NULL};

static size_t opt_steps, opt_H;
static const char *opt_cells = "rnn,gru,lstm";

static const grl_lesson_opt options[] = {
  {"--steps", 'Z', &opt_steps, "N", "training steps per net (default 3000, quick 150)"},
  {"--hidden-size", 'Z', &opt_H, "H", "hidden units (default 32, quick 16)"},
  {"--cells", 's', &opt_cells, "LIST", "cells to train, comma-separated (default rnn,gru,lstm)"},
  {NULL, 0, NULL, NULL, NULL}};

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
   "error?", ex1_answer, 0.01},
  {"How many parameters does the GRU of the default run have (two inputs,\n"
   "H = 32, and a readout of H weights and one bias)?  Count by hand.",
   ex2_answer, 0.001},
  {"Train the tanh RNN for longer: `chapters/ch07-long-memory --cells rnn\n"
   "--steps 6000`.  Does it ever beat the baseline at the longer length?\n"
   "Compare its lag curve after training with the GRU's.", NULL, 0},
  {NULL, NULL, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch07-long-memory",
  .title = "Learning a long dependency: the adding problem",
  .summary =
    "Chapter 7 trains a tanh RNN, a GRU and an LSTM of the same size on the\n"
    "adding problem at T = 50 and T = 100 (same seed, batch, Adam and\n"
    "clipping for all), plots their learning curves against the no-memory\n"
    "baseline 1/6, prints a table of test MSE and time, and measures the\n"
    "gradient against lag again after training.  The default run takes\n"
    "about two minutes; --quick is a few seconds.",
  .charts = charts,
  .seed = 5,
  .opts = options,
  .check = check_options,
};

enum { MAX_RUNS = 16, SMOOTH = 50, BATCH = 50, TEST_SEQS = 1000, GN_BATCH = 32 };

/* One training run: a cell at one length. */
typedef struct {
  const grl_cell *cell;
  size_t T;
  grl_model *m;
  grl_train_stat *log;  /* (steps) */
  size_t done;
  double test, seconds;
  int ok;
} run;

/* PyTorch's numbers on this machine (issue 6): H=32, B=50, Adam 1e-3,
 * clip 1, 3000 steps.  NaN where there is none. */
static void pytorch_ref(const char *cell, size_t T, double *mse, double *secs)
{
  *mse = NAN;
  *secs = NAN;
  if (!strcmp(cell, "gru") && T == 50) { *mse = 0.0013; *secs = 29; }
  if (!strcmp(cell, "rnn") && T == 50) { *mse = 0.16; }
  if (!strcmp(cell, "gru") && T == 100) { *mse = 0.0018; *secs = 45; }
  if (!strcmp(cell, "rnn") && T == 100) { *mse = 0.164; }
}

/* Parse --cells "rnn,gru,lstm" into cells[], and check --hidden-size
 * against the library's limit, before the lesson starts: a bad value is a
 * usage error (one line on stderr, exit 2), not a failed lesson. */
static int check_options(grl_lesson *L)
{
  if (opt_H > GRL_SIZE_MAX)
    return grl_lesson_bad_option(L, "--hidden-size: %zu is above the limit %d",
                                 opt_H, GRL_SIZE_MAX);
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

/* ------------------------------------------------------------------ */
/* 1. Train one net                                                    */
/* ------------------------------------------------------------------ */

/* Exactly what `grulab train` does: one generator seeded with the seed
 * draws the initial parameters and then every batch; the 1000 test
 * sequences come from their own generator. */
static void train_one(grl_lesson *L, run *ru, size_t H, size_t steps,
                      unsigned long seed)
{
  grl_trainer *tr = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng *rt = gsl_rng_alloc(gsl_rng_mt19937);
  int st = (r && rt) ? GRL_OK : grl_fail(GRL_ENOMEM, "rng: out of memory");
  ru->log = calloc(steps, sizeof *ru->log);
  if (!st && !ru->log)
    st = grl_fail(GRL_ENOMEM, "training log: out of memory");
  if (!st) {
    gsl_rng_set(r, seed);
    gsl_rng_set(rt, grl_train_test_seed(seed));
    st = grl_model_alloc(&ru->m, ru->cell, 2, H, 1);
  }
  if (!st) {
    /* PyTorch's default: U(-1/sqrt(H), 1/sqrt(H)), readout included */
    grl_model_init_uniform(ru->m, r);
    grl_train_config cfg = {"adam", 1e-3, 1.0, BATCH, NULL};
    st = grl_trainer_alloc(&tr, ru->m, "adding", ru->T, &cfg);
  }
  if (!st) {
    grl_progress prog;
    grl_progress_init(&prog, stderr, isatty(fileno(stderr)), steps);
    double t0 = grl_seconds();
    st = grl_train_run(tr, r, steps, ru->log, &ru->done, grl_progress_step, &prog);
    ru->seconds = grl_seconds() - t0;
    grl_progress_end(&prog);
  }
  if (!st)
    st = grl_trainer_evaluate(tr, rt, TEST_SEQS, &ru->test);
  if (st) {
    char what[64];
    snprintf(what, sizeof what, "training %s at T=%zu", grl_cell_name(ru->cell), ru->T);
    grl_lesson_error(L, st, what);
  }
  ru->ok = st == GRL_OK;
  grl_trainer_free(tr);
  if (r)
    gsl_rng_free(r);
  if (rt)
    gsl_rng_free(rt);
}

/* Mean of the batch losses of steps (i-w, i], the curve we plot. */
static double smoothed(const run *ru, size_t i, size_t w)
{
  size_t lo = i + 1 >= w ? i + 1 - w : 0;
  double s = 0;
  for (size_t k = lo; k <= i; k++)
    s += ru->log[k].loss;
  return s / (double)(i + 1 - lo);
}

static void learning_chart(grl_lesson *L, const run *runs, size_t n,
                           size_t steps, size_t H, size_t w)
{
  grl_chart *ch = grl_lesson_chart(L, "learning-curves",
                                   "Adding problem: training loss against step");
  grl_chart_param(ch, "steps", "%zu", steps);
  grl_chart_param(ch, "H", "%zu", H);
  grl_chart_param(ch, "B", "%d", BATCH);
  grl_chart_param(ch, "optimizer", "adam lr=0.001 clip=1");
  grl_chart_param(ch, "smoothing", "mean of the last %zu batch losses", w);
  grl_chart_comment(ch, "loss_i = the batch MSE at step; smooth_i = mean of the last %zu of them", w);
  char cols[512] = "step";
  for (size_t i = 0; i < n; i++) {
    grl_chart_comment(ch, "series %zu: %s T=%zu (test mse %.6g)", i,
                      grl_cell_name(runs[i].cell), runs[i].T, runs[i].test);
    size_t len = strlen(cols);
    snprintf(cols + len, sizeof cols - len, " loss_%zu smooth_%zu", i, i);
  }
  grl_chart_columns(ch, cols);
  double row[1 + 2 * MAX_RUNS];
  size_t rows = steps;
  for (size_t i = 0; i < n; i++)
    if (runs[i].done < rows)
      rows = runs[i].done;
  for (size_t s = 0; s < rows; s++) {
    size_t j = 0;
    row[j++] = (double)(s + 1);
    for (size_t i = 0; i < n; i++) {
      row[j++] = runs[i].log[s].loss;
      row[j++] = smoothed(&runs[i], s, w);
    }
    grl_chart_row(ch, j, row);
  }
  /* One panel per length T, the same axes in each; colour by cell. */
  size_t Ts[MAX_RUNS], nT = 0;
  const grl_cell *seen[MAX_RUNS];
  size_t nseen = 0;
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (k < nT && Ts[k] != runs[i].T)
      k++;
    if (k == nT)
      Ts[nT++] = runs[i].T;
    k = 0;
    while (k < nseen && seen[k] != runs[i].cell)
      k++;
    if (k == nseen)
      seen[nseen++] = runs[i].cell;
  }
  grl_chart_gp(ch,
    "set multiplot layout 1,%zu title chart_title font font_title\n"
    "unset title\n"
    "set xlabel 'training step (batches of %d)'\n"
    "set ylabel 'mean squared error'\n"
    "@log_y\n"
    "set xrange [1:%zu]\n"
    "set xtics 0, %zu\n"
    "set yrange [5e-4:5]\n"
    "set key inside right top font font_small\n", nT, BATCH, rows,
    rows >= 3 ? rows / 3 : (size_t)1);
  for (size_t k = 0; k < nT; k++) {
    grl_chart_gp(ch, "%sset title 'T = %zu' font font_small\nplot ",
                 k ? "unset ylabel\n" : "", Ts[k]);
    for (size_t i = 0; i < n; i++) {
      if (runs[i].T != Ts[k])
        continue;
      size_t lt = 0;
      while (seen[lt] != runs[i].cell)
        lt++;
      grl_chart_gp(ch, "dat using 1:%zu with lines lt %zu title '%s', \\\n     ",
                   3 + 2 * i, lt + 1, grl_cell_name(runs[i].cell));
    }
    grl_chart_gp(ch, "1.0/6 with lines lt 7 dt 3 title 'baseline 1/6', \\\n"
                     "     1.0/60 with lines lt 8 dt 3 title 'baseline/10'\n");
  }
  grl_chart_gp(ch, "unset multiplot\n");
  grl_lesson_chart_done(L, ch);
}

/* Mean of the gate that keeps the state (gru z, lstm and seed f) over a
 * batch of adding sequences and every step; NAN if the cell has none. */
static double keep_gate(const grl_model *m, size_t T, unsigned long seed)
{
  const grl_cell *c = m->cell;
  size_t k = 0;
  while (k < c->ngate && strcmp(c->gate_names[k], "z") && strcmp(c->gate_names[k], "f"))
    k++;
  if (k == c->ngate)
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
      for (size_t i = 0; i < s->cache->size1; i++)
        for (size_t j = 0; j < H; j++)
          sum += gsl_matrix_get(s->cache, i, k * H + j);
      sum /= (double)(s->cache->size1 * H);
    }
  }
  grl_seq_free(s);
  grl_task_free(t);
  if (r)
    gsl_rng_free(r);
  return sum;
}

/* ------------------------------------------------------------------ */
/* 2. The gradient against lag, before and after                       */
/* ------------------------------------------------------------------ */

/* norm (T) for theta on a fixed batch of adding inputs (seeded). */
static int lag_norms(const grl_model *m, const double *theta, size_t T,
                     unsigned long seed, double *norm)
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
    st = grl_gradnorm_run(g, theta, t->x->data, r, norm, NULL);
  }
  grl_gradnorm_free(g);
  grl_task_free(t);
  if (r)
    gsl_rng_free(r);
  return st;
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;   /* --help, --charts: 0; a bad option: 2 */
  grl_train_blas_threads_default();

  const size_t steps = opt_steps ? opt_steps : (L.quick ? 150 : 3000);
  const size_t H = opt_H ? opt_H : (L.quick ? 16 : 32);
  const size_t lengths[2] = {L.quick ? 10 : 50, L.quick ? 20 : 100};
  const size_t w = steps >= 5 * SMOOTH ? SMOOTH : (steps / 5 ? steps / 5 : 1);
  grl_lesson_param(&L, "steps", "%zu", steps);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "B", "%d", BATCH);
  grl_lesson_param(&L, "cells", "%s", opt_cells);

  /* ---- 1. the task ---------------------------------------------------- */
  grl_lesson_section(&L, "The adding problem");
  grl_lesson_say(&L,
    "Input at step t: (v_t, m_t), v_t ~ U[0,1], m_t = 1 at one step of each\n"
    "half.  Target after the last step: y = sum_t m_t v_t.  One batch of the\n"
    "generator, and the statistics the baseline rests on:");
  {
    grl_task *t;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, L.seed);
    if (grl_task_alloc(&t, "adding", lengths[0], 2000) == GRL_OK) {
      grl_task_sample(t, r);
      double s = 0, s2 = 0;
      for (size_t b = 0; b < t->B; b++) {
        double y = gsl_matrix_get(t->y, b, 0);
        s += y;
        s2 += (y - 1) * (y - 1);
      }
      printf("  sequence 0, T = %zu: markers at t =", lengths[0]);
      for (size_t k = 0; k < t->T; k++)
        if (gsl_matrix_get(t->x, k * t->B, 1) == 1.0)
          printf(" %zu (v = %.4f)", k, gsl_matrix_get(t->x, k * t->B, 0));
      printf(", target y = %.4f\n", gsl_matrix_get(t->y, 0, 0));
      grl_lesson_known(&L, "mean target over 2000 sequences", s / (double)t->B, 1.0);
      grl_lesson_known(&L, "MSE of always answering 1", s2 / (double)t->B, 1.0 / 6.0);
      grl_task_free(t);
    }
    gsl_rng_free(r);
  }

  /* ---- 2. training ---------------------------------------------------- */
  grl_lesson_section(&L, "Training: same seed, batch, optimiser and steps for every cell");
  grl_lesson_say(&L,
    "Each net: the cell with H = %zu, a linear readout, MSE, batches of %d,\n"
    "Adam (lr 1e-3), clip to global norm 1, %zu steps, then the MSE on %d\n"
    "fresh test sequences.  Training is full BPTT on one BLAS thread.", H,
    BATCH, steps, TEST_SEQS);
  run runs[MAX_RUNS];
  size_t n = 0;
  memset(runs, 0, sizeof runs);
  for (size_t li = 0; li < 2; li++)
    for (size_t ci = 0; ci < ncells && n < MAX_RUNS; ci++, n++) {
      runs[n].cell = cells[ci];
      runs[n].T = lengths[li];
      printf("  training %-5s T = %3zu ... ", grl_cell_name(cells[ci]), lengths[li]);
      fflush(stdout);
      train_one(&L, &runs[n], H, steps, L.seed);
      if (runs[n].ok)
        printf("test mse %.5f\n", runs[n].test);
      else
        printf("failed\n");
    }
  int all_ok = 1;
  for (size_t i = 0; i < n; i++)
    all_ok &= runs[i].ok;
  if (!all_ok) {
    for (size_t i = 0; i < n; i++) {
      free(runs[i].log);
      grl_model_free(runs[i].m);
    }
    return grl_lesson_end(&L);
  }

  /* ---- 3. the table ---------------------------------------------------- */
  grl_lesson_section(&L, "Results");
  printf("  %-5s %5s %6s %10s %9s %9s   %-22s\n", "cell", "T", "steps", "test MSE",
         "seconds", "ms/step", "PyTorch (issue 6)");
  for (size_t i = 0; i < n; i++) {
    double pm, ps;
    pytorch_ref(grl_cell_name(runs[i].cell), runs[i].T, &pm, &ps);
    char ref[40] = "";
    if (!isnan(pm) && steps == 3000 && H == 32)
      snprintf(ref, sizeof ref, isnan(ps) ? "%.4g" : "%.4g in %.0f s", pm, ps);
    printf("  %-5s %5zu %6zu %10.5f %9.2f %9.3f   %-22s\n", grl_cell_name(runs[i].cell),
           runs[i].T, runs[i].done, runs[i].test, runs[i].seconds,
           1e3 * runs[i].seconds / (double)runs[i].done, ref);
  }
  printf("  baseline (always answer 1): %.4f; one tenth of it: %.4f\n", 1.0 / 6, 1.0 / 60);
  if (!L.quick && steps >= 3000) {
    /* what the chapter claims, checked on this run */
    for (size_t i = 0; i < n; i++) {
      char what[96];
      if (runs[i].cell == &grl_cell_gru) {
        snprintf(what, sizeof what, "gru T=%zu: test MSE below a tenth of the baseline", runs[i].T);
        grl_lesson_expect(&L, runs[i].test < 1.0 / 60, what);
      } else if (runs[i].cell == &grl_cell_rnn) {
        snprintf(what, sizeof what, "rnn T=%zu: test MSE still near the baseline (> 0.8/6)", runs[i].T);
        grl_lesson_expect(&L, runs[i].test > 0.8 / 6, what);
      }
    }
  }
  /* Say what happened, run by run, from the numbers. */
  for (size_t i = 0; i < n; i++) {
    double q = runs[i].test / (1.0 / 6);
    const char *verdict =
      q < 0.1 ? "learned it: test MSE below a tenth of the baseline" :
      q < 0.8 ? "is on its way: below the baseline, not yet a tenth of it" :
                "stays at the baseline: it answers the mean, about 1";
    printf("  %-5s T = %3zu %s (%.1f%% of the baseline)\n",
           grl_cell_name(runs[i].cell), runs[i].T, verdict, 100 * q);
  }
  grl_lesson_say(&L,
    "A cell that remembers nothing for T steps can do no better than the\n"
    "mean; that is the tanh RNN's fate at these lengths.  A gated cell\n"
    "first sits on the baseline too (the learning curves' plateau) until\n"
    "the gradient finds the two marked steps, then its loss falls.");
  learning_chart(&L, runs, n, steps, H, w);

  /* ---- 4. the gradient against lag, after training --------------------- */
  grl_lesson_section(&L, "The gradient against lag, before and after training");
  size_t Tl = lengths[1];
  grl_lesson_say(&L,
    "Chapter 6's measurement at T = %zu on %d adding sequences, with the\n"
    "readout's direction on h_T: ||dL/dh_{T-k}|| / ||dL/dh_T||, at the\n"
    "initial parameters (same seed) and at the trained ones.", Tl, GN_BATCH);
  double *gn = calloc(2 * n * Tl, sizeof *gn);
  size_t nl = 0;
  const run *lr[MAX_RUNS];
  for (size_t i = 0; i < n; i++)
    if (runs[i].T == Tl)
      lr[nl++] = &runs[i];
  int gst = gn ? GRL_OK : grl_fail(GRL_ENOMEM, "gradient norms: out of memory");
  printf("  %-5s %16s %16s %16s %16s %18s\n", "cell", "lag T/2, init", "lag T/2, trained",
         "lag T-1, init", "lag T-1, trained", "keep gate init->tr");
  for (size_t i = 0; i < nl && !gst; i++) {
    double *init = gn + 2 * i * Tl, *trained = init + Tl;
    /* the initial parameters again: the same generator, the same draws */
    grl_model *m0 = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, L.seed);
    gst = grl_model_alloc(&m0, lr[i]->cell, 2, H, 1);
    if (!gst) {
      grl_model_init_uniform(m0, r);
      gst = lag_norms(m0, NULL, Tl, L.seed + 1, init);
    }
    if (!gst)
      gst = lag_norms(lr[i]->m, NULL, Tl, L.seed + 1, trained);
    if (!gst) {
      char kg[40] = "-";
      double k0 = keep_gate(m0, Tl, L.seed + 1), k1 = keep_gate(lr[i]->m, Tl, L.seed + 1);
      if (!isnan(k0))
        snprintf(kg, sizeof kg, "%.3f -> %.3f", k0, k1);
      printf("  %-5s %16.4g %16.4g %16.4g %16.4g %18s\n", grl_cell_name(lr[i]->cell),
             init[Tl / 2], trained[Tl / 2], init[Tl - 1], trained[Tl - 1], kg);
    }
    grl_model_free(m0);
    gsl_rng_free(r);
  }
  if (gst) {
    grl_lesson_error(&L, gst, "gradient against lag");
  } else {
    grl_chart *ch = grl_lesson_chart(&L, "lag-trained",
                                     "Gradient norm against lag, before and after training");
    grl_chart_param(ch, "T", "%zu", Tl);
    grl_chart_param(ch, "gradnorm_batch", "%d", GN_BATCH);
    grl_chart_comment(ch, "init_i, trained_i = mean over the batch of ||dL/dh_{T-k}||, ||dL/dh_T|| = 1 (readout direction)");
    char cols[256] = "lag";
    for (size_t i = 0; i < nl; i++) {
      grl_chart_comment(ch, "series %zu: %s", i, grl_cell_name(lr[i]->cell));
      size_t len = strlen(cols);
      snprintf(cols + len, sizeof cols - len, " init_%zu trained_%zu", i, i);
    }
    grl_chart_columns(ch, cols);
    double row[1 + 2 * MAX_RUNS];
    for (size_t k = 0; k < Tl; k++) {
      size_t j = 0;
      row[j++] = (double)k;
      for (size_t i = 0; i < nl; i++) {
        row[j++] = gn[2 * i * Tl + k];
        row[j++] = gn[(2 * i + 1) * Tl + k];
      }
      grl_chart_row(ch, j, row);
    }
    grl_chart_gp(ch,
      "set xlabel 'lag k (steps back from the loss at step T = %zu)'\n"
      "set ylabel '‖∂L/∂h_{T-k}‖   (‖∂L/∂h_T‖ = 1)'\n"
      "@log_y\n"
      "set mytics 1\n"
      "set xrange [0:%zu]\n"
      "set key outside right top font font_small\n"
      "plot ", Tl, Tl - 1);
    for (size_t i = 0; i < nl; i++)
      grl_chart_gp(ch, "%sdat using 1:%zu with lines lt %zu title '%s, trained', \\\n"
                       "     dat using 1:%zu with lines lt %zu dt 2 lw 1.5 title '%s, at init'",
                   i ? ", \\\n     " : "", 3 + 2 * i, i + 1, grl_cell_name(lr[i]->cell),
                   2 + 2 * i, i + 1, grl_cell_name(lr[i]->cell));
    grl_chart_gp(ch, "\n");
    grl_lesson_chart_done(&L, ch);
    grl_lesson_say(&L,
      "At initialisation every cell's gradient is dead long before lag %zu.\n"
      "Training changes that for the gated cells: their gradient now\n"
      "reaches back across the whole sequence, and their mean\n"
      "keep gate (z or f) has moved towards 1.  The trained RNN's gradient\n"
      "still dies geometrically, so the first marker's value never gets a\n"
      "gradient that could teach the RNN to keep it.", Tl - 1);
    for (size_t i = 0; i < nl; i++) {
      double a0 = gn[2 * i * Tl + Tl - 1], a1 = gn[(2 * i + 1) * Tl + Tl - 1];
      printf("  %-5s gradient at lag %zu: %.3g at init, %.3g trained (%s)\n",
             grl_cell_name(lr[i]->cell), Tl - 1, a0, a1,
             a1 > 1e-3 ? "alive, > 1e-3" : a1 < a0 ? "dead, and smaller than at init" : "dead, < 1e-3");
    }
  }
  free(gn);
  for (size_t i = 0; i < n; i++) {
    free(runs[i].log);
    grl_model_free(runs[i].m);
  }
  return grl_lesson_end(&L);
}
