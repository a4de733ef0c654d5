/* task.c -- synthetic long-memory tasks, drawn from a gsl_rng.
 *
 * The adding problem and the copy-memory task, as Arjovsky, Shah and
 * Bengio (2016, "Unitary evolution recurrent neural networks", sec. 4.1
 * and 4.2) define them.  Both need a memory of length T: nothing a cell
 * sees in the last few steps tells it the answer. */
#include <config.h>
#include "grulab.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COPY_SYMBOLS = 10, COPY_ALPHABET = 8, COPY_DELIM = 9 };

const char *grl_task_names(void)
{
  return "adding|copy";
}

int grl_task_alloc(grl_task **out, const char *name, size_t length, size_t B)
{
  *out = NULL;
  grl_task t = {0};
  if (name && strcmp(name, "adding") == 0) {
    if (length < 2)
      return grl_fail(GRL_EINVAL, "adding problem: the length must be at least 2 (one marker in each half), got %zu", length);
    t.kind = GRL_TASK_ADDING;
    t.name = "adding";
    t.T = length;
    t.I = 2;
    t.O = 1;
    /* Var(U1 + U2) = 2/12: the MSE of always answering E[y] = 1 */
    t.baseline = 1.0 / 6.0;
  } else if (name && strcmp(name, "copy") == 0) {
    if (length < 1)
      return grl_fail(GRL_EINVAL, "copy task: the length (delay) must be at least 1, got %zu", length);
    t.kind = GRL_TASK_COPY;
    t.name = "copy";
    t.T = length + 2 * COPY_SYMBOLS;
    t.I = COPY_SYMBOLS;     /* one-hot over 0..9 */
    t.O = COPY_ALPHABET + 1; /* blank and the 8 symbols */
    t.per_step = 1;
    /* blank is certain for T+10 steps; 10 symbols at ln 8 each */
    t.baseline = COPY_SYMBOLS * log((double)COPY_ALPHABET)
                 / (double)(length + 2 * COPY_SYMBOLS);
  } else {
    return grl_fail(GRL_EINVAL, "task must be one of %s, got '%s'",
                    grl_task_names(), name ? name : "");
  }
  if (B == 0)
    return grl_fail(GRL_EINVAL, "task %s: the batch size must be at least 1", t.name);
  t.length = length;
  t.B = B;

  grl_task *p = malloc(sizeof *p);
  if (!p)
    return grl_fail(GRL_ENOMEM, "task %s: out of memory", t.name);
  *p = t;
  p->x = gsl_matrix_calloc(t.T * B, t.I);
  if (t.per_step)
    p->labels = calloc(t.T * B, sizeof *p->labels);
  else
    p->y = gsl_matrix_calloc(B, t.O);
  if (!p->x || (t.per_step ? !p->labels : !p->y)) {
    grl_task_free(p);
    return grl_fail(GRL_ENOMEM, "task %s: out of memory for T=%zu B=%zu",
                    t.name, t.T, B);
  }
  *out = p;
  return GRL_OK;
}

void grl_task_free(grl_task *t)
{
  if (!t)
    return;
  if (t->x)
    gsl_matrix_free(t->x);
  if (t->y)
    gsl_matrix_free(t->y);
  free(t->labels);
  free(t);
}

static void sample_adding(grl_task *t, gsl_rng *r)
{
  const size_t T = t->T, B = t->B, half = T / 2;
  gsl_matrix *x = t->x;                  /* (T*B, 2) rows s*B+b */
  for (size_t b = 0; b < B; b++) {
    /* values ~ U[0,1], markers all 0 ... */
    for (size_t s = 0; s < T; s++) {
      double *row = gsl_matrix_ptr(x, s * B + b, 0);
      row[0] = gsl_rng_uniform(r);
      row[1] = 0.0;
    }
    /* ... but one 1 in the first half [0, T/2) and one in [T/2, T) */
    size_t i = gsl_rng_uniform_int(r, half);
    size_t j = half + gsl_rng_uniform_int(r, T - half);
    gsl_matrix_set(x, i * B + b, 1, 1.0);
    gsl_matrix_set(x, j * B + b, 1, 1.0);
    /* y = x_i + x_j, the sum of the two marked values */
    gsl_matrix_set(t->y, b, 0,
                   gsl_matrix_get(x, i * B + b, 0) + gsl_matrix_get(x, j * B + b, 0));
  }
}

static void sample_copy(grl_task *t, gsl_rng *r)
{
  const size_t T = t->T, B = t->B, L = t->length;
  gsl_matrix_set_zero(t->x);
  for (size_t b = 0; b < B; b++) {
    for (size_t s = 0; s < T; s++) {
      size_t in = 0, target = 0;
      if (s < COPY_SYMBOLS) {
        /* the message: 10 symbols from {1..8} */
        in = 1 + gsl_rng_uniform_int(r, COPY_ALPHABET);
      } else if (s == L + COPY_SYMBOLS - 1) {
        /* after length-1 blanks, the delimiter says "now repeat it" */
        in = COPY_DELIM;
      } else if (s >= L + COPY_SYMBOLS) {
        /* the last 10 steps must reproduce the message */
        for (size_t k = 0; k < COPY_SYMBOLS; k++)
          if (gsl_matrix_get(t->x, (s - L - COPY_SYMBOLS) * B + b, k) == 1.0)
            target = k;
      }
      gsl_matrix_set(t->x, s * B + b, in, 1.0);
      t->labels[s * B + b] = target;
    }
  }
}

void grl_task_sample(grl_task *t, gsl_rng *r)
{
  if (t->kind == GRL_TASK_ADDING)
    sample_adding(t, r);
  else
    sample_copy(t, r);
}
