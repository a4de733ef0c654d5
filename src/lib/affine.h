/* affine.h -- the affine maps with a chosen backend, for the sequence
 * driver (not installed).  be NULL: the CBLAS alone (the plain path);
 * which, j0..j1 or r0..r1: the weight and the part of it the backend may
 * have laid out for the pass (backend.h).  The public grl_affine_* calls
 * are these with the default backend. */
#ifndef GRULAB_AFFINE_H
#define GRULAB_AFFINE_H

#include "grulab.h"
#include "backend.h"

/* y = beta*y + x W^T + 1 b^T */
void grl_affine_forward_on(const grl_backend *be, enum grl_weight which,
                           size_t j0, size_t j1, gsl_matrix *y, double beta,
                           const gsl_matrix *x, const gsl_matrix *W,
                           const gsl_vector *b);
/* dx = beta*dx + dy W */
void grl_affine_dx_on(const grl_backend *be, enum grl_weight which,
                      size_t r0, size_t r1, gsl_matrix *dx, double beta,
                      const gsl_matrix *dy, const gsl_matrix *W);
/* db += 1^T dy */
void grl_affine_bias_grad_on(const grl_backend *be, gsl_vector *db,
                             const gsl_matrix *dy);

#endif
