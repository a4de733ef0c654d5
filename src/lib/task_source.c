/* task_source.c -- the adding and copy tasks as batch sources: a fresh
 * batch drawn from the trainer's generator, read out by the model's
 * linear readout, and scored
 *   adding: y = readout(h_T)        (B, 1),   L = MSE(y, target)
 *   copy:   y = readout(h_t) all t  (T*B, 9), L = cross-entropy(y, labels)
 * with full BPTT through the batch; nothing is carried from one batch to
 * the next.  See grl_train.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  grl_source base;
  grl_task *task;     /* the batch: x, and y or labels                   */
  gsl_matrix *y;      /* (B, O) adding; (T*B, O) copy: readout outputs   */
  gsl_matrix *dy;     /* like y: dL/dy                                   */
  gsl_matrix *dh;     /* (T*B, H) dL/doutput copy                        */
  gsl_matrix *dhT;    /* (GRL_MAX_LAYERS*B, H) dL/dh_T adding, layer by
                         layer; only the top layer's rows are written    */
} task_source;

void grl_source_free(grl_source *src)
{
  if (src)
    src->free(src);
}

static void task_free(grl_source *src)
{
  task_source *ts = (task_source *)src;
  grl_task_free(ts->task);
  gsl_matrix *all[] = {ts->y, ts->dy, ts->dh, ts->dhT};
  for (size_t i = 0; i < 4; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(ts);
}

static int task_fill(grl_source *src, gsl_rng *r)
{
  grl_task_sample(((task_source *)src)->task, r);
  return GRL_OK;
}

/* The cell over the batch, the readout, the loss; then, for a gradient,
 * the readout's backward and BPTT. */
static int task_loss(grl_source *src, const grl_model *m, const double *theta,
                     grl_seq *s, double *loss, double *dtheta)
{
  task_source *ts = (task_source *)src;
  const grl_task *t = ts->task;
  int st = grl_seq_forward(s, theta, t->x->data, NULL, NULL);
  if (st)
    return st;
  gsl_matrix *dy = dtheta ? ts->dy : NULL;
  /* the rows read out: every step's output (copy) or h_T (adding) */
  gsl_matrix_view h = t->per_step ? grl_seq_output(s)   /* (T*B, H) */
                                  : grl_seq_hT(s);      /* (B, H)   */
  grl_readout_forward(m, theta, &h.matrix, ts->y);
  *loss = t->per_step ? grl_loss_xent(ts->y, t->labels, dy)
                      : grl_loss_mse(ts->y, t->y, dy);
  if (!dtheta || !isfinite(*loss))
    return GRL_OK;
  if (t->per_step) {
    grl_readout_backward(m, theta, dtheta, &h.matrix, dy, ts->dh);
    return grl_seq_backward(s, theta, t->x->data, ts->dh->data, NULL, NULL,
                            dtheta, NULL, NULL, NULL);
  }
  /* dL/dh_T of every layer, (L*B, H): the readout reads the top layer's
   * rows [(L-1)*B, L*B); the layers below stay 0 */
  const size_t L = m->layers;
  gsl_matrix_view top = gsl_matrix_submatrix(ts->dhT, (L - 1) * t->B, 0,
                                             t->B, ts->dhT->size2);
  grl_readout_backward(m, theta, dtheta, &h.matrix, dy, &top.matrix);
  return grl_seq_backward(s, theta, t->x->data, NULL, ts->dhT->data, NULL,
                          dtheta, NULL, NULL, NULL);
}

/* (B, cols) adding: one readout row per sequence; (T*B, cols) copy: one
 * per step and sequence. */
static gsl_matrix *readout_rows(const grl_task *t, size_t cols)
{
  return gsl_matrix_alloc(t->per_step ? t->T * t->B : t->B, cols);
}

static int task_evaluate(grl_source *src, const grl_model *m, gsl_rng *r,
                         size_t nseq, double *loss);

static int source_alloc(task_source **out, const char *name, size_t length,
                        size_t B, size_t H)
{
  *out = NULL;
  task_source *ts = calloc(1, sizeof *ts);
  if (!ts)
    return grl_fail(GRL_ENOMEM, "task source: out of memory");
  int st = grl_task_alloc(&ts->task, name, length, B);
  if (st) {
    free(ts);
    return st;
  }
  const grl_task *t = ts->task;
  ts->base = (grl_source){.name = t->name, .T = t->T, .B = t->B, .I = t->I,
                          .H = H, .O = t->O, .unit = 1.0, .task = t,
                          .fill = task_fill, .loss = task_loss,
                          .evaluate = task_evaluate, .free = task_free};
  ts->y = readout_rows(t, t->O);
  ts->dy = readout_rows(t, t->O);
  ts->dh = readout_rows(t, H);
  ts->dhT = gsl_matrix_calloc(GRL_MAX_LAYERS * t->B, H);
  if (!ts->y || !ts->dy || !ts->dh || !ts->dhT) {
    task_free(&ts->base);
    return grl_fail(GRL_ENOMEM, "task source: out of memory for B=%zu H=%zu",
                    B, H);
  }
  *out = ts;
  return GRL_OK;
}

int grl_task_source_alloc(grl_source **src, const char *name, size_t length,
                          size_t B, size_t H)
{
  task_source *ts;
  int st = source_alloc(&ts, name, length, B, H);
  *src = st ? NULL : &ts->base;
  return st;
}

/* The mean loss over nseq fresh sequences from r, in equal batches (the
 * largest divisor of nseq up to 100), each of its own source: the mean of
 * the batch means is the mean.  Allocates outside any training loop. */
static int task_evaluate(grl_source *src, const grl_model *m, gsl_rng *r,
                         size_t nseq, double *loss)
{
  enum { EVAL_MAX_BATCH = 100 };
  const grl_task *t = src->task;
  if (nseq == 0)
    return grl_fail(GRL_EINVAL, "evaluate: need at least one sequence");
  size_t eB = nseq < EVAL_MAX_BATCH ? nseq : EVAL_MAX_BATCH;
  while (nseq % eB)
    eB--;
  task_source *e = NULL;
  grl_seq *s = NULL;
  int st = source_alloc(&e, t->name, t->length, eB, src->H);
  if (!st)
    st = grl_seq_alloc(&s, m, t->T, eB);
  double sum = 0.0;
  for (size_t i = 0; i < nseq / eB && !st; i++) {
    double L;
    grl_task_sample(e->task, r);
    st = task_loss(&e->base, m, m->theta, s, &L, NULL);
    sum += L;
  }
  grl_seq_free(s);
  if (e)
    task_free(&e->base);
  if (st)
    return st;
  *loss = sum / (double)(nseq / eB);
  if (!isfinite(*loss))
    return grl_fail(GRL_ENONFINITE, "evaluate: the test loss is %g", *loss);
  return GRL_OK;
}
