/* vmath.h -- the vector kernels behind grl_fast_sigmoid_n, grl_fast_tanh_n
 * and grl_fast_xent (vmath_simd.c; not installed).  y[i] = f(x[i]) for
 * i < n; y may be x.  xent_row: one row of the softmax cross-entropy, its
 * loss returned and its gradient (when dz is not NULL) in dz (n). */
#ifndef GRULAB_VMATH_H
#define GRULAB_VMATH_H

#include <stddef.h>

void grl_vmath_sigmoid_avx2(double *y, const double *x, size_t n);
void grl_vmath_tanh_avx2(double *y, const double *x, size_t n);
void grl_vmath_sigmoid_avx512(double *y, const double *x, size_t n);
void grl_vmath_tanh_avx512(double *y, const double *x, size_t n);
double grl_vmath_xent_row_avx2(double *dz, const double *z, size_t n,
                               size_t label, double R);
double grl_vmath_xent_row_avx512(double *dz, const double *z, size_t n,
                                 size_t label, double R);

#endif
