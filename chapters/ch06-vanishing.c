/* ch06-vanishing.c -- Chapter 6: vanishing and exploding gradients.
 *
 * Why gates?  Because the gradient that reaches back k steps in a plain
 * tanh RNN dies geometrically, at a rate that theory predicts, and a gate
 * that can sit near 1 keeps it alive.  This chapter measures both.
 *
 * What you will learn
 *   1. Backpropagation through time multiplies the gradient by one step
 *      Jacobian J_t = dh_t/dh_{t-1} per step back:
 *        dL/dh_{T-k} = J_{T-k+1}^T ... J_T^T dL/dh_T
 *      so its norm is at most the product of the Jacobians' norms.
 *   2. For the tanh RNN, J_t = diag(1 - h_t^2) W_hh, and |tanh'| <= gamma = 1,
 *      so ||J_t|| <= lambda_1, the largest singular value of W_hh.  Hence
 *      (Pascanu, Mikolov and Bengio 2013, sec. 3.2):
 *        ||dL/dh_{T-k}|| <= (lambda_1 gamma)^k ||dL/dh_T||
 *      and lambda_1 < 1/gamma is SUFFICIENT for the gradient to vanish.
 *      lambda_1 > 1 is necessary (not sufficient) for it to explode.
 *   3. The measured gradient sits under that bound -- usually far under:
 *      the product of norms is loose, because the Jacobians do not line up.
 *   4. A GRU with its update gate z near 1 has h' ~ h, J_t ~ diag(z):
 *      PyTorch's GRU adds b_z to z's pre-activation, so b_z = 4 gives
 *      z ~ sigma(4) = 0.982 and the gradient survives a hundred steps.
 *      The LSTM's forget gate f does the same for its cell state c.  The
 *      article's `seed` cell has f too, but its state h is never squashed,
 *      so with f near 1 its gradient can GROW.
 *   5. Exploding gradients (lambda_1 = 3) and the cure: clipping the
 *      gradient to a global norm (Pascanu et al. 2013, Algorithm 1) caps
 *      every update at lr * threshold, whatever the gradient did.
 *
 * The measurement (grl_gradnorm_run, also `grulab gradnorm`): run the cell
 * over a batch of adding-problem inputs, put a UNIT gradient u_b on each
 * final state h_T (the loss L = sum_b u_b . h_T), backpropagate through
 * time, and average ||dL/dh_{T-k}|| over the batch.  Lag 0 is then exactly
 * 1 and lag k shows the factor the gradient gained or lost in k steps.
 * Each J_t is computed exactly from the cell's own one-step backward, and
 * its largest singular value comes from an SVD.  For the LSTM the state is
 * (h, c), and both the gradient and J_t are those of the whole state.
 * Every plotted value is measured; the only formula drawn is the bound.
 *
 * Run it:
 *   chapters/ch06-vanishing              T = 100, B = 32, H = 32 (a few s)
 *   chapters/ch06-vanishing --quick      T = 20, B = 8, H = 16
 *   chapters/ch06-vanishing --help
 *   grulab gradnorm --cell rnn --steps 100 --singular-value 0.9   (one curve)
 *
 * Charts:
 *   ch06-rnn-lag     tanh RNN, ||dL/dh_{T-k}|| against k for lambda_1 in
 *                    {0.5, 0.9, 1, 1.5, 3}, each beside its bound lambda_1^k
 *   ch06-gru-lag     GRU at PyTorch's init and with b_z in {0, 2, 4}
 *   ch06-lstm-lag    LSTM with forget bias b_f in {0, 2, 4}
 *   ch06-seed-lag    the article's cell with forget bias b_f in {0, 2, 4}
 *   ch06-jacobians   ||dh_t/dh_{t-1}|| over t, for one setting of each
 *   ch06-clipping    lambda_1 = 3: the update norm of each SGD step with
 *                    and without clipping
 */
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const charts[] = {"rnn-lag", "gru-lag", "lstm-lag",
                                     "seed-lag", "jacobians", "clipping",
                                     NULL};

