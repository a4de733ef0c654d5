/* grl_train.h -- learning with a recurrent cell: a linear readout, losses,
 * optimisers, gradient clipping, synthetic tasks, batch sources, the one
 * training loop over them, and the gradient-norm-against-lag analysis of
 * vanishing gradients.
 *
 * Included by grulab.h; never include it on its own.
 *
 * Everything here works on the model's ONE flat parameter block theta (n),
 * whose readout weights "readout_weight" (O, H) and "readout_bias" (O) sit
 * at its end, after the cell's own ncell parameters.  An optimiser is one
 * loop over n entries; clipping is one norm over n entries.
 *
 * The training loop never prints.  It reports each step to an optional
 * callback (a program's progress line, say). */
#ifndef GRULAB_GRL_TRAIN_H
#define GRULAB_GRL_TRAIN_H

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Linear readout (readout.c)                                          */
/* ------------------------------------------------------------------ */

/* y = h Wo^T + bo for every row: h (R, H), y (R, O) OVERWRITTEN.
 * theta is laid out like m->theta (NULL = m->theta); m->output_size > 0. */
void grl_readout_forward(const grl_model *m, const double *theta,
                         const gsl_matrix *h, gsl_matrix *y);
/* The mirror: forward was y = h Wo^T + bo, so
 *   dWo += dy^T h,  dbo += sum over rows of dy   (ACCUMULATED into dtheta)
 *   dh   = dy Wo                                  (OVERWRITTEN, or NULL)  */
void grl_readout_backward(const grl_model *m, const double *theta,
                          double *dtheta, const gsl_matrix *h,
                          const gsl_matrix *dy, gsl_matrix *dh);

/* The Hessian of the mean squared error of the readout's output, with
 * respect to one output's readout weights and bias, w = (Wo[o,:], bo[o]):
 *   A = 2/(R O) sum_r [h_r; 1] [h_r; 1]^T        A (H+1, H+1) OVERWRITTEN
 * the same for every output o (the loss is a quadratic in (Wo, bo), and
 * the outputs do not couple), and independent of Wo, bo and the targets.
 * h (R, H); O >= 1 the number of outputs the mean runs over. */
void grl_readout_mse_hessian(const gsl_matrix *h, size_t O, gsl_matrix *A);

/* ------------------------------------------------------------------ */
/* Losses (loss.c).  Both are means, like PyTorch's default            */
/* reduction='mean'; the gradient is OVERWRITTEN (NULL: not wanted).   */
/* ------------------------------------------------------------------ */

/* L = (1/N) sum (y - target)^2 over all N entries;  dy = 2 (y - target) / N.
 * y, target, dy (R, O). */
double grl_loss_mse(const gsl_matrix *y, const gsl_matrix *target,
                    gsl_matrix *dy);
/* Softmax cross-entropy, PyTorch's nn.CrossEntropyLoss:
 *   L = (1/R) sum_r [ logsumexp(z_r) - z_r[label_r] ]
 *   dz_r = (softmax(z_r) - onehot(label_r)) / R
 * z, dz (R, C) logits; labels (R), each < C. */
double grl_loss_xent(const gsl_matrix *z, const size_t *labels,
                     gsl_matrix *dz);

/* ------------------------------------------------------------------ */
/* Optimisers and clipping (optim.c).  The update formulas are         */
/* PyTorch's torch.optim ones; with weight_decay = 0:                  */
/*  sgd       theta -= lr g                                            */
/*  momentum  b = mu b + g (b = g at step 1); theta -= lr b  (mu 0.9)  */
/*  rmsprop   v = alpha v + (1-alpha) g^2; theta -= lr g/(sqrt(v)+eps) */
/*            (alpha 0.99, eps 1e-8)                                   */
/*  adam      m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;              */
/*            theta -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)  */
/*            (b1 0.9, b2 0.999, eps 1e-8)                             */
/*  adamw     adam's step after theta <- (1 - lr wd) theta             */
/* Weight decay wd (the weight_decay field) two ways, as torch.optim:  */
/*  sgd, momentum, rmsprop, adam: L2 in the loss, the gradient of      */
/*    (wd/2)||theta||^2 added: g <- g + wd theta before the update     */
/*    (after clipping: the trainer clips g, the step adds wd theta);   */
/*  adamw: decoupled (Loshchilov and Hutter 2019), as above.           */
/* grl_optim_alloc's defaults: adamw wd = 0.01 (torch's), others 0.   */
/* ------------------------------------------------------------------ */

