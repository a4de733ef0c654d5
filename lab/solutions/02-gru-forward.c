/*
# Lab 2: the solution

The functions of `lab/02-gru-forward.c` written out; the lesson is in that file.
*/
#include "lab.h"

void gru_step_forward(gsl_matrix *h, gru_cache *cache, const gsl_matrix *x,
                      const gsl_matrix *h_prev, const gru_params *p)
{
  /* rows are the batch: x (B, I), h_prev and h (B, H)
   *   a_r = x W_ir^T + b_ir + h_prev W_hr^T + b_hr      r = sigma(a_r)
   *   a_z = x W_iz^T + b_iz + h_prev W_hz^T + b_hz      z = sigma(a_z)
   *   q   = h_prev W_hn^T + b_hn
   *   a_n = x W_in^T + b_in + r * q                     n = tanh(a_n)
   *   h   = (1 - z) * n + z * h_prev          (z: the fraction of h_prev kept)
   * cache: r, z, n and q, each (B, H) */
  /* YOUR CODE */
  size_t B = x->size1, I = x->size2, H = p->H;
  for (size_t b = 0; b < B; b++) {
    /* gate g, unit j: ax = (x W_ig^T + b_ig)[b, j], ah = (h_prev W_hg^T)[b, j] */
    double ax[3][H], ah[3][H];
    for (size_t g = 0; g < 3; g++)
      for (size_t j = 0; j < H; j++) {
        size_t row = g * H + j;
        ax[g][j] = gsl_vector_get(p->b_ih, row);
        for (size_t k = 0; k < I; k++)
          ax[g][j] += gsl_matrix_get(p->W_ih, row, k) * gsl_matrix_get(x, b, k);
        ah[g][j] = 0.0;
        for (size_t k = 0; k < H; k++)
          ah[g][j] += gsl_matrix_get(p->W_hh, row, k) * gsl_matrix_get(h_prev, b, k);
      }
    /* r and z */
    for (size_t j = 0; j < H; j++) {
      double ar = ax[0][j] + ah[0][j] + gsl_vector_get(p->b_hh, j);
      double az = ax[1][j] + ah[1][j] + gsl_vector_get(p->b_hh, H + j);
      gsl_matrix_set(cache->r, b, j, lab_sigmoid(ar));
      gsl_matrix_set(cache->z, b, j, lab_sigmoid(az));
    }
    /* q, n and the new state */
    for (size_t j = 0; j < H; j++) {
      double r = gsl_matrix_get(cache->r, b, j), z = gsl_matrix_get(cache->z, b, j);
      double q = ah[2][j] + gsl_vector_get(p->b_hh, 2 * H + j);
      double n = lab_tanh(ax[2][j] + r * q);
      gsl_matrix_set(cache->q, b, j, q);
      gsl_matrix_set(cache->n, b, j, n);
      gsl_matrix_set(h, b, j, (1.0 - z) * n + z * gsl_matrix_get(h_prev, b, j));
    }
  }
  /* END YOUR CODE */
}
