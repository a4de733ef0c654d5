/* tests/lib/task.c -- the task generators have the statistics their papers
 * promise: the adding problem (Arjovsky et al. 2016) has exactly one
 * marker in each half, values in [0,1), and a target of mean 1 and
 * variance 1/6 (so always answering 1 scores 1/6); the copy task has its
 * message, delimiter and targets where they belong. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_errno.h>

static void adding_stats(size_t T, size_t B, size_t batches, gsl_rng *r)
{
  grl_task *t;
  if (grl_task_alloc(&t, "adding", T, B)) {
    ok(0, "alloc adding T=%zu: %s", T, grl_strerror());
    return;
  }
  const size_t half = T / 2;
  size_t bad_markers = 0, bad_values = 0, bad_targets = 0;
  size_t seen_first_edge = 0, seen_second_edge = 0;
  double sum = 0, sum2 = 0, base = 0;
  for (size_t k = 0; k < batches; k++) {
    grl_task_sample(t, r);
    for (size_t b = 0; b < B; b++) {
      size_t n1 = 0, n2 = 0;
      double marked = 0;
      for (size_t s = 0; s < T; s++) {
        double v = gsl_matrix_get(t->x, s * B + b, 0);
        double mk = gsl_matrix_get(t->x, s * B + b, 1);
        if (!(v >= 0.0 && v < 1.0))
          bad_values++;
        if (mk != 0.0 && mk != 1.0)
          bad_markers++;
        if (mk == 1.0) {
          marked += v;
          if (s < half) n1++; else n2++;
          if (s == 0 || s == half - 1) seen_first_edge++;
          if (s == half || s == T - 1) seen_second_edge++;
        }
      }
      if (n1 != 1 || n2 != 1)
        bad_markers++;
      double y = gsl_matrix_get(t->y, b, 0);
      if (y != marked)
        bad_targets++;
      sum += y;
      sum2 += y * y;
      base += (y - 1.0) * (y - 1.0);
    }
  }
  const double N = (double)(B * batches);
  double mean = sum / N, var = sum2 / N - mean * mean;
  is_int((long)bad_markers, 0, "adding T=%zu: exactly one marker in each half, all markers 0 or 1", T);
  is_int((long)bad_values, 0, "adding T=%zu: every value in [0,1)", T);
  is_int((long)bad_targets, 0, "adding T=%zu: target = sum of the two marked values", T);
  ok(seen_first_edge > 0 && seen_second_edge > 0, "adding T=%zu: markers reach the edges of both halves", T);
  /* the mean of N targets has standard deviation sqrt(1/6 / N) */
  double sd = sqrt(1.0 / 6.0 / N);
  ok(fabs(mean - 1.0) < 5 * sd, "adding T=%zu: target mean %.4f is 1 within 5 sd (%.4f)", T, mean, sd);
  /* y - 1 is triangular on [-1, 1]: E(y-1)^2 = 1/6, E(y-1)^4 = 1/15, so a
   * mean of N squared deviations has standard deviation
   * sqrt((1/15 - 1/36) / N). */
  double sd2 = sqrt((1.0 / 15.0 - 1.0 / 36.0) / N);
  is_double_abs(var, 1.0 / 6.0, 5 * sd2, "adding T=%zu: target variance %.4f is 1/6 within 5 sd (%.4f)", T, var, sd2);
  is_double_abs(base / N, t->baseline, 5 * sd2,
                "adding T=%zu: MSE of always answering 1, %.4f, is the task's baseline within 5 sd", T, base / N);
  grl_task_free(t);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(2 * 7 + 3 + 8 + 3);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);

  adding_stats(50, 64, 160, r);  /* 10240 sequences */
  adding_stats(7, 100, 100, r);  /* an odd length: halves [0,3) and [3,7) */

  grl_task *t;
  if (grl_task_alloc(&t, "adding", 40, 3))
    bail("adding: %s", grl_strerror());
  is_double(t->baseline, 1.0 / 6.0, 1e-15, "the adding task's baseline is 1/6 (always answering 1)");
  grl_task_free(t);
  ok(grl_task_alloc(&t, "adding", 1, 4) == GRL_EINVAL, "adding with T=1 is refused (no second half)");
  ok(grl_task_alloc(&t, "parity", 10, 4) == GRL_EINVAL && strstr(grl_strerror(), "parity"),
     "an unknown task is refused by name");

  /* ---- copy memory -------------------------------------------------- */
  const size_t L = 13, B = 5;
  if (grl_task_alloc(&t, "copy", L, B))
    bail("copy: %s", grl_strerror());
  grl_task_sample(t, r);
  is_int((long)t->T, (long)(L + 20), "copy: T = delay + 20");
  is_double(t->baseline, 10 * log(8.0) / (L + 20), 1e-15, "copy: baseline 10 ln 8 / (T + 20)");
  size_t bad_onehot = 0, bad_msg = 0, bad_delim = 0, bad_target = 0, bad_blank_target = 0;
  for (size_t b = 0; b < B; b++)
    for (size_t s = 0; s < t->T; s++) {
      size_t hot = 99, nhot = 0;
      for (size_t k = 0; k < 10; k++)
        if (gsl_matrix_get(t->x, s * B + b, k) != 0.0) {
          hot = k;
          nhot++;
        }
      if (nhot != 1)
        bad_onehot++;
      size_t lab = t->labels[s * B + b];
      if (s < 10 && !(hot >= 1 && hot <= 8))
        bad_msg++;
      if ((s == L + 9) != (hot == 9))
        bad_delim++;
      if (s >= 10 && s != L + 9 && hot != 0)
        bad_msg++;
      if (s < L + 10 && lab != 0)
        bad_blank_target++;
      if (s >= L + 10) {
        size_t want = 99;
        for (size_t k = 0; k < 10; k++)
          if (gsl_matrix_get(t->x, (s - L - 10) * B + b, k) != 0.0)
            want = k;
        if (lab != want)
          bad_target++;
      }
    }
  is_int((long)bad_onehot, 0, "copy: every input is one-hot");
  is_int((long)bad_msg, 0, "copy: 10 symbols from 1..8, then blanks");
  is_int((long)bad_delim, 0, "copy: the delimiter 9 sits at step delay+9 only");
  is_int((long)bad_blank_target, 0, "copy: the target is blank for delay+10 steps");
  is_int((long)bad_target, 0, "copy: then the target repeats the message");
  ok(t->per_step && t->I == 10 && t->O == 9, "copy: 10 inputs, 9 classes, a target at every step");
  grl_task_free(t);

  /* ---- determinism --------------------------------------------------- */
  grl_task *a, *c;
  grl_task_alloc(&a, "adding", 20, 8);
  grl_task_alloc(&c, "adding", 20, 8);
  gsl_rng_set(r, 731);
  grl_task_sample(a, r);
  gsl_rng_set(r, 731);
  grl_task_sample(c, r);
  ok(gsl_matrix_equal(a->x, c->x) && gsl_matrix_equal(a->y, c->y), "the same seed draws the same batch");
  grl_task_sample(c, r);
  ok(!gsl_matrix_equal(a->x, c->x), "the next draw is a fresh batch");
  ok(a->y->size1 == 8 && a->x->size1 == 20 * 8 && a->x->size2 == 2, "adding shapes: x (T*B, 2), y (B, 1)");
  grl_task_free(a);
  grl_task_free(c);
  gsl_rng_free(r);
  return exit_status();
}
