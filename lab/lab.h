/* lab.h -- the lab's types, and the functions you write in lab/NN-*.c.
 *
 * Every lab file includes this header.  It declares all the lab's
 * functions, so a later lab calls an earlier one by name (lab 4's time
 * loop calls your gru_step_forward of lab 2).  The grader runs a lab on
 * your earlier functions when they pass, and on the library's in their
 * place when they do not yet: each lab is graded on its own.
 *
 * Conventions (the library's, grulab.h):
 *  - a batch is the rows of a gsl_matrix: x (B, I) holds B inputs x_t, one
 *    per row; h (B, H) their states.  A shape comment (B, H) means a
 *    gsl_matrix of B rows and H columns;
 *  - a sequence (T steps) stacks the steps' row blocks: xs (T*B, I), whose
 *    rows [(t-1)*B, t*B) are step t = 1..T; h_0 is separate;
 *  - weights are PyTorch's: W_ih (G*H, I), W_hh (G*H, H), b_ih, b_hh
 *    (G*H), gate g in rows [g*H, (g+1)*H); the GRU's gates are r, z, n
 *    (G = 3), the LSTM's i, f, g, o (G = 4).  For a batch, W x becomes
 *    x W^T: row b of x W_ir^T is W_ir x_b;
 *  - outputs come first in an argument list, inputs after, and gradients
 *    take a d prefix (dW_ih is dL/dW_ih);
 *  - a backward pass ACCUMULATES (+=) into the parameter gradients dp and
 *    OVERWRITES its other outputs (dx, dh_prev, ...).
 */
#ifndef GRULAB_LAB_H
#define GRULAB_LAB_H

/* GSL's element accessors (gsl_matrix_get, ...) as inline functions; they
 * keep their range checks, so an index out of range is reported by GSL
 * (and by the grader), not written past the end of a matrix. */
#ifndef HAVE_INLINE
#define HAVE_INLINE 1
#endif
/* A function you have not written yet does not use its parameters. */
#ifndef LAB_GRADER
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

#include <math.h>
#include <stddef.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* What a function you have not written yet calls: it tells the grader
 * "not written yet".  Delete the line when you write the function. */
#define LAB_TODO() lab_todo(__func__)
void lab_todo(const char *function);

/* ------------------------------------------------------------------ */
/* Parameters and caches                                               */
/* ------------------------------------------------------------------ */

/* A cell's parameters (or their gradients: the same shapes). */
typedef struct {
  size_t G, I, H;     /* gate blocks, input size, hidden size       */
  gsl_matrix *W_ih;   /* (G*H, I) input weights, gate g in rows
                       *          [g*H, (g+1)*H)                      */
  gsl_matrix *W_hh;   /* (G*H, H) recurrent weights                 */
  gsl_vector *b_ih;   /* (G*H)    input-side biases                 */
  gsl_vector *b_hh;   /* (G*H)    recurrent biases                  */
} cell_params;
typedef cell_params gru_params;    /* G = 3: r, z, n    */
typedef cell_params lstm_params;   /* G = 4: i, f, g, o */

cell_params *cell_params_alloc(size_t G, size_t I, size_t H);  /* zeros */
void cell_params_free(cell_params *p);
void cell_params_zero(cell_params *p);

/* What one GRU step's forward keeps for its backward (lab 2 writes it). */
typedef struct {
  gsl_matrix *r;   /* (B, H) reset gate                                */
  gsl_matrix *z;   /* (B, H) update gate                               */
  gsl_matrix *n;   /* (B, H) candidate state                           */
  gsl_matrix *q;   /* (B, H) q = h_prev W_hn^T + b_hn, the recurrent
                    *        half of a_n before r multiplies it        */
} gru_cache;

/* An array of T caches (one per step) and its release. */
gru_cache *gru_cache_alloc(size_t T, size_t B, size_t H);
void gru_cache_free(gru_cache *c, size_t T);

/* ------------------------------------------------------------------ */
/* Lab 1: gates (lab/01-gates.c)                                       */
/* ------------------------------------------------------------------ */

