/* A lab 3 that crashes: an index computed far outside dh's storage (a
 * wild read), as a mistaken stride can produce.  The grader must report
 * the crash, name the function, and go on with the next item. */
#include "lab.h"

void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p)
{
  size_t stride = (size_t)1 << 40;   /* meant: dh->tda */
  volatile double v = dh->data[3 * stride];
  gsl_matrix_set_all(dx, v);
  gsl_matrix_set_all(dh_prev, v);
}
