/* A wrong lab 7 that no known mistake matches: the output gate squashed
 * by tanh instead of sigma (its pre-activation is right).  The backward
 * pass is left blank.  The grader should localise it to the output gate:
 * cache.o and h wrong; c and the gates i, f, g right. */
#include "lab.h"

void lstm_step_forward(lstm_state *next, lstm_cache *cache,
                       const gsl_matrix *x, const lstm_state *prev,
                       const lstm_params *p)
{
  size_t B = x->size1, H = p->H;
  gsl_matrix *a = gsl_matrix_alloc(B, 4 * H);   /* x W_ih^T + h W_hh^T */
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x, p->W_ih, 0.0, a);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, prev->h, p->W_hh, 1.0, a);
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double v[4];
      for (size_t g = 0; g < 4; g++)
        v[g] = gsl_matrix_get(a, b, g * H + j) + gsl_vector_get(p->b_ih, g * H + j)
               + gsl_vector_get(p->b_hh, g * H + j);
      double i = lab_sigmoid(v[0]), f = lab_sigmoid(v[1]), g = lab_tanh(v[2]);
      double o = lab_tanh(v[3]);                   /* meant: lab_sigmoid */
      double c = f * gsl_matrix_get(prev->c, b, j) + i * g;
      gsl_matrix_set(cache->i, b, j, i);
      gsl_matrix_set(cache->f, b, j, f);
      gsl_matrix_set(cache->g, b, j, g);
      gsl_matrix_set(cache->o, b, j, o);
      gsl_matrix_set(cache->tc, b, j, lab_tanh(c));
      gsl_matrix_set(next->c, b, j, c);
      gsl_matrix_set(next->h, b, j, o * lab_tanh(c));
    }
  gsl_matrix_free(a);
}

void lstm_step_backward(gsl_matrix *dx, lstm_state *dprev, lstm_params *dp,
                        const lstm_state *dnext, const lstm_cache *cache,
                        const gsl_matrix *x, const lstm_state *prev,
                        const lstm_params *p)
{
  LAB_TODO();
}
