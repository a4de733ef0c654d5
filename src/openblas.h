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

#endif
