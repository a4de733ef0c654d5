/* backend_none.c -- no fast backend (configure --disable-fast): every
 * product, gate loop, cross-entropy and batch takes the plain path (backend.h). */
#include <config.h>
#include "backend.h"

const grl_backend *grl_fast_default(void) { return NULL; }
const char *grl_fast_name(void) { return NULL; }

int grl_fast_forward(const grl_backend *be, enum grl_weight which,
                     size_t j0, size_t j1, gsl_matrix *y, double beta,
                     const gsl_matrix *x)
{
  (void)be; (void)which; (void)j0; (void)j1; (void)y; (void)beta; (void)x;
  return -1;
}

int grl_fast_dx(const grl_backend *be, enum grl_weight which, size_t r0,
                size_t r1, gsl_matrix *dx, double beta, const gsl_matrix *dy,
                const gsl_matrix *W)
{
  (void)be; (void)which; (void)r0; (void)r1; (void)dx; (void)beta; (void)dy;
  (void)W;
  return -1;
}

int grl_fast_bias_grad(gsl_vector *db, const gsl_matrix *dy)
{
  (void)db; (void)dy;
  return -1;
}

int grl_fast_sigmoid_n(double *y, const double *x, size_t n)
{
  (void)y; (void)x; (void)n;
  return -1;
}

int grl_fast_tanh_n(double *y, const double *x, size_t n)
{
  (void)y; (void)x; (void)n;
  return -1;
}

int grl_fast_xent(double *L, const gsl_matrix *z, const size_t *labels,
                  gsl_matrix *dz)
{
  (void)L; (void)z; (void)labels; (void)dz;
  return -1;
}

const char *grl_fast_vmath_name(void) { return NULL; }

int grl_fast_seq_alloc(grl_backend **be, size_t T, size_t B, size_t I,
                       size_t H, size_t G)
{
  (void)T; (void)B; (void)I; (void)H; (void)G;
  *be = NULL;
  return GRL_OK;
}

/* Never called: grl_fast_seq_alloc makes no plan. */
void grl_fast_seq_free(grl_backend *be) { (void)be; }
void grl_fast_seq_prepare_forward(grl_backend *be, const gsl_matrix *Wx,
                                  const gsl_matrix *Wh)
{
  (void)be; (void)Wx; (void)Wh;
}
void grl_fast_seq_prepare_backward(grl_backend *be, const gsl_matrix *Wh)
{
  (void)be; (void)Wh;
}
size_t grl_fast_seq_blocks(const grl_backend *be) { (void)be; return 1; }
void grl_fast_seq_run(const grl_backend *be, size_t B, grl_rows_fn *rows,
                      void *ctx)
{
  (void)be;
  rows(ctx, 0, 0, B);
}
const char *grl_fast_seq_describe(const grl_backend *be)
{
  (void)be;
  return "plain";
}
