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
  grl_const_views p;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  /* y = h Wo^T + bo: the affine map of every other layer */
  grl_affine_forward(y, 0.0, h, &p.Wo.matrix, &p.bo.vector);
}

void grl_readout_backward(const grl_model *m, const double *theta,
                          double *dtheta, const gsl_matrix *h,
                          const gsl_matrix *dy, gsl_matrix *dh)
{
  grl_const_views p;
  grl_views dp;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  grl_model_bind(m, dtheta, &dp);
  /* forward was y = h Wo^T + bo, so
   *   dWo += dy^T h,  dbo += 1^T dy,  dh = dy Wo (if dh) */
  grl_affine_backward(dy, h, &p.Wo.matrix, &dp.Wo.matrix, &dp.bo.vector, dh,
                      0.0);
}

void grl_readout_mse_hessian(const gsl_matrix *h, size_t O, gsl_matrix *A)
{
  const size_t R = h->size1, H = h->size2;
  const double s = 2.0 / ((double)R * (double)O);
  /* y_r = w . [h_r; 1], L = (1/(R O)) sum (y - t)^2, so
   * d2L/dw2 = 2/(R O) sum_r [h_r; 1][h_r; 1]^T:
   *   the (H, H) block  s h^T h,  the last column  s sum_r h_r,  the corner  s R */
  gsl_matrix_view Ahh = gsl_matrix_submatrix(A, 0, 0, H, H);
  gsl_blas_dsyrk(CblasLower, CblasTrans, s, h, 0.0, &Ahh.matrix);
  for (size_t i = 0; i < H; i++)
    for (size_t j = i + 1; j < H; j++)
      gsl_matrix_set(A, i, j, gsl_matrix_get(A, j, i));
  for (size_t j = 0; j < H; j++) {
    double c = 0.0;
    for (size_t r = 0; r < R; r++)
      c += gsl_matrix_get(h, r, j);
    gsl_matrix_set(A, j, H, s * c);
    gsl_matrix_set(A, H, j, s * c);
  }
  gsl_matrix_set(A, H, H, s * (double)R);
}