/* 0 = the chapter's default (full run, or --quick's) */
static size_t opt_T, opt_B, opt_H;

static const grl_lesson_opt options[] = {
  {"--length", 'Z', &opt_T, "T", "sequence length (default 100, quick 20)"},
  {"--batch", 'Z', &opt_B, "B", "sequences averaged over (default 32, quick 8)"},
  {"--hidden-size", 'Z', &opt_H, "H", "hidden units (default 32, quick 16)"},
  {NULL, 0, NULL, NULL, NULL}};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* the bound lambda_1^k */
{
  *v = pow(0.9, 20.0);
  return GRL_OK;
}

static int ex2_answer(double *v)   /* J_t ~ diag(z): z^100, z = sigma(4) */
{
  *v = pow(grl_sigmoid(4.0), 100.0);
  return GRL_OK;
}

static int ex3_answer(double *v)   /* lambda_1 with lambda_1^50 = 1e-3 */
{
  *v = pow(1e-3, 1.0 / 50.0);
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"For the tanh RNN with λ₁ = 0.9, what does the bound λ₁^k allow for the\n"
   "gradient at lag k = 20?  Compare with the measured curve in\n"
   "ch06-rnn-lag.", ex1_answer, 0.01},
  {"A GRU whose update gate sits at z = σ(4) has J_t ≈ diag(z).  Predict the\n"
   "gradient's norm at lag 100, then measure it with `grulab gradnorm\n"
   "--cell gru --steps 101 --gate-bias 4`.  Why is the measurement not\n"
   "exactly your prediction?", ex2_answer, 0.02},
  {"Which λ₁ makes the bound λ₁^k fall to 1e-3 at k = 50?  Run `grulab\n"
   "gradnorm --cell rnn --steps 51 --singular-value` with it: where does the\n"
   "measured norm end up?", ex3_answer, 0.005},
  {"Run `grulab gradnorm --cell rnn --steps 100 --singular-value 1.5`.  Is\n"
   "λ₁ > 1 enough for the gradient to explode?  What does the step\n"
   "Jacobians' norm column tell you?", NULL, 0},
  {NULL, NULL, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch06-vanishing",
  .title = "Vanishing and exploding gradients",
  .summary =
    "Chapter 6 measures how the gradient of a loss at the last step dies\n"
    "(or grows) as it travels back k steps: for a tanh RNN with W_hh scaled\n"
    "to largest singular value lambda_1, beside the bound lambda_1^k of\n"
    "Pascanu et al. (2013); for a GRU whose update-gate bias b_z holds z\n"
    "near 1; for the LSTM and the article's cell with a forget-gate bias.\n"
    "It shows each step's Jacobian norm, and how clipping by global norm\n"
    "tames the exploding case lambda_1 = 3.",
  .charts = charts,
  .seed = 1,
  .opts = options,
};

/* The run's sizes. */
typedef struct {
  size_t T, B, H;
  unsigned long seed;
} sizes;

/* How to set a model up before measuring it. */
typedef enum { SET_NONE, SET_SINGULAR, SET_GATE_BIAS } setting;

/* One measured curve: norm[k] and jac[k] for k = 0..T-1. */
typedef struct {
  const char *label;      /* for the lesson and the chart key */
  double *norm, *jac;     /* (T) each; jac NULL if not wanted */
} curve;

/* Measure one cell under one setting.  The model and the inputs are
 * drawn from the same seed for every setting, so settings of one cell
 * differ only in what the setting changes. */