double lab_sigmoid(double a);    /* sigma(a), never overflowing       */
double lab_tanh(double a);       /* tanh(a), full precision, no NaN   */
double lab_dsigmoid(double s);   /* sigma'(a) from s = sigma(a)       */
double lab_dtanh(double t);      /* tanh'(a) from t = tanh(a)         */

/* ------------------------------------------------------------------ */
/* Lab 2: one GRU step forward (lab/02-gru-forward.c)                  */
/* ------------------------------------------------------------------ */

/* h (B, H) and cache from x (B, I), h_prev (B, H) and the parameters. */
void gru_step_forward(gsl_matrix *h, gru_cache *cache, const gsl_matrix *x,
                      const gsl_matrix *h_prev, const gru_params *p);

/* ------------------------------------------------------------------ */
/* Lab 3: one GRU step backward (lab/03-gru-backward.c)                */
/* ------------------------------------------------------------------ */

/* From dh = dL/dh (B, H), the step's cache and its inputs again:
 * dx (B, I) and dh_prev (B, H) OVERWRITTEN, dp ACCUMULATED. */
void gru_step_backward(gsl_matrix *dx, gsl_matrix *dh_prev, gru_params *dp,
                       const gsl_matrix *dh, const gru_cache *cache,
                       const gsl_matrix *x, const gsl_matrix *h_prev,
                       const gru_params *p);

/* ------------------------------------------------------------------ */
/* Lab 4: backpropagation through time (lab/04-bptt.c)                 */
/* ------------------------------------------------------------------ */

/* hs (T*B, H) and caches[0..T) from xs (T*B, I) and h0 (B, H). */
void gru_forward(gsl_matrix *hs, gru_cache *caches, const gsl_matrix *xs,
                 const gsl_matrix *h0, const gru_params *p);
/* From dhs (T*B, H), the loss's own dL/dh_t at every step: dxs (T*B, I)
 * and dh0 (B, H) OVERWRITTEN, dp ACCUMULATED. */
void gru_backward(gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,
                  const gsl_matrix *dhs, const gru_cache *caches,
                  const gsl_matrix *xs, const gsl_matrix *h0,
                  const gsl_matrix *hs, const gru_params *p);

/* ------------------------------------------------------------------ */
/* Lab 5: your own gradient checker (lab/05-gradcheck.c)               */
/* ------------------------------------------------------------------ */

/* A scalar loss of n parameters; arg is whatever it needs besides. */
typedef double (*loss_fn)(const double *theta, void *arg);

/* (LAB_OWN: called from this lab's own file, and kept a call of its own,
 * so that the grader can give gradient_check the library's rel_error
 * when yours is not right yet: lab/grader/wrap.c.) */
#if defined __GNUC__ && !defined __clang__ && __GNUC__ >= 8
#define LAB_OWN __attribute__((noipa))
#elif defined __GNUC__
#define LAB_OWN __attribute__((noinline))
#else
#define LAB_OWN
#endif
LAB_OWN double rel_error(double a, double n, double floor);
/* grad (n) from central differences of f; theta is unchanged on return. */
void numerical_gradient(double *grad, loss_fn f, void *arg, double *theta,
                        size_t n, double h);
/* 1 if every entry passes, else 0; *worst and *worst_rel: the entry
 * with the largest relative error, and that error. */
int gradient_check(size_t *worst, double *worst_rel, const double *analytic,
                   const double *numeric, size_t n, double tol,
                   double floor_rel);

/* ------------------------------------------------------------------ */
/* Lab 6: training (lab/06-training.c)                                 */
/* ------------------------------------------------------------------ */

#define LAB_MAX_TENSORS 8

/* A list of tensors, each seen as one flat vector (a view). */
typedef struct {
  size_t n;                          /* tensors in the list       */
  gsl_vector *t[LAB_MAX_TENSORS];    /* tensor k, flattened       */
  const char *name[LAB_MAX_TENSORS]; /* "W_ih", "W_hh", ...       */
} tensor_list;