typedef enum {
  GRL_OPTIM_SGD,
  GRL_OPTIM_MOMENTUM,
  GRL_OPTIM_RMSPROP,
  GRL_OPTIM_ADAM,
  GRL_OPTIM_ADAMW,
  GRL_OPTIM_ADAGRAD
} grl_optim_kind;

typedef struct {
  grl_optim_kind kind;
  size_t n;
  double lr;
  double momentum;     /* mu of momentum                     */
  double alpha;        /* rmsprop's smoothing constant        */
  double beta1, beta2; /* adam's moment decay rates           */
  double eps;          /* rmsprop and adam                    */
  double weight_decay; /* wd >= 0: L2, or decoupled for adamw */
  unsigned long t;     /* updates done so far                 */
  double *m;           /* (n) momentum buffer / adam's first moment, or NULL */
  double *v;           /* (n) rmsprop / adam second moment, adagrad sum, or NULL */
} grl_optim;

/* name: "sgd", "momentum", "rmsprop", "adam", "adamw" or "adagrad" (PyTorch's defaults for the
 * constants above; change the fields before the first step to override).
 * Unknown names fail with a message listing the choices. */
int grl_optim_alloc(grl_optim **o, const char *name, size_t n, double lr);
void grl_optim_free(grl_optim *o);
/* Forget all state, as if freshly allocated. */
void grl_optim_reset(grl_optim *o);
/* One update of theta (n) with the gradient g (n). */
void grl_optim_step(grl_optim *o, double *theta, const double *g);
/* "sgd|momentum|rmsprop|adam|adamw|adagrad", for messages. */
const char *grl_optim_names(void);

/* ||g||_2 over n entries, without overflow for huge entries. */
double grl_norm(const double *g, size_t n);
/* Pascanu, Mikolov and Bengio 2013, Algorithm 1: if ||g|| >= threshold,
 * g <- (threshold / ||g||) g.  Returns ||g|| BEFORE clipping; sets
 * *clipped (may be NULL).  threshold <= 0 disables clipping.  (PyTorch's
 * clip_grad_norm_ adds 1e-6 to the norm; we follow the paper.) */
double grl_clip_global_norm(double *g, size_t n, double threshold,
                            int *clipped);

/* 1 if all n entries are finite. */
int grl_all_finite(const double *a, size_t n);

/* ------------------------------------------------------------------ */
/* Tasks (task.c), generated from a gsl_rng                            */
/* ------------------------------------------------------------------ */

typedef enum { GRL_TASK_ADDING, GRL_TASK_COPY } grl_task_kind;

typedef struct {
  grl_task_kind kind;
  const char *name;  /* "adding", "copy" */
  size_t length;     /* the task's T: adding's length, copy's delay     */
  size_t T;          /* steps the cell runs: adding T, copy T + 20       */
  size_t B;          /* sequences per batch                              */
  size_t I;          /* input features: adding 2, copy 10                */
  size_t O;          /* readout outputs: adding 1, copy 9 classes        */
  int per_step;      /* 0: one target after the last step (adding)
                        1: a target at every step (copy)                 */
  double baseline;   /* loss of the best memoryless answer               */
  gsl_matrix *x;     /* (T*B, I) inputs, rows t*B+b                      */
  gsl_matrix *y;     /* (B, O) regression targets (adding), else NULL    */
  size_t *labels;    /* (T*B) class per step (copy), else NULL           */
} grl_task;

/* The adding problem (Arjovsky, Shah and Bengio 2016): input column 0 holds
 * values ~ U[0,1], column 1 holds markers, exactly one 1 in the first half
 * t < floor(T/2) and one in the second half; the target is the sum of the
 * two marked values.  Always answering 1 scores E(y-1)^2 = Var(U1+U2) =
 * 1/6, the baseline.  length >= 2.
 *
 * The copy-memory task (same paper): 10 symbols from {1..8}, length-1
 * blanks (0), the delimiter 9, then 10 blanks; inputs are one-hot (10).
 * The target is blank for length+10 steps, then the 10 symbols (9
 * classes).  Answering blank, then uniformly at random, scores the
 * cross-entropy baseline 10 ln 8 / (length + 20).  length >= 1. */
