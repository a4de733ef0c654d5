/* loss.c -- mean squared error and softmax cross-entropy, each with its
 * gradient.  Both are means, like PyTorch's default reduction='mean'. */
#include <config.h>
#include "grulab.h"
#include "backend.h"

#include <math.h>

double grl_loss_mse(const gsl_matrix *y, const gsl_matrix *target,
                    gsl_matrix *dy)
{
  const size_t R = y->size1, O = y->size2;
  const double N = (double)(R * O);
  double L = 0.0;
  for (size_t r = 0; r < R; r++)
    for (size_t o = 0; o < O; o++) {
      double e = gsl_matrix_get(y, r, o) - gsl_matrix_get(target, r, o);
      /* L = (1/N) sum (y - target)^2 */
      L += e * e;
      /* dL/dy = 2 (y - target) / N */
      if (dy)
        gsl_matrix_set(dy, r, o, 2.0 * e / N);
    }
  return L / N;
}

double grl_loss_xent(const gsl_matrix *z, const size_t *labels,
                     gsl_matrix *dz)
{
  const size_t R = z->size1, C = z->size2;
  double L = 0.0;
  /* The fast backend does these same steps on vectors (src/fast/vmath.c);
   * the loop below is the plain path. */
  if (!grl_fast_xent(&L, z, labels, dz))
    return L;
  for (size_t r = 0; r < R; r++) {
    const double *zr = gsl_matrix_const_ptr(z, r, 0); /* (C) logits */
    double zmax = zr[0];
    for (size_t c = 1; c < C; c++)
      if (zr[c] > zmax)
        zmax = zr[c];
    const double zl = zr[labels[r]];
    /* logsumexp(z) = zmax + log s, s = sum_c e^{z_c - zmax}: no overflow;
     * with the gradient, the e^{z_c - zmax} are kept in dz's row (one exp
     * per logit), for softmax(z)_c = e^{z_c - zmax} / s */
    double *dzr = dz ? gsl_matrix_ptr(dz, r, 0) : NULL;
    double s = 0.0;
    for (size_t c = 0; c < C; c++) {
      const double e = exp(zr[c] - zmax);
      if (dzr)
        dzr[c] = e;
      s += e;
    }
    L += zmax + log(s) - zl;   /* L_r = logsumexp(z_r) - z_r[label] */
    /* dL/dz = (softmax(z) - onehot(label)) / R */
    if (dzr)
      for (size_t c = 0; c < C; c++)
        dzr[c] = (dzr[c] / s - (c == labels[r])) / (double)R;
  }
  return L / (double)R;
}
