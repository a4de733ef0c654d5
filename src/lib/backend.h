/* backend.h -- what the library asks of its fast backend (not installed).
 *
 * The library's products are one CBLAS call each way (affine.c), its gate
 * loops call sigma and tanh element by element (activation.c), its softmax
 * cross-entropy one exp per logit (loss.c), and the sequence driver runs
 * the whole batch through one time loop (seq.c).
 * That is the plain path, the one the chapters explain.  A fast backend
 * (src/fast/) may take over any of these where it runs faster: each
 * function below either does the job and returns 0, or returns -1 (or
 * NULL) and the caller takes the plain path.  Built with --disable-fast,
 * backend_none.c answers -1 to everything.
 *
 * A backend's answer is a function of the sizes, the build and the CPU,
 * never of the thread count: the same inputs give the same bytes with one
 * thread or two.  Cells never include this header: they reach the
 * recurrent products through grl_recurrent_forward/backward (grulab.h). */
#ifndef GRULAB_BACKEND_H
#define GRULAB_BACKEND_H

#include "grulab.h"

/* A backend's state: for one sequence driver (grl_fast_seq_alloc), the
 * plan for its sizes and the weights it has laid out for this pass; or
 * the shared default for products outside a driver (grl_fast_default). */
typedef struct grl_backend grl_backend;

/* Which weight a product multiplies by, when the backend may have laid it
 * out for the pass: the driver's W_ih (the input projections) or W_hh
 * (each step's recurrent product); GRL_W_ANY: some other matrix. */
enum grl_weight { GRL_W_ANY = 0, GRL_W_IH, GRL_W_HH };

/* The backend for products outside a sequence driver (the readout, a
 * chapter calling a cell's step): it lays nothing out; NULL without one. */
const grl_backend *grl_fast_default(void);

/* The backend's product kernels ("libxsmm 1.17"), or NULL. */
const char *grl_fast_name(void);

/* y = beta*y + x W^T, where W^T's columns [j0, j1) are those of the
 * weight `which` the backend laid out for the pass.  y (M, j1-j0), x (M, K).
 * The bias is the caller's (affine.c adds it first, then beta is 1). */
int grl_fast_forward(const grl_backend *be, enum grl_weight which,
                     size_t j0, size_t j1, gsl_matrix *y, double beta,
                     const gsl_matrix *x);

/* dx = beta*dx + dy W, W (N, K) rows [r0, r1) of the weight `which`, or
 * (GRL_W_ANY) the matrix W as it is. */
int grl_fast_dx(const grl_backend *be, enum grl_weight which, size_t r0,
                size_t r1, gsl_matrix *dx, double beta, const gsl_matrix *dy,
                const gsl_matrix *W);

/* db += 1^T dy, adding the rows in order (the same bits as the plain
 * loop, sooner). */
int grl_fast_bias_grad(gsl_vector *db, const gsl_matrix *dy);

/* y[i] = sigma(x[i]) or tanh(x[i]) for i < n, vectorised; and the name of
 * the vector kernel ("sleef-avx512"), or NULL. */
int grl_fast_sigmoid_n(double *y, const double *x, size_t n);
int grl_fast_tanh_n(double *y, const double *x, size_t n);
const char *grl_fast_vmath_name(void);

/* *L = grl_loss_xent(z, labels, dz): the softmax cross-entropy, row by
 * row with the same steps (max, exp, sum, log, scale) on vectors; dz may
 * be z.  The loss's and the gradient's last bits differ from the plain
 * loop's (the vector exp; s summed in lanes), by the CPU alone: within 4
 * ULP (tests/lib/vmath). */
int grl_fast_xent(double *L, const gsl_matrix *z, const size_t *labels,
                  gsl_matrix *dz);

/* ---- for the sequence driver (seq.c) ---------------------------------- */

/* The plan for a (T, B) batch of a model with input size I, hidden size H
 * and G gate blocks: *be NULL when the backend has nothing faster than
 * the plain path for these sizes.  GRL_ENOMEM (message recorded) when its
 * buffers cannot be allocated. */
int grl_fast_seq_alloc(grl_backend **be, size_t T, size_t B, size_t I,
                       size_t H, size_t G);
void grl_fast_seq_free(grl_backend *be);

/* Lay out W_ih and W_hh for this pass's forward products, or W_hh for
 * the backward's: once per pass, since theta may change between passes. */
void grl_fast_seq_prepare_forward(grl_backend *be, const gsl_matrix *Wx,
                                  const gsl_matrix *Wh);
void grl_fast_seq_prepare_backward(grl_backend *be, const gsl_matrix *Wh);

/* The batch's rows run as this many independent blocks (at least 1). */
size_t grl_fast_seq_blocks(const grl_backend *be);

/* rows(ctx, k, b0, b1) for every block k, rows [b0, b1) of a batch of B:
 * on several threads when the backend is allowed them. */
typedef void grl_rows_fn(void *ctx, size_t k, size_t b0, size_t b1);
void grl_fast_seq_run(const grl_backend *be, size_t B, grl_rows_fn *rows,
                      void *ctx);

/* One line on what the plan does, e.g. "libxsmm 1.17: W_hh in panels of
 * 16; 2 blocks" (grl_seq_path). */
const char *grl_fast_seq_describe(const grl_backend *be);

#endif