int grl_task_alloc(grl_task **t, const char *name, size_t length, size_t B);
void grl_task_free(grl_task *t);
/* Draw a fresh batch into t->x and t->y / t->labels. */
void grl_task_sample(grl_task *t, gsl_rng *r);
/* "adding|copy", for messages. */
const char *grl_task_names(void);

/* ------------------------------------------------------------------ */
/* Batch sources (task_source.c; the text's: text_source.c)            */
/* ------------------------------------------------------------------ */

/* Where a trainer's batches come from.  A source fills a batch of B
 * sequences of T steps, computes the batch's loss and its gradient, and
 * carries state from one batch to the next:
 *   adding, copy  fresh sequences drawn from the trainer's generator and
 *                 read out by the model's readout; nothing is carried
 *   text          the next window of B streams of a text (grl_text.h);
 *                 each window's final state starts the next window
 * The trainer does the rest -- zero the gradient, clip, update, stop on a
 * non-finite value -- the same way for every source.  A new kind of data
 * is a new source: embed this struct first in your own and fill it in. */
typedef struct grl_text grl_text;   /* grl_text.h */
typedef struct grl_source grl_source;
struct grl_source {
  const char *name;  /* "adding", "copy", "text"                           */
  size_t T, B;       /* steps the cell runs, sequences per batch           */
  size_t I, H, O;    /* the model it feeds: input size, hidden size,
                        readout outputs                                    */
  double unit;       /* the loss is reported as loss / unit: 1, or ln 2
                        for bits                                           */
  const grl_task *task; /* adding, copy: the task and its current batch;
                           else NULL                                       */
  /* Fill the next batch; r is the trainer's generator (the text source
   * reads its next window and draws nothing). */
  int (*fill)(grl_source *src, gsl_rng *r);
  /* The batch's loss at theta, the forward pass run in s (T, B).  With
   * dtheta != NULL and a finite loss, dL/dtheta is ACCUMULATED into
   * dtheta.  GRL_ENONFINITE when a state is not finite. */
  int (*loss)(grl_source *src, const grl_model *m, const double *theta,
              grl_seq *s, double *loss, double *dtheta);
  /* After a step: carry the state of s into the next batch (NULL: none). */
  void (*carry)(grl_source *src, grl_seq *s);
  /* The test loss (in the reported unit) at m's parameters, with no
   * gradient: adding, copy on nseq fresh sequences drawn from r; text on
   * its whole validation split (nseq and r unused).  May be NULL. */
  int (*evaluate)(grl_source *src, const grl_model *m, gsl_rng *r,
                  size_t nseq, double *loss);
  void (*free)(grl_source *src);
};

/* A source of the task NAME ("adding" or "copy", grl_task_alloc) with
 * batches of B sequences, for a model of hidden size H (its input and
 * readout sizes are the task's). */
int grl_task_source_alloc(grl_source **src, const char *name, size_t length,
                          size_t B, size_t H);
/* Free any source (NULL is fine). */
void grl_source_free(grl_source *src);

/* ------------------------------------------------------------------ */
/* Training (train.c)                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *optimizer; /* "adam" (default when NULL) ...             */
  double lr;             /* learning rate (> 0)                        */
  double clip;           /* global-norm threshold, 0 = no clipping     */
  size_t batch;          /* sequences per batch of the task source that
                            grl_trainer_alloc makes (a source of one's
                            own has its own B)                         */
  /* A stop request, or NULL.  grl_train_run reads *stop before every
   * step and, once it is non-zero, returns GRL_EINTR without starting
   * another: the step under way always finishes.  A program points it
   * at the flag its SIGINT/SIGTERM handler sets; the library itself
   * never installs a handler. */
  volatile sig_atomic_t *stop;
  /* Weight decay wd >= 0, the optimiser's weight_decay (L2 in the loss,
   * or decoupled for adamw); 0 = none, whatever the optimiser (a program
   * that wants torch's AdamW default says 0.01). */
  double weight_decay;
  /* Dropout p in [0, 1) of the kind (grulab.h, grl_seq_set_dropout) on
   * every training step, the masks drawn from the trainer's generator
   * before the step's loss; 0 = none.  Tests and evaluations never drop. */
  double dropout;
  grl_dropout_kind dropout_kind;
} grl_train_config;

