/* text_sample.c -- generating text: feed a prime to the model, then
 * draw each next byte from the softmax of its logits at a temperature.
 * See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int grl_text_sample(const grl_model *m, const grl_vocab *v,
                    const unsigned char *prime, size_t nprime, size_t n,
                    double temperature, gsl_rng *r, unsigned char *out)
{
  /* the state of every layer: (L, H) */
  const size_t V = v->V, H = m->hidden_size * m->layers;
  if (m->input_size != V || m->output_size != V)
    return grl_fail(GRL_EINVAL, "sample: the vocabulary has %zu bytes but the model's input size is %zu and its readout has %zu outputs",
                    V, m->input_size, m->output_size);
  if (!(temperature >= 0.0) || !isfinite(temperature))
    return grl_fail(GRL_EINVAL, "sample: temperature must be >= 0 (0 = arg-max), got %g", temperature);
  if (nprime == 0)
    return grl_fail(GRL_EINVAL, "sample: the prime must hold at least one byte");
  for (size_t i = 0; i < nprime; i++)
    if (v->id[prime[i]] < 0)
      return grl_fail(GRL_EINVAL, "sample: prime byte %zu (0x%02x) is not in the model's vocabulary of %zu bytes",
                      i, prime[i], V);
  grl_seq *s = NULL;
  int st = grl_seq_alloc(&s, m, 1, 1);
  if (st)
    return st;
  gsl_matrix *z = gsl_matrix_alloc(1, V);        /* (1, V) logits        */
  double *h = calloc(H, sizeof *h), *c = calloc(H, sizeof *c);
  if (!z || !h || !c) {
    st = grl_fail(GRL_ENOMEM, "sample: out of memory");
    goto done;
  }
  unsigned char id = (unsigned char)v->id[prime[0]];
  for (size_t k = 1; k < nprime + n; k++) {
    /* one step: x = id, state carried in h (c) */
    grl_text_gather(m, NULL, s, &id);
    if ((st = grl_seq_forward(s, NULL, NULL, h, m->cell->has_c ? c : NULL)))
      goto done;
    gsl_matrix_view hT = grl_seq_hT(s);   /* the top layer's */
    grl_seq_final_states(s, h, c);
    if (k < nprime) {                 /* still reading the prime */
      id = (unsigned char)v->id[prime[k]];
      continue;
    }
    grl_readout_forward(m, NULL, &hT.matrix, z);
    const double *zr = z->data;
    size_t best = 0;
    for (size_t j = 1; j < V; j++)
      if (zr[j] > zr[best])
        best = j;
    size_t pick = best;
    if (temperature > 0) {
      /* p_j = exp((z_j - z_max)/tau) / sum, drawn by the inverse CDF */
      double sum = 0;
      for (size_t j = 0; j < V; j++)
        sum += exp((zr[j] - zr[best]) / temperature);
      double u = gsl_rng_uniform(r) * sum, acc = 0;
      pick = V - 1;
      for (size_t j = 0; j < V; j++) {
        acc += exp((zr[j] - zr[best]) / temperature);
        if (u < acc) {
          pick = j;
          break;
        }
      }
    }
    id = (unsigned char)pick;
    out[k - nprime] = v->byte[pick];
  }
done:
  grl_seq_free(s);
  if (z)
    gsl_matrix_free(z);
  free(h);
  free(c);
  return st;
}