static int measure(grl_lesson *L, const sizes *sz, const grl_cell *cell,
                   setting how, double value, double *norm, double *jac)
{
  grl_model *m = NULL;
  grl_gradnorm *g = NULL;
  grl_task *t = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int st = r ? GRL_OK : grl_fail(GRL_ENOMEM, "rng: out of memory");
  if (!st)
    gsl_rng_set(r, sz->seed);
  if (!st && !(st = grl_model_alloc(&m, cell, 2, sz->H, 0))) {
    /* PyTorch's default: every entry ~ U(-1/sqrt(H), 1/sqrt(H)) */
    grl_model_init_uniform(m, r);
    if (how == SET_SINGULAR)
      st = grl_init_singular_value(m, value);
    else if (how == SET_GATE_BIAS)
      st = grl_init_keep_gate_bias(m, value);
  }
  if (!st)
    st = grl_task_alloc(&t, "adding", sz->T, sz->B);
  if (!st)
    st = grl_gradnorm_alloc(&g, m, sz->T, sz->B);
  if (!st) {
    grl_task_sample(t, r);
    st = grl_gradnorm_run(g, NULL, t->x->data, r, norm, jac);
  }
  if (st)
    grl_lesson_error(L, st, grl_cell_name(cell));
  grl_gradnorm_free(g);
  grl_task_free(t);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
  return st;
}

/* Mean of jac over all steps. */
static double mean(size_t n, const double *v)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  return s / (double)n;
}

/* The effective factor per step: (norm[K] / norm[0])^(1/K). */
static double rate(size_t T, const double *norm)
{
  return pow(norm[T - 1] / norm[0], 1.0 / (double)(T - 1));
}

/* A chart of several curves against the lag, one column each, and a
 * dashed reference ref[i]^k beside every series whose ref[i] is not NaN
 * (the bound lambda_1^k for the RNN; sigma(b)^k for the gated cells). */
static void lag_chart(grl_lesson *L, const sizes *sz, const char *name,
                      const char *title, size_t n, const curve *c,
                      const double *ref, const char *ref_meaning,
                      const char *ref_key, const char *yrange)
{
  grl_chart *ch = grl_lesson_chart(L, name, title);
  grl_chart_param(ch, "T", "%zu", sz->T);
  grl_chart_param(ch, "B", "%zu", sz->B);
  grl_chart_param(ch, "H", "%zu", sz->H);
  grl_chart_comment(ch, "norm_i = mean over the batch of ||dL/dh_{T-k}|| (measured), with ||dL/dh_T|| = 1");
  grl_chart_comment(ch, "ref_i = %s", ref_meaning);
  char cols[512] = "lag";
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(cols);
    snprintf(cols + len, sizeof cols - len, " norm_%zu ref_%zu", i, i);
    grl_chart_comment(ch, "series %zu: %s", i, c[i].label);
  }
  grl_chart_columns(ch, cols);
  double row[1 + 2 * 8];
  for (size_t k = 0; k < sz->T; k++) {
    size_t j = 0;
    row[j++] = (double)k;
    for (size_t i = 0; i < n; i++) {
      row[j++] = c[i].norm[k];
      /* a series without a reference repeats its measurement (never drawn) */
      row[j++] = isnan(ref[i]) ? c[i].norm[k] : pow(ref[i], (double)k);
    }
    grl_chart_row(ch, j, row);
  }
  grl_chart_gp(ch,
    "set xlabel 'lag k (steps back from the loss at step T)'\n"
    "set ylabel '‖∂L/∂h_{T-k}‖   (‖∂L/∂h_T‖ = 1)'\n"
    "@log_y\n"
    "set mytics 1\n"
    "set xrange [0:%zu]\n"
    "set yrange %s\n"
    "set key outside right top font font_small\n"
    "plot ", sz->T - 1, yrange);
  for (size_t i = 0; i < n; i++) {
    grl_chart_gp(ch, "%sdat using 1:%zu with lines lt %zu title '%s'",
                 i ? ", \\\n     " : "", 2 + 2 * i, i + 1, c[i].label);
    if (!isnan(ref[i]))
      grl_chart_gp(ch, ", \\\n     dat using 1:%zu with lines lt %zu dt 2 lw 1.5 notitle",
                   3 + 2 * i, i + 1);
  }
  grl_chart_gp(ch, ", \\\n     NaN with lines lt 7 dt 2 lw 1.5 title '%s'\n", ref_key);
  grl_lesson_chart_done(L, ch);
}

/* ------------------------------------------------------------------ */
/* 1. The tanh RNN and the bound lambda_1^k                           */
/* ------------------------------------------------------------------ */

