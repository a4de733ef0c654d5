/* gradcheck_problem.c -- what a gradient check differentiates: the
 * problem (x, h0, c0 and the loss weights g), theta's random draw, and the
 * loss itself,
 *
 *     L = sum(g .* output) + 0.5 ||h_T||^2.
 *
 * Both terms are needed: the first reaches every step's output, the second
 * the final state alone, so more than one path through BPTT is exercised.
 * Its gradient is one grl_seq_backward with dL/doutput = g, dL/dh_T = h_T
 * (and, for the LSTM, dL/dc_T = 0). */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"

#include <stdlib.h>

/* a ~ U(-scale, scale), n entries drawn in order from r. */
static void uniform(double *a, size_t n, double scale, gsl_rng *r)
{
  for (size_t i = 0; i < n; i++)
    a[i] = scale * (2.0 * gsl_rng_uniform(r) - 1.0);
}

void grl_gradcheck_randomize(grl_model *m, gsl_rng *r, double scale)
{
  uniform(m->theta, m->n, scale, r);
}

int grl_gradcheck_problem_alloc(grl_gradcheck_problem **out,
                                const grl_model *m, size_t T, size_t B,
                                gsl_rng *r)
{
  *out = NULL;
  const size_t I = m->input_size, H = m->hidden_size;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "gradcheck: T and B must be positive "
                    "(got T=%zu, B=%zu)", T, B);
  if (T > 10000000 / B || T * B > 100000000 / (I > H ? I : H))
    return grl_fail(GRL_EINVAL, "gradcheck: T*B = %zu*%zu is too large", T, B);
  grl_gradcheck_problem *p = calloc(1, sizeof *p);
  if (!p)
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory");
  p->T = T;
  p->B = B;
  p->x = malloc(T * B * I * sizeof *p->x);
  p->h0 = malloc(B * H * sizeof *p->h0);
  p->g = malloc(T * B * H * sizeof *p->g);
  if (m->cell->has_c)
    p->c0 = malloc(B * H * sizeof *p->c0);
  if (!p->x || !p->h0 || !p->g || (m->cell->has_c && !p->c0)) {
    grl_gradcheck_problem_free(p);
    return grl_fail(GRL_ENOMEM, "gradcheck: out of memory for T=%zu, B=%zu",
                    T, B);
  }
  uniform(p->x, T * B * I, 0.9, r);
  uniform(p->h0, B * H, 0.9, r);
  if (p->c0)
    uniform(p->c0, B * H, 0.9, r);
  uniform(p->g, T * B * H, 1.0, r);
  *out = p;
  return GRL_OK;
}

void grl_gradcheck_problem_free(grl_gradcheck_problem *p)
{
  if (!p)
    return;
  free(p->x);
  free(p->h0);
  free(p->c0);
  free(p->g);
  free(p);
}

/* L = sum(g .* out) + 0.5 ||h_T||^2.  out (T*B, H); h_T is its last B rows. */
double grl_gc_loss_rows(const double *g, const double *out, size_t T,
                        size_t B, size_t H)
{
  double s = 0.0, q = 0.0;
  for (size_t k = 0; k < T * B * H; k++)
    s += g[k] * out[k];
  const double *hT = out + (T - 1) * B * H;
  for (size_t k = 0; k < B * H; k++)
    q += hT[k] * hT[k];
  return s + 0.5 * q;
}

double grl_gradcheck_loss(grl_seq *s, const double *g)
{
  gsl_matrix_view out = grl_seq_output(s);   /* (T*B, H), contiguous */
  return grl_gc_loss_rows(g, out.matrix.data, grl_seq_length(s),
                          grl_seq_batch(s), grl_seq_model(s)->hidden_size);
}
