/* A lab 4 whose backward never returns: the time loop's counter is never
 * decremented (the forward is not written yet).  The grader must stop it
 * at the time limit, say so, and go on with the next lab. */
#include "lab.h"

void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p)
{
  size_t B = h0->size1, T = xs->size1 / B;
  for (size_t t = T; t > 0;) {           /* t-- forgotten */
    gsl_matrix_const_view x = gsl_matrix_const_submatrix(xs, (t - 1) * B, 0, B, xs->size2);
    gsl_matrix_const_view g = gsl_matrix_const_submatrix(dhs, (t - 1) * B, 0, B, dhs->size2);
    gsl_matrix_view dx = gsl_matrix_submatrix(dxs, (t - 1) * B, 0, B, dxs->size2);
    gru_step_backward(&dx.matrix, dh0, dp, &g.matrix, &caches[t - 1], &x.matrix,
                      h0, p);
  }
}

void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p)
{
  LAB_TODO();
}
