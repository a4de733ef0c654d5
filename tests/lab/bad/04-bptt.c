/* A lab 4 whose backward never returns: the time loop's counter is never
 * decremented (the forward is not written yet).  The grader must stop it
 * at the time limit, say so, and go on with the next lab. */
#include "lab.h"

void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p)
{
  LAB_TODO();
}

void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p)
{
  size_t B = h0->size1, T = xs->size1 / B, I = xs->size2, H = h0->size2;
  gsl_matrix *delta = gsl_matrix_alloc(B, H), *back = gsl_matrix_calloc(B, H);
  for (size_t t = T; t > 0;) {           /* t-- forgotten */
    gsl_matrix_const_view x = gsl_matrix_const_submatrix(xs, (t - 1) * B, 0, B, I);
    gsl_matrix_const_view g = gsl_matrix_const_submatrix(dhs, (t - 1) * B, 0, B, H);
    gsl_matrix_view dx = gsl_matrix_submatrix(dxs, (t - 1) * B, 0, B, I);
    gsl_matrix_const_view prev = gsl_matrix_const_submatrix(t > 1 ? hs : h0, t > 1 ? (t - 2) * B : 0, 0, B, H);
    gsl_matrix_memcpy(delta, &g.matrix);
    gsl_matrix_add(delta, back);
    gru_step_backward(&dx.matrix, back, dp, delta, &caches[t - 1], &x.matrix,
                      &prev.matrix, p);
  }
  gsl_matrix_memcpy(dh0, back);
  gsl_matrix_free(delta);
  gsl_matrix_free(back);
}