static void rnn_lag(grl_lesson *L, const sizes *sz, double *jac05,
                    double *jac3)
{
  grl_lesson_section(L, "The tanh RNN: the gradient dies at a rate set by lambda_1");
  grl_lesson_say(L,
    "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), so the step Jacobian is\n"
    "  J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh,    ||J_t|| <= gamma lambda_1\n"
    "with gamma = max |tanh'| = 1 and lambda_1 the largest singular value of\n"
    "W_hh.  Multiplying k of them: ||dL/dh_{T-k}|| <= lambda_1^k.  We rescale\n"
    "PyTorch's random W_hh to five values of lambda_1 and measure.");
  static const double lambdas[5] = {0.5, 0.9, 1.0, 1.5, 3.0};
  static const char *const labels[5] = {"λ_1 = 0.5", "λ_1 = 0.9", "λ_1 = 1",
                                        "λ_1 = 1.5", "λ_1 = 3"};
  const size_t T = sz->T;
  curve c[5];
  double *buf = calloc(10 * T, sizeof *buf);
  if (!buf) {
    grl_lesson_error(L, GRL_ENOMEM, "rnn curves");
    return;
  }
  printf("  %-9s %12s %12s %14s %14s %12s\n", "lambda_1", "mean ||J_t||",
         "rate/step", "norm at lag", "bound", "under bound");
  int all_under = 1;
  for (int i = 0; i < 5; i++) {
    c[i].label = labels[i];
    c[i].norm = buf + 2 * i * T;
    c[i].jac = buf + (2 * i + 1) * T;
    if (measure(L, sz, &grl_cell_rnn, SET_SINGULAR, lambdas[i], c[i].norm, c[i].jac))
      goto done;
    int under = 1;
    for (size_t k = 0; k < T; k++)
      under &= c[i].norm[k] <= pow(lambdas[i], (double)k) * (1 + 1e-12);
    all_under &= under;
    printf("  %-9g %12.4f %12.4f %14.4g %14.4g %12s\n", lambdas[i],
           mean(T, c[i].jac), rate(T, c[i].norm), c[i].norm[T - 1],
           pow(lambdas[i], (double)(T - 1)), under ? "yes" : "NO");
  }
  printf("  (norm and bound at lag k = T-1 = %zu; rate = (norm_k/norm_0)^(1/k))\n", T - 1);
  grl_lesson_expect(L, all_under, "every measured ||dL/dh_{T-k}|| <= lambda_1^k, at every lag");
  grl_lesson_say(L,
    "The measurement sits under the bound at every lag, and for lambda_1 <= 1\n"
    "far under it: the per-step factor is well below mean ||J_t||, because\n"
    "the product of norms assumes every Jacobian stretches the gradient along\n"
    "the same direction, and they do not.  lambda_1 < 1 is sufficient for the\n"
    "gradient to vanish; with lambda_1 = 3 it grows instead -- lambda_1 > 1 is\n"
    "the necessary condition for explosion (section 6 deals with it).");
  memcpy(jac05, c[0].jac, T * sizeof *jac05);
  memcpy(jac3, c[4].jac, T * sizeof *jac3);
  lag_chart(L, sz, "rnn-lag", "tanh RNN: gradient norm against lag, by λ_1",
            5, c, lambdas, "lambda_1^k, the bound of Pascanu et al. 2013",
            "dashed: bound λ_1^k", "[1e-60:1e8]");
done:
  free(buf);
}

/* ------------------------------------------------------------------ */
/* 2.-3. Gated cells: a gate near 1 is a highway for the gradient      */
/* ------------------------------------------------------------------ */

/* One gated cell: optionally at PyTorch's init (its Jacobians into
 * jac_default), then with the keep-gate bias at 0, 2 and 4 (the
 * Jacobians of bias keep_bias into jac_keep). */