/* What one step did. */
typedef struct {
  size_t step;        /* 1, 2, ...: updates attempted so far          */
  double loss;        /* batch loss at the parameters before the step,
                         in the source's unit (text: bits per byte)   */
  double grad_norm;   /* ||g|| before clipping                        */
  double update_norm; /* ||theta_after - theta_before||               */
  int clipped;        /* 1 if clipping scaled g down                  */
  double seconds;     /* wall time since the trainer was allocated     */
} grl_train_stat;

typedef struct grl_trainer grl_trainer;

/* A trainer for model m (which it updates in place) on batches from src,
 * which it uses but does not own.  The model's sizes must be the
 * source's.  Everything the loop needs is allocated here. */
int grl_trainer_alloc_source(grl_trainer **tr, grl_model *m, grl_source *src,
                             const grl_train_config *cfg);
/* The same on a task: a task source of cfg->batch sequences (adding:
 * I=2, O=1; copy: I=10, O=9), owned by the trainer. */
int grl_trainer_alloc(grl_trainer **tr, grl_model *m, const char *task,
                      size_t length, const grl_train_config *cfg);
void grl_trainer_free(grl_trainer *tr);
/* The source's task and its current batch (adding, copy), or NULL. */
const grl_task *grl_trainer_task(const grl_trainer *tr);
/* The forward and backward caches of the last step (T, B). */
grl_seq *grl_trainer_seq(grl_trainer *tr);

/* One step: the next batch from the source (drawn from r), forward, loss,
 * full BPTT over the batch, clip, update, carry.  If the loss, the
 * gradient or the updated parameters are not finite, theta is restored to
 * the last parameters whose loss and gradient were finite and
 * GRL_ENONFINITE is returned, with a message naming the step. */
int grl_trainer_step(grl_trainer *tr, gsl_rng *r, grl_train_stat *st);

/* Callback after every successful step; a non-zero return stops the run
 * (grl_train_run then returns that value). */
typedef int (*grl_train_callback)(const grl_train_stat *st, void *ctx);

/* steps calls of grl_trainer_step.  log (steps) receives every step's
 * stat, or is NULL; *done (may be NULL) counts the successful steps.
 * When the config's stop flag is set, it returns GRL_EINTR after the step
 * under way ("stopped after step K of N"); the model then holds the
 * parameters after step *done, and log[0 .. *done) is complete. */
int grl_train_run(grl_trainer *tr, gsl_rng *r, size_t steps,
                  grl_train_stat *log, size_t *done, grl_train_callback cb,
                  void *ctx);

/* The source's test loss at the current parameters, no gradient: for a
 * task, the mean over nseq fresh sequences drawn from r (MSE for adding,
 * cross-entropy for copy); for a text, the validation bpc. */
int grl_trainer_evaluate(grl_trainer *tr, gsl_rng *r, size_t nseq,
                         double *loss);

/* One whole training run from a seed (session.c), what `grulab train`
 * does and chapter 8 does many times over:
 *   r = mt19937(seed) draws the initial parameters (PyTorch's uniform
 *   init, readout included), then every batch; the model's input and
 *   output sizes are the source's; keep_gate_bias, unless NaN, is then
 *   set with grl_init_keep_gate_bias (after the draw, so the batches do
 *   not change); after `steps` steps the model is tested (test_seqs = 0:
 *   not): a task on test_seqs fresh sequences from
 *   mt19937(grl_train_test_seed(seed)), a text on its validation split.
 * A session shares nothing with another, so sessions may run on several
 * threads at once, each with the same result as alone. */
typedef struct {
  const grl_cell *cell;
  const char *task;         /* "adding" (NULL), "copy" or "text"        */
  size_t length;            /* the task's length: adding the sequence
                               length, copy the delay, text the window
                               of truncated BPTT                        */
  const grl_text *text;     /* task "text": the text                    */
  size_t hidden_size;       /* H                                        */
  size_t layers;            /* stacked layers L (0: 1)                  */
  size_t steps;             /* optimiser steps                          */
  unsigned long seed;
  size_t test_seqs;         /* e.g. 1000; 0 = no test                   */
  double keep_gate_bias;    /* NAN = as drawn                           */
  grl_train_config cfg;     /* cfg.batch: sequences (text: streams)     */
} grl_session_spec;

typedef struct {
  grl_model *m;             /* the trained model (at failure: the last
                               parameters with a finite loss and gradient) */
  grl_train_stat *log;      /* (steps) every step's stat; [0, done) valid */
  size_t done;              /* successful steps                         */
  double test;              /* test loss, NAN if not measured           */
  double seconds;           /* wall time of the training steps          */
} grl_session;