/* Adam (Kingma and Ba 2015) with PyTorch's defaults. */
typedef struct {
  double lr, beta1, beta2, eps;  /* 1e-3 (or yours), 0.9, 0.999, 1e-8 */
  unsigned long t;               /* updates done so far (0 at first)   */
  tensor_list m, v;              /* moments shaped like the parameters,
                                    zero at first                      */
} adam_state;
adam_state *adam_state_alloc(const tensor_list *params, double lr);
void adam_state_free(adam_state *s);

/* A GRU with a linear readout of its last state: y = h_T W_o^T + b_o. */
typedef struct {
  gru_params *gru;   /* the cell (labs 2-4), G = 3                     */
  gsl_matrix *W_o;   /* (1, H) readout weight                          */
  gsl_vector *b_o;   /* (1)    readout bias                            */
  tensor_list all;   /* W_ih, W_hh, b_ih, b_hh, W_o, b_o as flat views */
  void *lib;         /* the library's model behind readout_mse         */
} gru_net;
gru_net *gru_net_alloc(size_t I, size_t H);
void gru_net_free(gru_net *net);
void gru_net_zero(gru_net *net);

/* Everything one training step needs, allocated once. */
typedef struct {
  size_t T, B;
  gsl_matrix *hs;       /* (T*B, H) h_1 .. h_T                 */
  gru_cache *caches;    /* (T)                                 */
  gsl_matrix *h0;       /* (B, H) zeros                        */
  gsl_matrix *dhs;      /* (T*B, H) dL/dh_t from the loss      */
  gsl_matrix *dhT;      /* (B, H)   dL/dh_T from the readout   */
  gsl_matrix *dxs;      /* (T*B, I)                            */
  gsl_matrix *dh0;      /* (B, H)                              */
} train_work;
train_work *train_work_alloc(size_t T, size_t B, size_t I, size_t H);
void train_work_free(train_work *w);

/* Supplied by the library: the readout and the mean squared error,
 *   y_hat = h_T W_o^T + b_o,   L = mean over the batch of (y_hat - y)^2,
 * for hT (B, H) and y (B, 1).  Returns L; ACCUMULATES dW_o and db_o into
 * grad; OVERWRITES dhT (B, H) with dL/dh_T. */
double readout_mse(gru_net *grad, gsl_matrix *dhT, const gru_net *net,
                   const gsl_matrix *hT, const gsl_matrix *y);

/* (LAB_OWN: see rel_error) */
LAB_OWN double clip_global_norm(tensor_list *g, double max_norm);
LAB_OWN void adam_step(adam_state *s, tensor_list *params, const tensor_list *grads);
double train_step(gru_net *net, gru_net *grad, adam_state *opt, train_work *w,
                  const gsl_matrix *xs, const gsl_matrix *y, double max_norm);

/* ------------------------------------------------------------------ */
/* Lab 7 (stretch): an LSTM step (lab/07-lstm.c)                       */
/* ------------------------------------------------------------------ */

/* The LSTM's state is a pair: h and the cell state c, (B, H) each. */
typedef struct {
  gsl_matrix *h;
  gsl_matrix *c;
} lstm_state;

typedef struct {
  gsl_matrix *i, *f, *g, *o;   /* (B, H) the gates                 */
  gsl_matrix *tc;              /* (B, H) tanh(c_t)                 */
} lstm_cache;
lstm_cache *lstm_cache_alloc(size_t B, size_t H);
void lstm_cache_free(lstm_cache *c);

/* next (h_t, c_t) and cache from x (B, I) and prev (h_{t-1}, c_{t-1}). */
void lstm_step_forward(lstm_state *next, lstm_cache *cache,
                       const gsl_matrix *x, const lstm_state *prev,
                       const lstm_params *p);
/* From dnext = (dL/dh_t, dL/dc_t): dx and dprev = (dL/dh_{t-1},
 * dL/dc_{t-1}) OVERWRITTEN, dp ACCUMULATED. */
void lstm_step_backward(gsl_matrix *dx, lstm_state *dprev, lstm_params *dp,
                        const lstm_state *dnext, const lstm_cache *cache,
                        const gsl_matrix *x, const lstm_state *prev,
                        const lstm_params *p);

#endif