static void gated_lag(grl_lesson *L, const sizes *sz, const grl_cell *cell,
                      const char *title_name, const char *chart,
                      const char *gate, double *jac_default,
                      double *jac_keep, double keep_bias)
{
  double ref[4];
  const size_t T = sz->T;
  static const double biases[3] = {0.0, 2.0, 4.0};
  curve c[4];
  char labels[4][64];
  size_t n = 0;
  double *buf = calloc(8 * T, sizeof *buf);
  if (!buf) {
    grl_lesson_error(L, GRL_ENOMEM, chart);
    return;
  }
  printf("  %-26s %10s %12s %12s %14s %14s\n", "setting", "sigma(b)", "mean ||J_t||",
         "rate/step", "norm at lag", "sigma(b)^lag");
  if (jac_default) {
    snprintf(labels[n], sizeof labels[n], "PyTorch init");
    c[n].label = labels[n];
    c[n].norm = buf;
    c[n].jac = buf + T;
    ref[n] = NAN;
    if (measure(L, sz, cell, SET_NONE, 0, c[n].norm, c[n].jac))
      goto done;
    printf("  %-26s %10s %12.4f %12.4f %14.4g %14s\n", "PyTorch init", "-",
           mean(T, c[n].jac), rate(T, c[n].norm), c[n].norm[T - 1], "-");
    memcpy(jac_default, c[n].jac, T * sizeof *jac_default);
    n++;
  }
  for (int i = 0; i < 3; i++, n++) {
    snprintf(labels[n], sizeof labels[n], "%s = %g", gate, biases[i]);
    c[n].label = labels[n];
    c[n].norm = buf + 2 * n * T;
    c[n].jac = buf + (2 * n + 1) * T;
    if (measure(L, sz, cell, SET_GATE_BIAS, biases[i], c[n].norm, c[n].jac))
      goto done;
    double s = grl_sigmoid(biases[i]);
    ref[n] = s;
    char what[40];
    snprintf(what, sizeof what, "%s, %s = %g", grl_cell_name(cell), gate, biases[i]);
    printf("  %-26s %10.4f %12.4f %12.4f %14.4g %14.4g\n", what, s,
           mean(T, c[n].jac), rate(T, c[n].norm), c[n].norm[T - 1],
           pow(s, (double)(T - 1)));
    if (biases[i] == keep_bias && jac_keep)
      memcpy(jac_keep, c[n].jac, T * sizeof *jac_keep);
  }
  printf("  (at lag T-1 = %zu)\n", T - 1);
  char title[160], key[64];
  snprintf(title, sizeof title, "%s: gradient norm against lag, by %s",
           title_name, gate);
  snprintf(key, sizeof key, "dashed: σ(%s)^k", gate);
  lag_chart(L, sz, chart, title, n, c, ref,
            "sigma(b)^k, what J_t = diag(sigma(b)) would keep (a reference, not a bound)",
            key, "[*:*]");
done:
  free(buf);
}

static void gru_lag(grl_lesson *L, const sizes *sz, double *jac_init,
                    double *jac_b4)
{
  grl_lesson_section(L, "The GRU: an update gate near 1 keeps the gradient alive");
  grl_lesson_say(L,
    "h' = (1 - z) * n + z * h  (z = the fraction of h KEPT), so\n"
    "  dh'/dh = diag(z) + (terms through n, r and z)\n"
    "and with z near 1 the step Jacobian is close to diag(z): the gradient\n"
    "passes back almost untouched.  PyTorch's GRU computes\n"
    "z = sigma(W_iz x + b_iz + W_hz h + b_hz); we set b_iz = b_z, b_hz = 0.\n"
    "If J_t were exactly diag(sigma(b_z)), lag k would keep sigma(b_z)^k.");
  gated_lag(L, sz, &grl_cell_gru, "GRU", "gru-lag", "b_z", jac_init, jac_b4, 4.0);
  grl_lesson_say(L,
    "At PyTorch's initialisation (every bias ~ U(-1/sqrt(H), 1/sqrt(H)), so\n"
    "z ~ 0.5) the GRU forgets almost as fast as a tanh RNN.  With b_z = 4 the\n"
    "measured gradient follows sigma(4)^k = 0.982^k closely: the gate, not\n"
    "the weights, decides how far back the gradient reaches -- and training\n"
    "can move the gate (chapter 7).");
}

