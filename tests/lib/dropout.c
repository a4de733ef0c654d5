/* dropout.c -- dropout's masks and what inverted scaling promises.
 *
 *  - the masks: entries 0 or 1/(1-p), a fraction p of zeros (within 5
 *    standard errors), T*B rows for standard dropout (a fresh mask every
 *    step), B rows for variational (one per sequence, reused at every
 *    step), a recurrent mask only for variational;
 *  - evaluation is unchanged: with inverted scaling E[mask] = 1, so the
 *    mean over many masks of the dropped-out input projection
 *    XP = (x * mask) W_ih^T + b_ih, which is linear in the mask, is the
 *    projection without dropout (within 5 standard errors, entry by
 *    entry), and dropout off (p = 0), or masks of ones, gives the bytes
 *    of a driver that never had dropout;
 *  - a training session with dropout tests without it: its test loss is
 *    grl_text_evaluate's on the trained model, to the bit;
 *  - the same seed gives the same bytes; another dropout kind, others.
 * The gradient with fixed masks is checked entry by entry in
 * tests/cli/layers.sh (grulab gradcheck --loss text --dropout). */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

static void mask_stats(const grl_seq *s, int which, size_t l, double p,
                       size_t want_rows, const char *tag)
{
  const gsl_matrix *m = grl_seq_mask(s, which, l);
  if (!ok(m != NULL, "%s: the mask exists", tag))
    return;
  const double keep = 1.0 / (1.0 - p);
  size_t n = m->size1 * m->size2, zeros = 0, bad = 0;
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) {
      double v = gsl_matrix_get(m, i, j);
      if (v == 0.0)
        zeros++;
      else if (v != keep)
        bad++;
    }
  const double frac = (double)zeros / (double)n,
               se = sqrt(p * (1.0 - p) / (double)n);
  ok(m->size1 == want_rows && bad == 0 && fabs(frac - p) <= 5 * se,
     "%s: %zu rows, entries 0 or 1/(1-p), %.4f dropped (p = %g, 5 se = %.4f)",
     tag, m->size1, frac, p, 5 * se);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(19);
  const size_t T = 20, B = 25, I = 6, H = 8;
  const double p = 0.3;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  grl_model *m = NULL;
  if (grl_model_alloc_layers(&m, &grl_cell_gru, I, H, 0, 2))
    bail("%s", grl_strerror());
  grl_model_init_uniform(m, r);
  double *x = malloc(T * B * I * sizeof *x);
  for (size_t i = 0; i < T * B * I; i++)
    x[i] = 2.0 * gsl_rng_uniform(r) - 1.0;

  /* ---- the masks */
  grl_seq *s = NULL;
  if (grl_seq_alloc(&s, m, T, B) || grl_seq_set_dropout(s, p, GRL_DROPOUT_STANDARD))
    bail("%s", grl_strerror());
  grl_seq_draw_masks(s, r);
  mask_stats(s, GRL_MASK_INPUT, 0, p, T * B, "standard, layer 0's input");
  mask_stats(s, GRL_MASK_INPUT, 1, p, T * B, "standard, layer 1's input");
  mask_stats(s, GRL_MASK_OUTPUT, 0, p, T * B, "standard, the output");
  ok(grl_seq_mask(s, GRL_MASK_RECURRENT, 0) == NULL,
     "standard: no mask on the recurrent connections");
  grl_seq *v = NULL;
  if (grl_seq_alloc(&v, m, T, B)
      || grl_seq_set_dropout(v, p, GRL_DROPOUT_VARIATIONAL))
    bail("%s", grl_strerror());
  grl_seq_draw_masks(v, r);
  mask_stats(v, GRL_MASK_INPUT, 0, 0.3, B, "variational, layer 0's input");
  mask_stats(v, GRL_MASK_RECURRENT, 1, 0.3, B,
             "variational, layer 1's recurrent state");

  /* ---- evaluation unchanged: masks of ones, then p = 0, give the bytes
   * of a driver without dropout */
  grl_seq *plain = NULL, *ones = NULL;
  if (grl_seq_alloc(&plain, m, T, B) || grl_seq_alloc(&ones, m, T, B)
      || grl_seq_set_dropout(ones, p, GRL_DROPOUT_VARIATIONAL))
    bail("%s", grl_strerror());
  grl_seq_forward(plain, NULL, x, NULL, NULL);
  grl_seq_forward(ones, NULL, x, NULL, NULL);
  gsl_matrix_view o0 = grl_seq_output(plain), o1 = grl_seq_output(ones);
  ok(gsl_matrix_equal(&o0.matrix, &o1.matrix),
     "masks of ones (before any draw): the output is bitwise the plain one");
  grl_seq_draw_masks(ones, r);
  grl_seq_forward(ones, NULL, x, NULL, NULL);
  o1 = grl_seq_output(ones);
  ok(!gsl_matrix_equal(&o0.matrix, &o1.matrix), "drawn masks change it");
  grl_seq_set_dropout(ones, 0.0, GRL_DROPOUT_STANDARD);
  grl_seq_forward(ones, NULL, x, NULL, NULL);
  o1 = grl_seq_output(ones);
  ok(gsl_matrix_equal(&o0.matrix, &o1.matrix) && !grl_seq_mask(ones, GRL_MASK_OUTPUT, 0),
     "dropout off (p = 0): bitwise the plain output again");

  /* E[XP under dropout] = XP without: the mean over N draws of layer 0's
   * input projection, entry by entry, within 5 standard errors */
  {
    const size_t N = 4000, Ts = 2, Bs = 2, GH = 3 * H;
    grl_seq *a = NULL, *b = NULL;
    if (grl_seq_alloc(&a, m, Ts, Bs) || grl_seq_alloc(&b, m, Ts, Bs)
        || grl_seq_set_dropout(b, 0.5, GRL_DROPOUT_STANDARD))
      bail("%s", grl_strerror());
    grl_seq_forward(a, NULL, x, NULL, NULL);
    const gsl_matrix *xp0 = grl_seq_input_proj(a);
    double *sum = calloc(Ts * Bs * GH, sizeof *sum),
           *sum2 = calloc(Ts * Bs * GH, sizeof *sum2);
    for (size_t k = 0; k < N; k++) {
      grl_seq_draw_masks(b, r);
      grl_seq_forward(b, NULL, x, NULL, NULL);
      const gsl_matrix *xp = grl_seq_input_proj(b);
      for (size_t i = 0; i < Ts * Bs; i++)
        for (size_t j = 0; j < GH; j++) {
          double d = gsl_matrix_get(xp, i, j);
          sum[i * GH + j] += d;
          sum2[i * GH + j] += d * d;
        }
    }
    double worst = 0.0;   /* |mean - xp0| in standard errors */
    for (size_t i = 0; i < Ts * Bs * GH; i++) {
      double mean = sum[i] / (double)N,
             var = sum2[i] / (double)N - mean * mean,
             se = sqrt(fmax(var, 0.0) / (double)N) + 1e-12;
      worst = fmax(worst, fabs(mean - xp0->data[(i / GH) * xp0->tda + i % GH]) / se);
    }
    ok(worst <= 5.0, "inverted scaling: the mean of %zu dropped-out input "
       "projections (p = 0.5) is the undropped one, worst %.2f standard "
       "errors", N, worst);
    free(sum);
    free(sum2);
    grl_seq_free(a);
    grl_seq_free(b);
  }

  /* ---- a session trains with dropout and tests without it */
  unsigned char bytes[6000];
  for (size_t i = 0; i < sizeof bytes; i++)
    bytes[i] = (unsigned char)("abcab cabba acbcc "[(i * 7 + i / 5) % 18]);
  grl_text *text = NULL;
  if (grl_text_from_bytes(&text, bytes, sizeof bytes, "pattern"))
    bail("%s", grl_strerror());
  grl_session_spec spec = {
    .cell = &grl_cell_lstm, .task = "text", .length = 16, .text = text,
    .hidden_size = 12, .layers = 2, .steps = 15, .seed = 5, .test_seqs = 1,
    .keep_gate_bias = NAN,
    .cfg = {.optimizer = "adam", .lr = 3e-3, .clip = 5.0, .batch = 8,
            .dropout = 0.4, .dropout_kind = GRL_DROPOUT_VARIATIONAL}};
  grl_session s1 = {0}, s2 = {0}, s3 = {0};
  int st = grl_session_run(&s1, &spec, NULL, NULL);
  ok(st == GRL_OK, "a session with variational dropout runs%s%s",
     st ? ": " : "", st ? grl_strerror() : "");
  double bpc = NAN;
  if (!st)
    st = grl_text_evaluate(s1.m, text, 16, 8, text->ntrain, text->n, &bpc);
  ok(!st && bpc == s1.test, "its test (%.6f bpc) is grl_text_evaluate's "
     "without dropout, to the bit (%.6f)", s1.test, bpc);
  grl_session_run(&s2, &spec, NULL, NULL);
  ok(s1.m && s2.m && !memcmp(s1.m->theta, s2.m->theta, s1.m->n * sizeof(double)),
     "the same seed gives the same parameters, bit for bit");
  spec.cfg.dropout_kind = GRL_DROPOUT_STANDARD;
  grl_session_run(&s3, &spec, NULL, NULL);
  ok(s1.m && s3.m && memcmp(s1.m->theta, s3.m->theta, s1.m->n * sizeof(double)),
     "standard dropout trains to other parameters than variational");
  grl_session_free(&s1);
  grl_session_free(&s2);
  grl_session_free(&s3);
  grl_text_free(text);

  grl_seq_free(s);
  grl_seq_free(v);
  grl_seq_free(plain);
  grl_seq_free(ones);
  grl_model_free(m);
  free(x);
  gsl_rng_free(r);
  return exit_status();
}
