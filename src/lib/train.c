/* train.c -- the training loop: draw a batch, run the cell, read out, take
 * the loss, backpropagate through time, clip, update.
 *
 * Everything is allocated in grl_trainer_alloc; a step allocates nothing.
 * A step whose loss, gradient or new parameters are not finite restores
 * the last parameters whose loss and gradient were finite and stops with
 * GRL_ENONFINITE, so a caller can still save something useful. */
#include <config.h>
#include "grulab.h"
#include "openblas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct grl_trainer {
  grl_model *m;
  grl_task *task;     /* training batches of B sequences                 */
  grl_seq *seq;       /* (T, B) forward caches and BPTT buffers          */
  grl_optim *opt;
  double clip;        /* global-norm threshold, 0 = off                  */
  double *grad;       /* (n) dL/dtheta                                   */
  double *good;       /* (n) the last theta with finite loss and grad    */
  gsl_matrix *y;      /* (B, O) adding; (T*B, O) copy: readout outputs   */
  gsl_matrix *dy;     /* like y: dL/dy                                   */
  gsl_matrix *dh;     /* (B, H) dL/dh_T adding; (T*B, H) dL/doutput copy */
  double t0;          /* grl_seconds() at allocation                     */
  size_t step;        /* steps attempted                                 */
  size_t good_step;   /* the step whose theta is in good (0: none yet)   */
  volatile sig_atomic_t *stop; /* the caller's stop request, or NULL   */
  /* evaluation, allocated at the first grl_trainer_evaluate */
  size_t eB;          /* sequences per evaluation batch                  */
  grl_task *etask;
  grl_seq *eseq;
  gsl_matrix *ey;     /* like y, for eB sequences                        */
};

unsigned long grl_train_test_seed(unsigned long seed)
{
  /* any fixed bijection will do: flip bits with the golden-ratio constant */
  return seed ^ 0x9e3779b9UL;
}

static gsl_matrix *readout_rows(const grl_task *t, size_t B, size_t cols)
{
  /* adding: one output per sequence; copy: one per step and sequence */
  return gsl_matrix_alloc(t->per_step ? t->T * B : B, cols);
}

void grl_train_blas_threads_default(void)
{
#ifdef GRL_HAVE_OPENBLAS
  if (!getenv("OPENBLAS_NUM_THREADS"))
    openblas_set_num_threads(1);
#endif
}

int grl_trainer_alloc(grl_trainer **out, grl_model *m, const char *task,
                      size_t length, const grl_train_config *cfg)
{
  *out = NULL;
  int st;
  grl_trainer *tr = calloc(1, sizeof *tr);
  if (!tr)
    return grl_fail(GRL_ENOMEM, "trainer: out of memory");
  tr->m = m;
  tr->clip = cfg->clip;
  tr->stop = cfg->stop;
  tr->t0 = grl_seconds();
  if (!(cfg->clip >= 0.0)) {
    st = grl_fail(GRL_EINVAL, "clip threshold must be >= 0 (0 = off), got %g", cfg->clip);
    goto fail;
  }
  if ((st = grl_task_alloc(&tr->task, task, length, cfg->batch)))
    goto fail;
  const grl_task *t = tr->task;
  if (m->input_size != t->I || m->output_size != t->O) {
    st = grl_fail(GRL_EINVAL,
                  "trainer: the %s task needs input size %zu and %zu readout outputs; the model has %zu and %zu",
                  t->name, t->I, t->O, m->input_size, m->output_size);
    goto fail;
  }
  if ((st = grl_optim_alloc(&tr->opt, cfg->optimizer ? cfg->optimizer : "adam",
                            m->n, cfg->lr)))
    goto fail;
  if ((st = grl_seq_alloc(&tr->seq, m, t->T, t->B)))
    goto fail;
  tr->grad = malloc(m->n * sizeof *tr->grad);
  tr->good = malloc(m->n * sizeof *tr->good);
  tr->y = readout_rows(t, t->B, t->O);
  tr->dy = readout_rows(t, t->B, t->O);
  tr->dh = readout_rows(t, t->B, m->hidden_size);
  if (!tr->grad || !tr->good || !tr->y || !tr->dy || !tr->dh) {
    st = grl_fail(GRL_ENOMEM, "trainer: out of memory");
    goto fail;
  }
  *out = tr;
  return GRL_OK;
fail:
  grl_trainer_free(tr);
  return st;
}

