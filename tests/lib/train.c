/* tests/lib/train.c -- the readout's gradient, the stop flag, the training
 * loop learning the adding problem, the NaN guard, and the trainer's
 * refusals. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_errno.h>

/* L = MSE(readout(h), target) as a function of theta, for differences. */
static double readout_loss(const grl_model *m, const double *theta,
                           const gsl_matrix *h, const gsl_matrix *t,
                           gsl_matrix *y)
{
  grl_readout_forward(m, theta, h, y);
  return grl_loss_mse(y, t, NULL);
}

static void readout_gradient(void)
{
  /* H = 3, O = 2, 4 rows of made-up states and targets */
  grl_model *m;
  if (grl_model_alloc(&m, &grl_cell_rnn, 2, 3, 2))
    bail("model: %s", grl_strerror());
  for (size_t i = 0; i < m->n; i++)
    m->theta[i] = 0.37 * sin(2.385 * (double)i + 0.731);
  double hv[12] = {0.21, -0.83, 0.47, -0.12, 0.66, 0.94, 0.35, -0.58, 0.09, 0.77, 0.13, -0.41};
  double tv[8] = {0.52, -1.13, 0.88, 0.07, -0.36, 1.41, 0.29, -0.64};
  gsl_matrix_view h = gsl_matrix_view_array(hv, 4, 3), t = gsl_matrix_view_array(tv, 4, 2);
  gsl_matrix *y = gsl_matrix_alloc(4, 2), *dy = gsl_matrix_alloc(4, 2),
             *dh = gsl_matrix_alloc(4, 3);
  double dtheta[64] = {0}, theta[64];

  /* readout by hand for row 1, output 0: bo[0] + sum_j Wo[0][j] h[1][j] */
  grl_readout_forward(m, NULL, &h.matrix, y);
  const grl_param *W = grl_model_param(m, "readout_weight"), *b = grl_model_param(m, "readout_bias");
  ok(W && b && W->offset == m->ncell && b->offset + 2 == m->n, "readout_weight and readout_bias sit at the end of the block");
  double want = m->theta[b->offset];
  for (int j = 0; j < 3; j++)
    want += m->theta[W->offset + j] * hv[3 + j];
  is_double_abs(gsl_matrix_get(y, 1, 0), want, 1e-15, "readout y = Wo h + bo, by hand (absolute: the sum cancels)");

  grl_loss_mse(y, &t.matrix, dy);
  grl_readout_backward(m, NULL, dtheta, &h.matrix, dy, dh);
  /* central differences over every readout parameter */
  memcpy(theta, m->theta, m->n * sizeof *theta);
  double worst = 0;
  for (size_t i = m->ncell; i < m->n; i++) {
    const double e = 1e-6;
    theta[i] = m->theta[i] + e;
    double lp = readout_loss(m, theta, &h.matrix, &t.matrix, y);
    theta[i] = m->theta[i] - e;
    double lm = readout_loss(m, theta, &h.matrix, &t.matrix, y);
    theta[i] = m->theta[i];
    worst = fmax(worst, fabs((lp - lm) / (2 * e) - dtheta[i]));
  }
  ok(worst < 1e-9, "readout parameter gradients match central differences (max error %.2g)", worst);
  int untouched = 1;
  for (size_t i = 0; i < m->ncell; i++)
    untouched &= dtheta[i] == 0.0;
  ok(untouched, "readout backward leaves the cell's gradients alone");
  /* dh = dy Wo, checked entry (2, 1) by differences in h */
  double h21 = hv[7];
  hv[7] = h21 + 1e-6;
  double lp = readout_loss(m, NULL, &h.matrix, &t.matrix, y);
  hv[7] = h21 - 1e-6;
  double lm = readout_loss(m, NULL, &h.matrix, &t.matrix, y);
  hv[7] = h21;
  is_double(gsl_matrix_get(dh, 2, 1), (lp - lm) / 2e-6, 1e-7, "dL/dh matches central differences");
  /* backward accumulates */
  double once = dtheta[m->n - 1];
  grl_readout_backward(m, NULL, dtheta, &h.matrix, dy, NULL);
  is_double(dtheta[m->n - 1], 2 * once, 1e-15, "readout backward accumulates (+=)");
  gsl_matrix_free(y);
  gsl_matrix_free(dy);
  gsl_matrix_free(dh);
  grl_model_free(m);
}

