/* readout.c -- the linear readout on top of a recurrent cell.
 *
 *   y = h Wo^T + bo        h (R, H), Wo (O, H), bo (O), y (R, O)
 *
 * Its weights "readout_weight" and "readout_bias" live at the end of the
 * model's flat parameter block, so the optimiser and the gradient check
 * treat them like any other parameter.  PyTorch: nn.Linear(H, O). */
#include <config.h>
#include "grulab.h"


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