static void lstm_seed_lag(grl_lesson *L, const sizes *sz, double *jac_lstm,
                          double *jac_seed)
{
  grl_lesson_section(L, "The LSTM and the article's cell: the forget gate");
  grl_lesson_say(L,
    "LSTM: c' = f * c + i * g, h' = o * tanh(c').  Along c the step Jacobian\n"
    "is diag(f) plus gate terms, so a forget bias b_f (b_if = b_f, b_hf = 0)\n"
    "holds f near 1 and the memory in c.  The state is (h, c): the norms and\n"
    "Jacobians below are of the whole state, the gradient at lag 0 sits on h\n"
    "only and must first pass into c (through o and tanh'), which costs a\n"
    "constant factor in the first steps.");
  gated_lag(L, sz, &grl_cell_lstm, "LSTM", "lstm-lag", "b_f", NULL, jac_lstm, 4.0);
  grl_lesson_say(L,
    "The article's seed cell: h_t = f * h_{t-1} + i * tanh(W_c v + b_c).\n"
    "Like the LSTM's c, its h is carried by f; unlike it, h is never\n"
    "squashed and f and i are not coupled (the GRU has f = z, i = 1 - z).\n"
    "With f near 1, h keeps adding i * tanh(...) and its Jacobian can exceed\n"
    "1: the gradient grows with the lag instead of dying.");
  gated_lag(L, sz, &grl_cell_seed, "The article's seed cell", "seed-lag", "b_f", NULL, jac_seed, 2.0);
}

/* ------------------------------------------------------------------ */
/* 4. The step Jacobians over time                                     */
/* ------------------------------------------------------------------ */

static void jacobian_chart(grl_lesson *L, const sizes *sz, double *const *jac,
                           const char *const *labels, size_t n)
{
  grl_lesson_section(L, "Step Jacobians over time");
  grl_lesson_say(L,
    "||dh_t/dh_{t-1}||, the largest singular value of each step's Jacobian,\n"
    "averaged over the batch.  Below 1 the gradient shrinks through that\n"
    "step, above 1 it may grow.  A tanh RNN's value is capped by lambda_1;\n"
    "a gate held near 1 pins it near 1.");
  grl_chart *ch = grl_lesson_chart(L, "jacobians", "Step Jacobian norm ‖∂h_t/∂h_{t-1}‖ over time");
  grl_chart_param(ch, "T", "%zu", sz->T);
  grl_chart_param(ch, "B", "%zu", sz->B);
  grl_chart_param(ch, "H", "%zu", sz->H);
  for (size_t i = 0; i < n; i++)
    grl_chart_comment(ch, "series %zu: %s", i, labels[i]);
  grl_chart_comment(ch, "jac_i = mean over the batch of sigma_max(dh_t/dh_{t-1}); lstm: of d(h,c)_t/d(h,c)_{t-1}");
  char cols[256] = "t";
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(cols);
    snprintf(cols + len, sizeof cols - len, " jac_%zu", i);
  }
  grl_chart_columns(ch, cols);
  double row[16];
  for (size_t t = 1; t <= sz->T; t++) {
    row[0] = (double)t;
    /* jac[k] is the Jacobian of step t = T - k */
    for (size_t i = 0; i < n; i++)
      row[1 + i] = jac[i][sz->T - t];
    grl_chart_row(ch, 1 + n, row);
  }
  grl_chart_gp(ch,
    "set xlabel 'time step t'\n"
    "set ylabel '‖∂h_t/∂h_{t-1}‖  (largest singular value)'\n"
    "set xrange [1:%zu]\n"
    "set yrange [0:*]\n"
    "set key outside right top font font_small\n"
    "plot ", sz->T);
  for (size_t i = 0; i < n; i++)
    grl_chart_gp(ch, "%sdat using 1:%zu with lines lt %zu title '%s'",
                 i ? ", \\\n     " : "", i + 2, i + 1, labels[i]);
  grl_chart_gp(ch, ", \\\n     1 with lines lt 8 dt 3 title 'norm 1'\n");
  grl_lesson_chart_done(L, ch);
  for (size_t i = 0; i < n; i++) {
    char lab[80];
    snprintf(lab, sizeof lab, "mean ||J_t||, %s", labels[i]);
    grl_lesson_value(L, lab, mean(sz->T, jac[i]));
  }
}

