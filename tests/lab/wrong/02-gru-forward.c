/* A wrong lab 2 that no known mistake matches: the update gate's
 * recurrent bias b_hz is left out of a_z (the other two gates have
 * theirs).  The grader should localise it to z: cache.z and h wrong;
 * cache.r, cache.n and cache.q right. */
#include "lab.h"

void gru_step_forward(gsl_matrix *h, gru_cache *cache, const gsl_matrix *x,
                      const gsl_matrix *h_prev, const gru_params *p)
{
  size_t B = x->size1, I = x->size2, H = p->H;
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double a[3];   /* the input side plus the recurrent side, per gate */
      double q = gsl_vector_get(p->b_hh, 2 * H + j);
      for (size_t g = 0; g < 3; g++) {
        a[g] = gsl_vector_get(p->b_ih, g * H + j);
        for (size_t k = 0; k < I; k++)
          a[g] += gsl_matrix_get(p->W_ih, g * H + j, k) * gsl_matrix_get(x, b, k);
      }
      for (size_t k = 0; k < H; k++) {
        double hk = gsl_matrix_get(h_prev, b, k);
        a[0] += gsl_matrix_get(p->W_hh, j, k) * hk;
        a[1] += gsl_matrix_get(p->W_hh, H + j, k) * hk;
        q += gsl_matrix_get(p->W_hh, 2 * H + j, k) * hk;
      }
      double r = lab_sigmoid(a[0] + gsl_vector_get(p->b_hh, j));
      double z = lab_sigmoid(a[1]);                 /* + b_hz forgotten */
      double n = lab_tanh(a[2] + r * q);
      gsl_matrix_set(cache->r, b, j, r);
      gsl_matrix_set(cache->z, b, j, z);
      gsl_matrix_set(cache->n, b, j, n);
      gsl_matrix_set(cache->q, b, j, q);
      gsl_matrix_set(h, b, j, (1.0 - z) * n + z * gsl_matrix_get(h_prev, b, j));
    }
}
