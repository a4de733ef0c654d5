/*
# Lab 3: the solution

The functions of `lab/03-gru-backward.c` written out; the lesson is in that file.
*/
#include "lab.h"

void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p)
{
  /* delta = dh (B, H), the gradient of this step's output h.
   * forward was h = (1 - z) * n + z * h_prev, so
   *   dn      = delta * (1 - z)
   *   dz      = delta * (h_prev - n)
   *   dh_prev = delta * z   (the direct path, plus the products below)
   * forward was n = tanh(a_n), a_n = x W_in^T + b_in + r * q, so
   *   da_n    = dn * (1 - n^2)
   *   dr      = da_n * q
   *   dq      = da_n * r
   * forward was r = sigma(a_r), z = sigma(a_z), so
   *   da_r    = dr * r * (1 - r)
   *   da_z    = dz * z * (1 - z)
   * the parameters, ACCUMULATED (+=), summed over the batch rows:
   *   dW_ir += da_r^T x       dW_iz += da_z^T x       dW_in += da_n^T x
   *   dW_hr += da_r^T h_prev  dW_hz += da_z^T h_prev  dW_hn += dq^T h_prev
   *   db_i{r,z,n} += da_{r,z,n}                db_h{r,z,n} += da_r, da_z, dq
   * the inputs, OVERWRITTEN:
   *   dx       = da_r W_ir + da_z W_iz + da_n W_in
   *   dh_prev += da_r W_hr + da_z W_hz + dq W_hn */
  /* YOUR CODE */
  size_t B = x->size1, I = x->size2, H = p->H;
  gsl_matrix_set_zero(dx);
  gsl_matrix_set_zero(dh_prev);
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double delta = gsl_matrix_get(dh, b, j);
      double r = gsl_matrix_get(cache->r, b, j), z = gsl_matrix_get(cache->z, b, j);
      double n = gsl_matrix_get(cache->n, b, j), q = gsl_matrix_get(cache->q, b, j);
      double hp = gsl_matrix_get(h_prev, b, j);
      double dn = delta * (1.0 - z);
      double dz = delta * (hp - n);
      double direct = delta * z;
      double da_n = dn * lab_dtanh(n);
      double dr = da_n * q;
      double dq = da_n * r;
      double da_r = dr * lab_dsigmoid(r);
      double da_z = dz * lab_dsigmoid(z);
      /* gate g's gradient on the input side, and on the recurrent side */
      double dai[3] = {da_r, da_z, da_n}, dah[3] = {da_r, da_z, dq};
      for (size_t g = 0; g < 3; g++) {
        size_t row = g * H + j;
        gsl_vector_set(dp->b_ih, row, gsl_vector_get(dp->b_ih, row) + dai[g]);
        gsl_vector_set(dp->b_hh, row, gsl_vector_get(dp->b_hh, row) + dah[g]);
        for (size_t k = 0; k < I; k++) {
          double *dw = gsl_matrix_ptr(dp->W_ih, row, k);
          *dw += dai[g] * gsl_matrix_get(x, b, k);
          *gsl_matrix_ptr(dx, b, k) += dai[g] * gsl_matrix_get(p->W_ih, row, k);
        }
        for (size_t k = 0; k < H; k++) {
          double *dw = gsl_matrix_ptr(dp->W_hh, row, k);
          *dw += dah[g] * gsl_matrix_get(h_prev, b, k);
          *gsl_matrix_ptr(dh_prev, b, k) += dah[g] * gsl_matrix_get(p->W_hh, row, k);
        }
      }
      *gsl_matrix_ptr(dh_prev, b, j) += direct;
    }
  /* END YOUR CODE */
}
