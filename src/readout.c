/* readout.c -- the linear readout on top of a recurrent cell.
 *
 *   y = h Wo^T + bo        h (R, H), Wo (O, H), bo (O), y (R, O)
 *
 * Its weights "readout_weight" and "readout_bias" live at the end of the
 * model's flat parameter block, so the optimiser and the gradient check
 * treat them like any other parameter.  PyTorch: nn.Linear(H, O). */
#include <config.h>
#include "grulab.h"

#include <gsl/gsl_blas.h>

void grl_readout_forward(const grl_model *m, const double *theta,
                         const gsl_matrix *h, gsl_matrix *y)
{
  grl_views p;
  grl_model_bind(m, (double *)(theta ? theta : m->theta), &p);
  /* y = h Wo^T + bo */
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, h, &p.Wo.matrix, 0.0, y);
  for (size_t r = 0; r < y->size1; r++) {
    gsl_vector_view yr = gsl_matrix_row(y, r);
    gsl_vector_add(&yr.vector, &p.bo.vector);
  }
}

void grl_readout_backward(const grl_model *m, const double *theta,
                          double *dtheta, const gsl_matrix *h,
                          const gsl_matrix *dy, gsl_matrix *dh)
{
  grl_views p, dp;
  grl_model_bind(m, (double *)(theta ? theta : m->theta), &p);
  grl_model_bind(m, dtheta, &dp);
  /* forward was y = h Wo^T + bo, so dWo += dy^T h ... */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dy, h, 1.0, &dp.Wo.matrix);
  /* ... dbo += sum_r dy_r ... */
  for (size_t r = 0; r < dy->size1; r++) {
    gsl_vector_const_view dyr = gsl_matrix_const_row(dy, r);
    gsl_vector_add(&dp.bo.vector, &dyr.vector);
  }
  /* ... and dh = dy Wo. */
  if (dh)
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dy, &p.Wo.matrix, 0.0, dh);
}
