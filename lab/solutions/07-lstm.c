/*
# Lab 7: the solution

The functions of `lab/07-lstm.c` written out; the lesson is in that file.
*/
#include "lab.h"

void lstm_step_forward(lstm_state *next, lstm_cache *cache,
                       const gsl_matrix *x, const lstm_state *prev,
                       const lstm_params *p)
{
  /* rows are the batch; gate blocks i, f, g, o (PyTorch's order):
   *   a_i, a_f, a_g, a_o = x W_i.^T + b_i. + h_prev W_h.^T + b_h.
   *   i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)
   *   c = f * c_prev + i * g
   *   h = o * tanh(c)
   * cache: i, f, g, o and tc = tanh(c) */
  /* YOUR CODE */
  size_t B = x->size1, I = x->size2, H = p->H;
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double a[4];
      for (size_t gate = 0; gate < 4; gate++) {
        size_t row = gate * H + j;
        a[gate] = gsl_vector_get(p->b_ih, row) + gsl_vector_get(p->b_hh, row);
        for (size_t k = 0; k < I; k++)
          a[gate] += gsl_matrix_get(p->W_ih, row, k) * gsl_matrix_get(x, b, k);
        for (size_t k = 0; k < H; k++)
          a[gate] += gsl_matrix_get(p->W_hh, row, k) * gsl_matrix_get(prev->h, b, k);
      }
      double i = lab_sigmoid(a[0]), f = lab_sigmoid(a[1]);
      double g = lab_tanh(a[2]), o = lab_sigmoid(a[3]);
      double c = f * gsl_matrix_get(prev->c, b, j) + i * g;
      double tc = lab_tanh(c);
      gsl_matrix_set(cache->i, b, j, i);
      gsl_matrix_set(cache->f, b, j, f);
      gsl_matrix_set(cache->g, b, j, g);
      gsl_matrix_set(cache->o, b, j, o);
      gsl_matrix_set(cache->tc, b, j, tc);
      gsl_matrix_set(next->c, b, j, c);
      gsl_matrix_set(next->h, b, j, o * tc);
    }
  /* END YOUR CODE */
}

void lstm_step_backward(gsl_matrix *dx, lstm_state *dprev, lstm_params *dp,
                        const lstm_state *dnext, const lstm_cache *cache,
                        const gsl_matrix *x, const lstm_state *prev,
                        const lstm_params *p)
{
  /* dnext = (dh, dc): the gradients of this step's h and c.
   * forward was h = o * tc, tc = tanh(c), so
   *   do  = dh * tc
   *   dct = dc + dh * o * (1 - tc^2)      (the total gradient of c)
   * forward was c = f * c_prev + i * g, so
   *   di = dct * g    df = dct * c_prev    dg = dct * i
   *   dc_prev = dct * f
   * forward was i, f, o = sigma(a), g = tanh(a), so
   *   da_i = di * i (1 - i)   da_f = df * f (1 - f)
   *   da_g = dg * (1 - g^2)   da_o = do * o (1 - o)
   * the parameters ACCUMULATED, dx and dh_prev OVERWRITTEN, as in lab 3:
   *   dW_i. += da_.^T x     dW_h. += da_.^T h_prev    db_i., db_h. += da_.
   *   dx = sum over gates of da_. W_i.    dh_prev = sum of da_. W_h. */
  /* YOUR CODE */
  size_t B = x->size1, H = p->H;
  gsl_matrix *da = gsl_matrix_alloc(B, 4 * H);   /* da_i da_f da_g da_o */
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double dh = gsl_matrix_get(dnext->h, b, j), dc = gsl_matrix_get(dnext->c, b, j);
      double i = gsl_matrix_get(cache->i, b, j), f = gsl_matrix_get(cache->f, b, j);
      double g = gsl_matrix_get(cache->g, b, j), o = gsl_matrix_get(cache->o, b, j);
      double tc = gsl_matrix_get(cache->tc, b, j), cp = gsl_matrix_get(prev->c, b, j);
      double d_o = dh * tc;
      double dct = dc + dh * o * lab_dtanh(tc);
      double di = dct * g, df = dct * cp, dg = dct * i;
      gsl_matrix_set(dprev->c, b, j, dct * f);
      gsl_matrix_set(da, b, j, di * lab_dsigmoid(i));
      gsl_matrix_set(da, b, H + j, df * lab_dsigmoid(f));
      gsl_matrix_set(da, b, 2 * H + j, dg * lab_dtanh(g));
      gsl_matrix_set(da, b, 3 * H + j, d_o * lab_dsigmoid(o));
    }
  /* both sides of every gate see the same da:
   * dW_ih += da^T x,  dW_hh += da^T h_prev,  db_ih, db_hh += rows of da */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, da, x, 1.0, dp->W_ih);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, da, prev->h, 1.0, dp->W_hh);
  for (size_t b = 0; b < B; b++) {
    gsl_vector_const_view row = gsl_matrix_const_row(da, b);
    gsl_vector_add(dp->b_ih, &row.vector);
    gsl_vector_add(dp->b_hh, &row.vector);
  }
  /* dx = da W_ih,  dh_prev = da W_hh */
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, da, p->W_ih, 0.0, dx);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, da, p->W_hh, 0.0, dprev->h);
  gsl_matrix_free(da);
  /* END YOUR CODE */
}
