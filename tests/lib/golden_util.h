/* golden_util.h -- what tests/lib/golden.c and tests/lib/golden-layers.c
 * share: the worst relative error of a tensor against its golden values,
 * one TAP line per tensor, and small helpers to read a golden file. */
#ifndef GOLDEN_UTIL_H
#define GOLDEN_UTIL_H
#include "grulab.h"
#include "tap.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Worst entry of |got - want| relative to max|want| (or absolute when want
 * is all zeros); *at receives its index. */
static inline double rel_err(const double *got, const double *want, size_t n,
                      size_t *at, int *all_zero)
{
  double scale = 0.0, worst = 0.0;
  for (size_t i = 0; i < n; i++)
    scale = fmax(scale, fabs(want[i]));
  *all_zero = scale == 0.0;
  *at = 0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs(got[i] - want[i]);
    if (!(e <= worst)) {   /* also catches NaN */
      worst = e;
      *at = i;
    }
  }
  return *all_zero ? worst : worst / scale;
}

/* One test line per tensor, naming its worst error; the file's worst is
 * folded into *file_worst. */
static inline void check(const char *tag, const char *what, const double *got,
                  const double *want, size_t n, double tol, double *file_worst)
{
  size_t at;
  int all_zero;
  double e = rel_err(got, want, n, &at, &all_zero);
  int pass;
  if (all_zero)
    pass = ok(e == 0.0, "%s %s: exactly zero, as in torch", tag, what);
  else
    pass = ok(e <= tol, "%s %s: worst relative error %.2e <= %.0e", tag, what,
              e, tol);
  if (!pass)
    diag("%s %s[%zu]: got %.17g, want %.17g", tag, what, at, got[at],
         want[at]);
  if (file_worst && !(e <= *file_worst))
    *file_worst = e;
}

/* Copy a (possibly strided) matrix view into a dense array. */
static inline void dense(double *dst, const gsl_matrix *m)
{
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++)
      dst[i * m->size2 + j] = gsl_matrix_get(m, i, j);
}

static inline const double *need(const grl_tensorfile *tf, const char *name, int ndim,
                          size_t d0, size_t d1, size_t d2)
{
  const size_t dims[3] = {d0, d1, d2};
  const double *p = NULL;
  if (grl_tensorfile_get(tf, name, ndim, dims, &p) != GRL_OK)
    bail("%s", grl_strerror());
  return p;
}

static inline double *zalloc(size_t n)
{
  double *p = calloc(n ? n : 1, sizeof *p);
  if (!p)
    bail("out of memory");
  return p;
}

/* One line per parameter tensor: dtheta's block against the file's
 * grad_<name>. */
static inline void check_param_grads(const char *tag, const grl_model *m,
                                     const grl_tensorfile *tf,
                                     const double *dtheta, double tol,
                                     double *file_worst)
{
  char gname[GRL_NAME_MAX + 8];
  for (size_t p = 0; p < m->nparam; p++) {
    const grl_param *par = &m->param[p];
    snprintf(gname, sizeof gname, "grad_%s", par->name);
    const double *want = need(tf, gname, par->ndim, par->rows,
                              par->ndim == 2 ? par->cols : 1, 1);
    check(tag, gname, dtheta + par->offset, want, par->rows * par->cols,
          tol, file_worst);
  }
}

#endif
