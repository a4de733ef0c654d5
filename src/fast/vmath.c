/* vmath.c -- sigma and tanh over arrays, and the softmax cross-entropy,
 * on SLEEF's vector exp and expm1 (vmath_simd.c, compiled for AVX2 and
 * for AVX-512): the widest kernel the build and this CPU allow.  Chosen
 * by the CPU alone, so a run repeats bit for bit on the same machine at
 * any thread count. */
#include <config.h>
#include "fast.h"
#ifdef GRL_HAVE_SLEEF
#include "vmath.h"
#define HAVE_AVX512 __builtin_cpu_supports("avx512f")
#define HAVE_AVX2 (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
#endif

int grl_fast_sigmoid_n(double *y, const double *x, size_t n)
{
#ifdef GRL_HAVE_SLEEF
  if (HAVE_AVX512) {
    grl_vmath_sigmoid_avx512(y, x, n);
    return 0;
  }
  if (HAVE_AVX2) {
    grl_vmath_sigmoid_avx2(y, x, n);
    return 0;
  }
#else
  (void)y; (void)x; (void)n;
#endif
  return -1;
}

int grl_fast_tanh_n(double *y, const double *x, size_t n)
{
#ifdef GRL_HAVE_SLEEF
  if (HAVE_AVX512) {
    grl_vmath_tanh_avx512(y, x, n);
    return 0;
  }
  if (HAVE_AVX2) {
    grl_vmath_tanh_avx2(y, x, n);
    return 0;
  }
#else
  (void)y; (void)x; (void)n;
#endif
  return -1;
}

int grl_fast_xent(double *L, const gsl_matrix *z, const size_t *labels,
                  gsl_matrix *dz)
{
#ifdef GRL_HAVE_SLEEF
  double (*row)(double *, const double *, size_t, size_t, double) =
    HAVE_AVX512 ? grl_vmath_xent_row_avx512
    : HAVE_AVX2 ? grl_vmath_xent_row_avx2 : NULL;
  if (!row)
    return -1;
  const size_t R = z->size1, C = z->size2;
  double sum = 0.0;
  for (size_t r = 0; r < R; r++)
    sum += row(dz ? gsl_matrix_ptr(dz, r, 0) : NULL,
               gsl_matrix_const_ptr(z, r, 0), C, labels[r], (double)R);
  *L = sum / (double)R;
  return 0;
#else
  (void)L; (void)z; (void)labels; (void)dz;
  return -1;
#endif
}

const char *grl_fast_vmath_name(void)
{
#ifdef GRL_HAVE_SLEEF
  if (HAVE_AVX512)
    return "sleef-avx512";
  if (HAVE_AVX2)
    return "sleef-avx2";
#endif
  return NULL;
}
