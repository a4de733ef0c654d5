/*
# Lab 4: the solution

The functions of `lab/04-bptt.c` written out; the lesson is in that file.
*/
#include "lab.h"

void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p)
{
  /* for t = 1 .. T:   h_t = GRU(x_t, h_{t-1}),  keeping step t's cache
   * xs (T*B, I), hs (T*B, H): step t is row block t-1; h_0 is h0 (B, H) */
  /* YOUR CODE */
  size_t B = h0->size1, T = xs->size1 / B, I = xs->size2, H = h0->size2;
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_const_view x = gsl_matrix_const_submatrix(xs, t * B, 0, B, I);
    gsl_matrix_view h = gsl_matrix_submatrix(hs, t * B, 0, B, H);
    /* h_{t-1}: h0 for the first step, else row block t-1 of hs */
    gsl_matrix_const_view prev = t == 0
      ? gsl_matrix_const_submatrix(h0, 0, 0, B, H)
      : gsl_matrix_const_submatrix(hs, (t - 1) * B, 0, B, H);
    gru_step_forward(&h.matrix, &caches[t], &x.matrix, &prev.matrix, p);
  }
  /* END YOUR CODE */
}

void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p)
{
  /* for t = T .. 1:
   *   delta_t = dhs_t + (dL/dh_t sent back by step t+1;  0 for t = T)
   *   step t backward on delta_t, with x_t, h_{t-1} and cache t:
   *     dx_t = dxs row block t-1,  its dh_prev is what goes to step t-1,
   *     dp accumulates
   * dh0 = what step 1 sent back */
  /* YOUR CODE */
  size_t B = h0->size1, T = xs->size1 / B, I = xs->size2, H = h0->size2;
  gsl_matrix *delta = gsl_matrix_alloc(B, H);   /* delta_t */
  gsl_matrix *back = gsl_matrix_calloc(B, H);   /* sent back by step t+1 */
  for (size_t t = T; t-- > 0;) {
    gsl_matrix_const_view x = gsl_matrix_const_submatrix(xs, t * B, 0, B, I);
    gsl_matrix_const_view dh = gsl_matrix_const_submatrix(dhs, t * B, 0, B, H);
    gsl_matrix_view dx = gsl_matrix_submatrix(dxs, t * B, 0, B, I);
    /* h_{t-1}: h0 for the first step, else row block t-1 of hs */
    gsl_matrix_const_view prev = t == 0
      ? gsl_matrix_const_submatrix(h0, 0, 0, B, H)
      : gsl_matrix_const_submatrix(hs, (t - 1) * B, 0, B, H);
    gsl_matrix_memcpy(delta, &dh.matrix);
    gsl_matrix_add(delta, back);
    gru_step_backward(&dx.matrix, back, dp, delta, &caches[t], &x.matrix,
                      &prev.matrix, p);
  }
  gsl_matrix_memcpy(dh0, back);
  gsl_matrix_free(delta);
  gsl_matrix_free(back);
  /* END YOUR CODE */
}
