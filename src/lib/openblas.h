/* openblas.h -- OpenBLAS's own thread controls (not installed).  Its
 * cblas.h would clash with gsl_cblas.h, so the entry points the
 * library and the command use are declared here, once. */
#ifndef GRULAB_OPENBLAS_H
#define GRULAB_OPENBLAS_H

#include <config.h>

#ifdef GRL_HAVE_OPENBLAS
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
#endif

/* Pin OpenBLAS to one thread; returns what to give back to
 * grl_blas_threads_restore.  Nothing to do with any other CBLAS. */
static inline int grl_blas_one_thread(void)
{
#ifdef GRL_HAVE_OPENBLAS
  int was = openblas_get_num_threads();
  if (was != 1)
    openblas_set_num_threads(1);
  return was;
#else
  return 1;
#endif
}

static inline void grl_blas_threads_restore(int was)
{
#ifdef GRL_HAVE_OPENBLAS
  if (was != 1)
    openblas_set_num_threads(was);
#else
  (void)was;
#endif
}

#endif
