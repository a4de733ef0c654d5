/* A correct lab 3 written differently from lab/solutions/: the gate
 * gradients of the whole batch first, as (B, 3H) matrices for the input
 * side (da_r, da_z, da_n) and the recurrent side (da_r, da_z, dq); then
 * every product by GSL's BLAS, the biases by a product with a row of ones. */
#include "lab.h"

void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p)
{
  size_t B = x->size1, H = p->H;
  gsl_matrix *dai = gsl_matrix_alloc(B, 3 * H), *dah = gsl_matrix_alloc(B, 3 * H);
  gsl_vector *ones = gsl_vector_alloc(B);
  gsl_vector_set_all(ones, 1.0);
  /* the direct path first: dh_prev = delta * z */
  gsl_matrix_memcpy(dh_prev, dh);
  gsl_matrix_mul_elements(dh_prev, cache->z);
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double g = gsl_matrix_get(dh, b, j), z = gsl_matrix_get(cache->z, b, j);
      double n = gsl_matrix_get(cache->n, b, j), r = gsl_matrix_get(cache->r, b, j);
      double an = g * (1.0 - z) * (1.0 - n * n);
      double az = g * (gsl_matrix_get(h_prev, b, j) - n) * z * (1.0 - z);
      double ar = an * gsl_matrix_get(cache->q, b, j) * r * (1.0 - r);
      gsl_matrix_set(dai, b, j, ar);
      gsl_matrix_set(dai, b, H + j, az);
      gsl_matrix_set(dai, b, 2 * H + j, an);
      gsl_matrix_set(dah, b, j, ar);
      gsl_matrix_set(dah, b, H + j, az);
      gsl_matrix_set(dah, b, 2 * H + j, an * r);
    }
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dai, x, 1.0, dp->W_ih);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dah, h_prev, 1.0, dp->W_hh);
  gsl_blas_dgemv(CblasTrans, 1.0, dai, ones, 1.0, dp->b_ih);
  gsl_blas_dgemv(CblasTrans, 1.0, dah, ones, 1.0, dp->b_hh);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dai, p->W_ih, 0.0, dx);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dah, p->W_hh, 1.0, dh_prev);
  gsl_vector_free(ones);
  gsl_matrix_free(dai);
  gsl_matrix_free(dah);
}