/* ------------------------------------------------------------------ */
/* 5. Exploding gradients and clipping                                 */
/* ------------------------------------------------------------------ */

static void clipping(grl_lesson *L, const sizes *sz)
{
  grl_lesson_section(L, "Exploding gradients (lambda_1 = 3) and clipping");
  const size_t steps = sz->T >= 50 ? 200 : 40, T = sz->T >= 50 ? 50 : sz->T;
  const double lr = 0.05, threshold = 1.0;
  grl_lesson_say(L,
    "A tanh RNN with lambda_1 = 3 learns the adding problem (T = %zu) with\n"
    "plain SGD, lr = %g, twice from the same start and the same batches:\n"
    "once as is, once with the gradient clipped to global norm %g\n"
    "(Pascanu et al. 2013, Algorithm 1: if ||g|| >= threshold,\n"
    "g <- threshold g / ||g||).  The update is theta <- theta - lr g, so\n"
    "clipping caps ||update|| at lr * threshold = %g.", T, lr, threshold,
    lr * threshold);
  grl_train_stat *log[2];
  size_t done[2] = {0, 0};
  double final[2] = {NAN, NAN};
  log[0] = calloc(steps, sizeof *log[0]);
  log[1] = calloc(steps, sizeof *log[1]);
  if (!log[0] || !log[1]) {
    grl_lesson_error(L, GRL_ENOMEM, "clipping");
    goto done;
  }
  for (int clip = 0; clip < 2; clip++) {
    grl_model *m = NULL;
    grl_trainer *tr = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, sz->seed);
    grl_train_config cfg = {"sgd", lr, clip ? threshold : 0.0, 50, NULL};
    int st = grl_model_alloc(&m, &grl_cell_rnn, 2, sz->H, 1);
    if (!st) {
      grl_model_init_uniform(m, r);
      st = grl_init_singular_value(m, 3.0);
    }
    if (!st)
      st = grl_trainer_alloc(&tr, m, "adding", T, &cfg);
    if (!st) {
      st = grl_train_run(tr, r, steps, log[clip], &done[clip], NULL, NULL);
      if (st == GRL_ENONFINITE) {
        grl_lesson_say(L, "without clipping: %s", grl_strerror());
        st = GRL_OK;
      }
    }
    if (!st && done[clip])
      final[clip] = log[clip][done[clip] - 1].loss;
    if (st)
      grl_lesson_error(L, st, clip ? "training with clipping" : "training without clipping");
    grl_trainer_free(tr);
    grl_model_free(m);
    gsl_rng_free(r);
  }
  double gmax[2] = {0, 0}, umax[2] = {0, 0};
  for (int c = 0; c < 2; c++)
    for (size_t i = 0; i < done[c]; i++) {
      gmax[c] = fmax(gmax[c], log[c][i].grad_norm);
      umax[c] = fmax(umax[c], log[c][i].update_norm);
    }
  /* how many updates did clipping cap? */
  size_t nclipped = 0;
  for (size_t i = 0; i < done[1]; i++)
    nclipped += (size_t)log[1][i].clipped;
  printf("  %-18s %10s %16s %16s %14s\n", "", "steps", "largest ||g||",
         "largest update", "last loss");
  printf("  %-18s %10zu %16.4g %16.4g %14.4g\n", "without clipping", done[0], gmax[0], umax[0], final[0]);
  printf("  %-18s %10zu %16.4g %16.4g %14.4g\n", "with clipping", done[1], gmax[1], umax[1], final[1]);
  grl_lesson_value(L, "steps clipped (with clipping)", (double)nclipped);
  grl_lesson_check(L, "largest clipped update - lr * threshold", umax[1] - lr * threshold, 1e-12);
  grl_lesson_value(L, "largest update without / with clipping", umax[0] / umax[1]);
  grl_lesson_say(L,
    "Without clipping, an exploding gradient throws the parameters as far\n"
    "as lr ||g||; the next gradient is larger still, and the run feeds on\n"
    "itself (the loss above is the last batch's).  With clipping the\n"
    "gradient keeps its direction, only its length is capped, and the loss\n"
    "stays near the no-memory baseline 1/6 -- where a tanh RNN stays anyway\n"
    "(chapter 7).");

  grl_chart *ch = grl_lesson_chart(L, "clipping", "λ_1 = 3: size of each SGD update, clipped or not");
  grl_chart_param(ch, "T", "%zu", T);
  grl_chart_param(ch, "H", "%zu", sz->H);
  grl_chart_param(ch, "lr", "%g", lr);
  grl_chart_param(ch, "clip", "%g", threshold);
  grl_chart_comment(ch, "update = ||theta_after - theta_before||, grad = ||g|| before clipping");
  grl_chart_columns(ch, "step update_noclip grad_noclip update_clip grad_clip");
  size_t nrow = done[0] < done[1] ? done[0] : done[1];
  for (size_t i = 0; i < nrow; i++)
    grl_chart_row(ch, 5, (double[]){(double)(i + 1), log[0][i].update_norm, log[0][i].grad_norm,
                                    log[1][i].update_norm, log[1][i].grad_norm});
  grl_chart_gp(ch,
    "set xlabel 'SGD step'\n"
    "set ylabel 'norm'\n"
    "@log_y\n"
    "set mytics 1\n"
    "set key outside right top font font_small\n"
    "plot dat using 1:2 with lines lt 2 title '‖update‖, no clipping', \\\n"
    "     dat using 1:4 with lines lt 1 title '‖update‖, clipped at 1', \\\n"
    "     dat using 1:3 with lines lt 2 dt 2 lw 1 title '‖g‖, no clipping', \\\n"
    "     dat using 1:5 with lines lt 1 dt 2 lw 1 title '‖g‖ before clipping', \\\n"
    "     %g with lines lt 8 dt 3 title 'lr × threshold'\n", lr * threshold);
  grl_lesson_chart_done(L, ch);
