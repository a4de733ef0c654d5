/* A wrong lab 4 that no known mistake matches: the total gradient delta
 * is set to 0 once, before the loop, instead of at every step, so each
 * step's delta still holds the steps after it (the forward is not written
 * yet).  Right at T = 1; the grader should say the error appears with T:
 * a time-loop mistake. */
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
  gsl_matrix *delta = gsl_matrix_calloc(B, H), *back = gsl_matrix_calloc(B, H);
  for (size_t t = T; t-- > 0;) {
    gsl_matrix_const_view x = gsl_matrix_const_submatrix(xs, t * B, 0, B, I);
    gsl_matrix_const_view g = gsl_matrix_const_submatrix(dhs, t * B, 0, B, H);
    gsl_matrix_view dx = gsl_matrix_submatrix(dxs, t * B, 0, B, I);
    gsl_matrix_const_view prev = gsl_matrix_const_submatrix(t ? hs : h0, t ? (t - 1) * B : 0, 0, B, H);
    gsl_matrix_add(delta, &g.matrix);   /* delta was not reset: it keeps */
    gsl_matrix_add(delta, back);        /* every later step's part too   */
    gru_step_backward(&dx.matrix, back, dp, delta, &caches[t], &x.matrix,
                      &prev.matrix, p);
  }
  gsl_matrix_memcpy(dh0, back);
  gsl_matrix_free(delta);
  gsl_matrix_free(back);
}
