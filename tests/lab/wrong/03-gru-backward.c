/* A wrong lab 3 that no known mistake matches: the gradient of b_hn is
 * taken as da_n, forgetting that r multiplies the recurrent half of a_n
 * (dW_hn is right: it uses dq = da_n * r).  Written row by row, the
 * weight gradients as rank-1 updates (gsl_blas_dger) and the inputs'
 * gradients as matrix-vector products.  The grader should localise it to
 * db_hh, gate n, with every other tensor and gate block right. */
#include "lab.h"

void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p)
{
  size_t B = x->size1, H = p->H;
  gsl_vector *in = gsl_vector_alloc(3 * H), *rec = gsl_vector_alloc(3 * H);
  for (size_t b = 0; b < B; b++) {
    gsl_vector_const_view xb = gsl_matrix_const_row(x, b);
    gsl_vector_const_view hb = gsl_matrix_const_row(h_prev, b);
    gsl_vector_view dxb = gsl_matrix_row(dx, b), dhb = gsl_matrix_row(dh_prev, b);
    for (size_t j = 0; j < H; j++) {
      double d = gsl_matrix_get(dh, b, j), z = gsl_matrix_get(cache->z, b, j);
      double n = gsl_matrix_get(cache->n, b, j), r = gsl_matrix_get(cache->r, b, j);
      double an = d * (1.0 - z) * lab_dtanh(n);
      gsl_vector_set(in, j, an * gsl_matrix_get(cache->q, b, j) * lab_dsigmoid(r));
      gsl_vector_set(in, H + j, d * (gsl_vector_get(&hb.vector, j) - n) * lab_dsigmoid(z));
      gsl_vector_set(in, 2 * H + j, an);
      gsl_vector_set(rec, j, gsl_vector_get(in, j));
      gsl_vector_set(rec, H + j, gsl_vector_get(in, H + j));
      gsl_vector_set(rec, 2 * H + j, an * r);
      gsl_vector_set(&dhb.vector, j, d * z);
    }
    gsl_blas_dger(1.0, in, &xb.vector, dp->W_ih);
    gsl_blas_dger(1.0, rec, &hb.vector, dp->W_hh);
    gsl_vector_add(dp->b_ih, in);
    gsl_vector_add(dp->b_hh, in);                 /* meant: rec */
    gsl_blas_dgemv(CblasTrans, 1.0, p->W_ih, in, 0.0, &dxb.vector);
    gsl_blas_dgemv(CblasTrans, 1.0, p->W_hh, rec, 1.0, &dhb.vector);
  }
  gsl_vector_free(in);
  gsl_vector_free(rec);
}