done:
  free(log[0]);
  free(log[1]);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;   /* --help, --charts: 0; a bad option: 2 */
  grl_train_blas_threads_default();

  sizes sz = {L.quick ? 20 : 100, L.quick ? 8 : 32, L.quick ? 16 : 32, L.seed};
  if (opt_T) sz.T = opt_T;
  if (opt_B) sz.B = opt_B;
  if (opt_H) sz.H = opt_H;
  if (sz.T < 2) {
    grl_lesson_expect(&L, 0, "--length must be at least 2");
    return grl_lesson_end(&L);
  }
  grl_lesson_param(&L, "T", "%zu", sz.T);
  grl_lesson_param(&L, "B", "%zu", sz.B);
  grl_lesson_param(&L, "H", "%zu", sz.H);

  double *jac = calloc(6 * sz.T, sizeof *jac);
  if (!jac)
    return grl_lesson_error(&L, GRL_ENOMEM, "jacobians"), grl_lesson_end(&L);
  double *j_rnn05 = jac, *j_rnn3 = jac + sz.T, *j_gru = jac + 2 * sz.T,
         *j_gru4 = jac + 3 * sz.T, *j_lstm4 = jac + 4 * sz.T,
         *j_seed2 = jac + 5 * sz.T;

  rnn_lag(&L, &sz, j_rnn05, j_rnn3);
  gru_lag(&L, &sz, j_gru, j_gru4);
  lstm_seed_lag(&L, &sz, j_lstm4, j_seed2);
  double *const series[6] = {j_rnn05, j_rnn3, j_gru, j_gru4, j_lstm4, j_seed2};
  static const char *const labels[6] = {"rnn, λ_1 = 0.5", "rnn, λ_1 = 3",
                                        "gru, PyTorch init", "gru, b_z = 4",
                                        "lstm, b_f = 4", "seed, b_f = 2"};
  jacobian_chart(&L, &sz, series, labels, 6);
  clipping(&L, &sz);
  free(jac);
  return grl_lesson_end(&L);
}