/* Run spec into s (s->m and s->log are allocated here and kept even on
 * failure, so that a caller can save what there is); cb/ctx as for
 * grl_train_run.  Free with grl_session_free. */
int grl_session_run(grl_session *s, const grl_session_spec *spec,
                    grl_train_callback cb, void *ctx);
void grl_session_free(grl_session *s);

/* The seed of the generator of test sequences that goes with a run's
 * seed, so that `grulab train` and chapter 8 test on the same sequences
 * whatever the step count. */
unsigned long grl_train_test_seed(unsigned long seed);

/* Seconds on a monotonic clock (for timing runs; clock.c). */
double grl_seconds(void);

/* Training multiplies small matrices (B x H by H x G*H), which a BLAS
 * thread pool only slows down: GRU T=50 H=32 B=50 takes 3.9 ms a step on
 * one OpenBLAS thread and 6.4 ms on two (2-core machine).  With OpenBLAS
 * this sets one thread, unless OPENBLAS_NUM_THREADS is set; with any other
 * CBLAS it does nothing.  Programs call it; the library never does.  (The
 * library's own products run on one OpenBLAS thread in any case, for
 * the same bytes at any thread count: affine.c.) */
void grl_train_blas_threads_default(void);

/* ------------------------------------------------------------------ */
/* Gradient norm against lag (gradnorm.c)                              */
/* ------------------------------------------------------------------ */

/* Run a model over T steps of a batch of B sequences and measure, for a
 * loss L at the last step,
 *   norm[k] = mean_b || dL/dh_{T-k} ||          k = 0 .. T-1
 *   jac[k]  = mean_b sigma_max( dh_{T-k} / dh_{T-k-1} )
 * The loss is L = sum_b u_b . h_T(b) with unit vectors u_b, so norm[0] = 1
 * and norm[k] is the factor by which the gradient shrinks or grows over k
 * steps.  u_b is the readout's direction Wo^T/||Wo|| when the model has a
 * one-output readout (the MSE gradient at h_T is a per-row multiple of
 * it), else a random direction drawn from r.  The LSTM's state is (h, c)
 * and its memory lives in c, so for it norm[k] is ||(dL/dh, dL/dc)_{T-k}||
 * and jac[k] the largest singular value of the whole-state Jacobian
 * d(h,c)_t / d(h,c)_{t-1} (2H x 2H).
 *
 * The Jacobians are exact: the cell's own single-step backward is run on
 * H (LSTM: 2H) copies of one row with dh = identity, which yields J row by
 * row; sigma_max(J)^2 is the largest eigenvalue of J^T J (gsl_eigen_symm,
 * 4-5x faster than gsl_linalg_SV_decomp here, and equal to rounding). */
typedef struct grl_gradnorm grl_gradnorm;

int grl_gradnorm_alloc(grl_gradnorm **g, const grl_model *m, size_t T,
                       size_t B);
void grl_gradnorm_free(grl_gradnorm *g);
/* x (T*B, I) inputs; theta laid out like m->theta (NULL = m->theta);
 * norm, jac (T) OVERWRITTEN (jac may be NULL to skip the Jacobians). */
int grl_gradnorm_run(grl_gradnorm *g, const double *theta, const double *x,
                     gsl_rng *r, double *norm, double *jac);

/* Initialisations for the vanishing-gradient experiments (gradnorm.c). */
/* Rescale every H x H gate block of W_hh so that its largest singular
 * value is lambda1 (Pascanu et al.'s lambda_1). */
int grl_init_singular_value(grl_model *m, double lambda1);
/* Rescale every H x H gate block of W_hh to spectral radius rho. */
int grl_init_spectral_radius(grl_model *m, double rho);
/* Set the bias of the gate that keeps the old state (grl_cell.keep_gate)
 * so that sigma(b) is kept: gru and gru-cho z (b_iz = b, b_hz = 0), lstm
 * f (b_if = b, b_hf = 0), seed f (bias_f = b); every layer's.  A cell whose gate is the
 * fraction written gets -b.  The rnn has no such gate: GRL_EINVAL. */
int grl_init_keep_gate_bias(grl_model *m, double b);

#ifdef __cplusplus
}
#endif

#endif