static void free_eval(grl_trainer *tr)
{
  grl_task_free(tr->etask);
  grl_seq_free(tr->eseq);
  if (tr->ey)
    gsl_matrix_free(tr->ey);
  tr->etask = NULL;
  tr->eseq = NULL;
  tr->ey = NULL;
  tr->eB = 0;
}

void grl_trainer_free(grl_trainer *tr)
{
  if (!tr)
    return;
  free_eval(tr);
  grl_task_free(tr->task);
  grl_seq_free(tr->seq);
  grl_optim_free(tr->opt);
  free(tr->grad);
  free(tr->good);
  if (tr->y)
    gsl_matrix_free(tr->y);
  if (tr->dy)
    gsl_matrix_free(tr->dy);
  if (tr->dh)
    gsl_matrix_free(tr->dh);
  free(tr);
}

const grl_task *grl_trainer_task(const grl_trainer *tr)
{
  return tr->task;
}

/* Run the cell over task t's batch, read out, and take the loss.
 *   adding: y = readout(h_T)        (B, 1),   L = MSE(y, target)
 *   copy:   y = readout(h_t) all t  (T*B, 9), L = cross-entropy(y, labels)
 * dy (like y) receives dL/dy, or NULL. */
static int forward_loss(const grl_model *m, grl_seq *s, const grl_task *t,
                        gsl_matrix *y, gsl_matrix *dy, double *loss)
{
  int st = grl_seq_forward(s, m->theta, t->x->data, NULL, NULL);
  if (st)
    return st;
  if (t->per_step) {
    gsl_matrix_view out = grl_seq_output(s); /* (T*B, H) */
    grl_readout_forward(m, NULL, &out.matrix, y);
    *loss = grl_loss_xent(y, t->labels, dy);
  } else {
    gsl_matrix_view hT = grl_seq_hT(s);      /* (B, H) */
    grl_readout_forward(m, NULL, &hT.matrix, y);
    *loss = grl_loss_mse(y, t->y, dy);
  }
  return GRL_OK;
}

/* Stop on a non-finite value: put back the last good parameters. */
static int stop(grl_trainer *tr, size_t k, const char *what, double value)
{
  grl_model *m = tr->m;
  if (tr->good_step) {
    memcpy(m->theta, tr->good, m->n * sizeof *m->theta);
    return grl_fail(GRL_ENONFINITE,
                    "step %zu: %s is %g; training stopped with the parameters of step %zu, the last with a finite loss and gradient",
                    k, what, value, tr->good_step);
  }
  return grl_fail(GRL_ENONFINITE,
                  "step %zu: %s is %g at the initial parameters; training stopped before any update",
                  k, what, value);
}

int grl_trainer_step(grl_trainer *tr, gsl_rng *r, grl_train_stat *out)
{
  grl_model *m = tr->m;
  const grl_task *t = tr->task;
  const size_t n = m->n;
  const size_t k = ++tr->step;
  double *theta = m->theta; /* (n) */
  double *g = tr->grad;     /* (n) */
  grl_train_stat s = {0};
  s.step = k;

  grl_task_sample(tr->task, r);
  double L = NAN;
  int st = forward_loss(m, tr->seq, t, tr->y, tr->dy, &L);
  if (st == GRL_ENONFINITE)
    return stop(tr, k, "a hidden state", NAN);
  if (st)
    return st;
  if (!isfinite(L))
    return stop(tr, k, "the loss", L);

  /* Zero the gradient explicitly: every backward below ACCUMULATES. */
  memset(g, 0, n * sizeof *g);
  if (t->per_step) {
    gsl_matrix_view out_h = grl_seq_output(tr->seq); /* (T*B, H) */
    grl_readout_backward(m, NULL, g, &out_h.matrix, tr->dy, tr->dh);
    st = grl_seq_backward(tr->seq, theta, t->x->data, tr->dh->data, NULL,
                          NULL, g, NULL, NULL, NULL);
  } else {
    gsl_matrix_view hT = grl_seq_hT(tr->seq);        /* (B, H) */
    grl_readout_backward(m, NULL, g, &hT.matrix, tr->dy, tr->dh);
    st = grl_seq_backward(tr->seq, theta, t->x->data, NULL, tr->dh->data,
                          NULL, g, NULL, NULL, NULL);
  }
  if (st)
    return st;

  s.grad_norm = grl_clip_global_norm(g, n, tr->clip, &s.clipped);
  if (!isfinite(s.grad_norm) || !grl_all_finite(g, n))
    return stop(tr, k, "the gradient norm", s.grad_norm);

  /* theta is good: its loss and gradient are finite. */
  memcpy(tr->good, theta, n * sizeof *theta);
  tr->good_step = k;
  grl_optim_step(tr->opt, theta, g);
  if (!grl_all_finite(theta, n))
    return stop(tr, k, "an updated parameter", INFINITY);
  /* ||theta_after - theta_before||, reusing g's storage */
  for (size_t i = 0; i < n; i++)
    g[i] = theta[i] - tr->good[i];
  s.update_norm = grl_norm(g, n);
  s.loss = L;
  s.seconds = grl_seconds() - tr->t0;
  if (out)
    *out = s;
  return GRL_OK;
}

