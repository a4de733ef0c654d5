/* vmath.h -- the vector kernels behind grl_fast_sigmoid_n, grl_fast_tanh_n
 * (vmath_simd.c; not installed).  y[i] = f(x[i]) for i < n; y may be x. */
#ifndef GRULAB_VMATH_H
#define GRULAB_VMATH_H

#include <stddef.h>

void grl_vmath_sigmoid_avx2(double *y, const double *x, size_t n);
void grl_vmath_tanh_avx2(double *y, const double *x, size_t n);
void grl_vmath_sigmoid_avx512(double *y, const double *x, size_t n);
void grl_vmath_tanh_avx512(double *y, const double *x, size_t n);

#endif