static int count_steps(const grl_train_stat *st, void *ctx)
{
  size_t *n = ctx;
  ++*n;
  return st->step == 7 ? 42 : 0;  /* stop after step 7 */
}

/* Raise the stop flag from inside step 5's callback, as a signal
 * arriving during step 5 would. */
static int raise_stop(const grl_train_stat *st, void *ctx)
{
  volatile sig_atomic_t *stop = ctx;
  if (st->step == 5)
    *stop = 1;
  return 0;
}

/* The stop flag: the step under way finishes, no other starts, and the
 * model is exactly where 5 uninterrupted steps leave it. */
static void stop_flag(void)
{
  volatile sig_atomic_t stop = 0;
  grl_train_config cfg = {.optimizer = "adam", .lr = 0.01, .clip = 1.0, .batch = 8, .stop = &stop};
  grl_model *m, *ref;
  grl_trainer *tr;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  grl_train_stat log[20];
  size_t done = 99;
  if (!r || grl_model_alloc(&m, &grl_cell_gru, 2, 6, 1)
      || grl_model_alloc(&ref, &grl_cell_gru, 2, 6, 1))
    bail("stop_flag: %s", grl_strerror());

  /* the reference: 5 steps from seed 2385, no flag */
  gsl_rng_set(r, 2385);
  grl_model_init_uniform(ref, r);
  cfg.stop = NULL;
  if (grl_trainer_alloc(&tr, ref, "adding", 9, &cfg)
      || grl_train_run(tr, r, 5, NULL, NULL, NULL, NULL))
    bail("stop_flag: %s", grl_strerror());
  grl_trainer_free(tr);

  /* the same run asked for 20 steps, stopped during step 5 */
  gsl_rng_set(r, 2385);
  grl_model_init_uniform(m, r);
  cfg.stop = &stop;
  if (grl_trainer_alloc(&tr, m, "adding", 9, &cfg))
    bail("stop_flag: %s", grl_strerror());
  int st = grl_train_run(tr, r, 20, log, &done, raise_stop, (void *)&stop);
  is_int(st, GRL_EINTR, "a raised stop flag ends the run with GRL_EINTR");
  ok(done == 5 && log[4].step == 5 && isfinite(log[4].loss),
     "after the step under way: %zu steps done, the last logged is step %zu", done, log[4].step);
  ok(strcmp(grl_strerror(), "stopped after step 5 of 20") == 0,
     "the message says where: '%s'", grl_strerror());
  ok(memcmp(m->theta, ref->theta, m->n * sizeof *m->theta) == 0,
     "the model holds exactly the parameters of 5 uninterrupted steps");

  /* a flag already raised: no step at all, parameters untouched */
  double *before = malloc(m->n * sizeof *before);
  if (!before)
    bail("stop_flag: out of memory");
  memcpy(before, m->theta, m->n * sizeof *before);
  st = grl_train_run(tr, r, 20, log, &done, NULL, NULL);
  ok(st == GRL_EINTR && done == 0
     && memcmp(m->theta, before, m->n * sizeof *before) == 0,
     "a flag raised before the run: no step taken, parameters untouched (%zu steps)", done);
  free(before);
  grl_trainer_free(tr);
  grl_model_free(m);
  grl_model_free(ref);
  gsl_rng_free(r);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(6 + 6 + 6 + 4 + 5);
  stop_flag();
  readout_gradient();

  /* ---- a short GRU run learns the adding problem at T = 20 ---------- */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937), *rt = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  gsl_rng_set(rt, 2385);
  grl_model *m;
  grl_trainer *tr;
  if (grl_model_alloc(&m, &grl_cell_gru, 2, 32, 1))
    bail("model: %s", grl_strerror());
  grl_model_init_uniform(m, r);
  grl_train_config cfg = {.optimizer = "adam", .lr = 0.01, .clip = 1.0, .batch = 50, .stop = NULL};
  if (grl_trainer_alloc(&tr, m, "adding", 20, &cfg))
    bail("trainer: %s", grl_strerror());
  double before;
  ok(grl_trainer_evaluate(tr, rt, 1000, &before) == GRL_OK, "evaluate 1000 sequences before training");
  diag("untrained test MSE %.4f (baseline %.4f)", before, grl_trainer_task(tr)->baseline);
  static grl_train_stat log[300];
  size_t done = 0;
  double t0 = grl_seconds();
  int st = grl_train_run(tr, r, 300, log, &done, NULL, NULL);
  double secs = grl_seconds() - t0;
  ok(st == GRL_OK && done == 300, "300 steps of Adam (lr 0.01, clip 1) run: %s", st ? grl_strerror() : "ok");
  double test;
  ok(grl_trainer_evaluate(tr, rt, 1000, &test) == GRL_OK, "evaluate 1000 fresh sequences");
  ok(test < grl_trainer_task(tr)->baseline / 5,
     "GRU at T=20 beats the baseline 5x: test MSE %.5f < %.5f", test, grl_trainer_task(tr)->baseline / 5);
  diag("GRU T=20 H=32 B=50, 300 steps in %.2f s, test MSE %.5f", secs, test);
  int clip_ok = 1, steps_ok = 1;
  for (size_t i = 0; i < done; i++) {
    clip_ok &= log[i].clipped == (log[i].grad_norm >= 1.0);
    steps_ok &= log[i].step == i + 1 && isfinite(log[i].loss) && log[i].update_norm > 0;
  }
  ok(steps_ok, "every logged step has its number, a finite loss and a non-zero update");
  ok(clip_ok, "a step is clipped exactly when its gradient norm reaches the threshold");
  grl_trainer_free(tr);

  /* ---- the NaN guard: lr = 1e300 --------------------------------------- */
  grl_model_init_uniform(m, r);
  grl_train_config wild = {.optimizer = "sgd", .lr = 1e300, .clip = 0.0, .batch = 50, .stop = NULL};
  if (grl_trainer_alloc(&tr, m, "adding", 20, &wild))
    bail("trainer: %s", grl_strerror());
  done = 0;
  st = grl_train_run(tr, r, 50, log, &done, NULL, NULL);
  is_int(st, GRL_ENONFINITE, "lr = 1e300 trips the NaN/Inf guard");
  ok(done < 50, "training stops early (after %zu good steps)", done);
  ok(strstr(grl_strerror(), "step") && strstr(grl_strerror(), "finite"), "the message names the step: %s", grl_strerror());
  ok(grl_all_finite(m->theta, m->n), "the parameters left behind are finite");
  double after = NAN;
  st = grl_trainer_evaluate(tr, rt, 100, &after);
  ok(st == GRL_OK && isfinite(after), "and they give a finite loss (%g)", after);
  grl_trainer_free(tr);
  grl_train_config adam_wild = {.optimizer = "adam", .lr = 1e300, .clip = 1.0, .batch = 50, .stop = NULL};
  grl_model_init_uniform(m, r);
  if (grl_trainer_alloc(&tr, m, "adding", 20, &adam_wild))
    bail("trainer: %s", grl_strerror());
  st = grl_train_run(tr, r, 50, NULL, &done, NULL, NULL);
  ok(st == GRL_ENONFINITE && grl_all_finite(m->theta, m->n), "Adam with lr = 1e300 trips it too, after %zu steps", done);
  grl_trainer_free(tr);

  /* ---- the callback and the refusals --------------------------------- */
  size_t calls = 0;
  cfg.lr = 1e-3;
  if (grl_trainer_alloc(&tr, m, "adding", 20, &cfg))
    bail("trainer: %s", grl_strerror());
  st = grl_train_run(tr, r, 20, NULL, &done, count_steps, &calls);
  ok(st == 42 && done == 7 && calls == 7, "a callback's non-zero return stops the run (%d, %zu steps)", st, done);
  grl_trainer_free(tr);
  grl_model *wrong;
  grl_model_alloc(&wrong, &grl_cell_gru, 3, 8, 1);
  ok(grl_trainer_alloc(&tr, wrong, "adding", 20, &cfg) == GRL_EINVAL && strstr(grl_strerror(), "input size"),
     "a model with the wrong input size is refused: %s", grl_strerror());
  grl_model_free(wrong);
  grl_train_config neg = {.optimizer = "adam", .lr = 1e-3, .clip = -1.0, .batch = 50, .stop = NULL};
  ok(grl_trainer_alloc(&tr, m, "adding", 20, &neg) == GRL_EINVAL, "a negative clip threshold is refused");
  grl_train_config bad = {.optimizer = "lbfgs", .lr = 1e-3, .clip = 1.0, .batch = 50, .stop = NULL};
  ok(grl_trainer_alloc(&tr, m, "adding", 20, &bad) == GRL_EINVAL && strstr(grl_strerror(), "lbfgs"),
     "an unknown optimizer is refused by name");

  grl_model_free(m);
  gsl_rng_free(r);
  gsl_rng_free(rt);
  return exit_status();
}