int grl_train_run(grl_trainer *tr, gsl_rng *r, size_t steps,
                  grl_train_stat *log, size_t *done, grl_train_callback cb,
                  void *ctx)
{
  size_t k = 0;
  int st = GRL_OK;
  while (k < steps) {
    grl_train_stat s;
    if (tr->stop && *tr->stop) {
      st = grl_fail(GRL_EINTR, "stopped after step %zu of %zu", k, steps);
      break;
    }
    if ((st = grl_trainer_step(tr, r, &s)))
      break;
    if (log)
      log[k] = s;
    k++;
    if (cb && (st = cb(&s, ctx)))
      break;
  }
  if (done)
    *done = k;
  return st;
}

int grl_trainer_evaluate(grl_trainer *tr, gsl_rng *r, size_t nseq,
                         double *loss)
{
  enum { EVAL_MAX_BATCH = 100 };
  const grl_task *t = tr->task;
  if (nseq == 0)
    return grl_fail(GRL_EINVAL, "evaluate: need at least one sequence");
  /* Equal batches: the largest divisor of nseq up to EVAL_MAX_BATCH. */
  size_t eB = nseq < EVAL_MAX_BATCH ? nseq : EVAL_MAX_BATCH;
  while (nseq % eB)
    eB--;
  if (eB != tr->eB) {
    free_eval(tr);
    int st;
    if ((st = grl_task_alloc(&tr->etask, t->name, t->length, eB))
        || (st = grl_seq_alloc(&tr->eseq, tr->m, t->T, eB))) {
      free_eval(tr);
      return st;
    }
    tr->ey = readout_rows(t, eB, t->O);
    if (!tr->ey) {
      free_eval(tr);
      return grl_fail(GRL_ENOMEM, "evaluate: out of memory");
    }
    tr->eB = eB;
  }
  /* Every batch has eB sequences, so the mean of batch means is the mean. */
  double sum = 0.0;
  for (size_t i = 0; i < nseq / eB; i++) {
    double L;
    grl_task_sample(tr->etask, r);
    int st = forward_loss(tr->m, tr->eseq, tr->etask, tr->ey, NULL, &L);
    if (st)
      return st;
    sum += L;
  }
  *loss = sum / (double)(nseq / eB);
  if (!isfinite(*loss))
    return grl_fail(GRL_ENONFINITE, "evaluate: the test loss is %g", *loss);
  return GRL_OK;
}

void grl_progress_init(grl_progress *p, FILE *f, int enabled, size_t total)
{
  p->f = f;
  p->enabled = enabled && f;
  p->total = total;
  p->last = grl_seconds();
  p->written = 0;
}

int grl_progress_step(const grl_train_stat *st, void *ctx)
{
  grl_progress *p = ctx;
  if (!p->enabled)
    return 0;
  double now = grl_seconds();
  if (now - p->last < 1.0)
    return 0;
  fprintf(p->f, "\rstep %zu/%zu  loss %.5f  |g| %.3g  %.1f s ", st->step,
          p->total, st->loss, st->grad_norm, st->seconds);
  fflush(p->f);
  p->last = now;
  p->written = 1;
  return 0;
}

void grl_progress_end(grl_progress *p)
{
  if (p->enabled && p->written) {
    /* erase the progress line: the terminal keeps only the results */
    fputs("\r\033[K", p->f);
    fflush(p->f);
  }
  p->written = 0;
}
