/* A correct lab 4 written differently from lab/solutions/: a signed
 * counter running down, and dh0 itself as the gradient carried from one
 * step to the one before (it ends as what step 1 sends back). */
#include "lab.h"

static _gsl_matrix_const_view block(const gsl_matrix *m, size_t t, size_t B)
{
  return gsl_matrix_const_submatrix(m, t * B, 0, B, m->size2);
}

void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p)
{
  size_t B = h0->size1, T = xs->size1 / B;
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_const_view x = block(xs, t, B);
    gsl_matrix_const_view prev = t ? block(hs, t - 1, B) : block(h0, 0, B);
    gsl_matrix_view out = gsl_matrix_submatrix(hs, t * B, 0, B, hs->size2);
    gru_step_forward(&out.matrix, caches + t, &x.matrix, &prev.matrix, p);
  }
}

void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p)
{
  size_t B = h0->size1, T = xs->size1 / B;
  gsl_matrix *total = gsl_matrix_alloc(B, h0->size2);
  gsl_matrix_set_zero(dh0);
  for (long t = (long)T - 1; t >= 0; t--) {
    gsl_matrix_const_view x = block(xs, (size_t)t, B), g = block(dhs, (size_t)t, B);
    gsl_matrix_const_view prev = t > 0 ? block(hs, (size_t)t - 1, B) : block(h0, 0, B);
    gsl_matrix_view dx = gsl_matrix_submatrix(dxs, (size_t)t * B, 0, B, dxs->size2);
    gsl_matrix_memcpy(total, dh0);          /* from step t+1 (0 at first) */
    gsl_matrix_add(total, &g.matrix);       /* plus the loss's own        */
    gru_step_backward(&dx.matrix, dh0, dp, total, caches + t, &x.matrix,
                      &prev.matrix, p);
  }
  gsl_matrix_free(total);
}
