/* train.c -- the training loop, one for every batch source: fill a batch,
 * take its loss and gradient (the source's forward, readout and BPTT),
 * clip, update, carry the state.
 *
 * Everything is allocated in grl_trainer_alloc_source; a step allocates
 * nothing.  A step whose loss, gradient or new parameters are not finite
 * restores the last parameters whose loss and gradient were finite and
 * stops with GRL_ENONFINITE, so a caller can still save something useful. */
#include <config.h>
#include "grulab.h"
#include "openblas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct grl_trainer {
  grl_model *m;
  grl_source *src;    /* where the batches come from                     */
  int own_src;        /* 1: made by grl_trainer_alloc, freed with it     */
  grl_seq *seq;       /* (T, B) forward caches and BPTT buffers          */
  grl_optim *opt;
  double clip;        /* global-norm threshold, 0 = off                  */
  double *grad;       /* (n) dL/dtheta                                   */
  double *good;       /* (n) the last theta with finite loss and grad    */
  double t0;          /* grl_seconds() at allocation                     */
  size_t step;        /* steps attempted                                 */
  size_t good_step;   /* the step whose theta is in good (0: none yet)   */
  volatile sig_atomic_t *stop; /* the caller's stop request, or NULL   */
  int dropout;        /* draw the seq's dropout masks every step         */
};

unsigned long grl_train_test_seed(unsigned long seed)
{
  /* any fixed bijection will do: flip bits with the golden-ratio constant */
  return seed ^ 0x9e3779b9UL;
}

void grl_train_blas_threads_default(void)
{
#ifdef GRL_HAVE_OPENBLAS
  if (!getenv("OPENBLAS_NUM_THREADS"))
    openblas_set_num_threads(1);
#endif
}

int grl_trainer_alloc_source(grl_trainer **out, grl_model *m, grl_source *src,
                             const grl_train_config *cfg)
{
  *out = NULL;
  if (!(cfg->clip >= 0.0))
    return grl_fail(GRL_EINVAL, "clip threshold must be >= 0 (0 = off), got %g",
                    cfg->clip);
  if (!(cfg->dropout >= 0.0 && cfg->dropout < 1.0))
    return grl_fail(GRL_EINVAL, "dropout must be in [0, 1), got %g",
                    cfg->dropout);
  if (!(cfg->weight_decay >= 0.0) || !isfinite(cfg->weight_decay))
    return grl_fail(GRL_EINVAL, "weight decay must be a finite number >= 0, "
                    "got %g", cfg->weight_decay);
  if (m->input_size != src->I || m->output_size != src->O
      || m->hidden_size != src->H)
    return grl_fail(GRL_EINVAL,
                    "trainer: the %s source needs input size %zu, hidden size %zu and %zu readout outputs; the model has %zu, %zu and %zu",
                    src->name, src->I, src->H, src->O, m->input_size,
                    m->hidden_size, m->output_size);
  grl_trainer *tr = calloc(1, sizeof *tr);
  if (!tr)
    return grl_fail(GRL_ENOMEM, "trainer: out of memory");
  tr->m = m;
  tr->src = src;
  tr->clip = cfg->clip;
  tr->stop = cfg->stop;
  tr->t0 = grl_seconds();
  int st;
  if ((st = grl_optim_alloc(&tr->opt, cfg->optimizer ? cfg->optimizer : "adam",
                            m->n, cfg->lr))
      || (st = grl_seq_alloc(&tr->seq, m, src->T, src->B))) {
    grl_trainer_free(tr);
    return st;
  }
  tr->opt->weight_decay = cfg->weight_decay;
  if (cfg->dropout > 0.0
      && (st = grl_seq_set_dropout(tr->seq, cfg->dropout, cfg->dropout_kind))) {
    grl_trainer_free(tr);
    return st;
  }
  tr->dropout = cfg->dropout > 0.0;
  tr->grad = malloc(m->n * sizeof *tr->grad);
  tr->good = malloc(m->n * sizeof *tr->good);
  if (!tr->grad || !tr->good) {
    grl_trainer_free(tr);
    return grl_fail(GRL_ENOMEM, "trainer: out of memory");
  }
  *out = tr;
  return GRL_OK;
}

int grl_trainer_alloc(grl_trainer **out, grl_model *m, const char *task,
                      size_t length, const grl_train_config *cfg)
{
  *out = NULL;
  grl_source *src;
  int st = grl_task_source_alloc(&src, task, length, cfg->batch,
                                 m->hidden_size);
  if (st)
    return st;
  if ((st = grl_trainer_alloc_source(out, m, src, cfg))) {
    grl_source_free(src);
    return st;
  }
  (*out)->own_src = 1;
  return GRL_OK;
}

void grl_trainer_free(grl_trainer *tr)
{
  if (!tr)
    return;
  if (tr->own_src)
    grl_source_free(tr->src);
  grl_seq_free(tr->seq);
  grl_optim_free(tr->opt);
  free(tr->grad);
  free(tr->good);
  free(tr);
}

const grl_task *grl_trainer_task(const grl_trainer *tr)
{
  return tr->src->task;
}

grl_seq *grl_trainer_seq(grl_trainer *tr)
{
  return tr->seq;
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
  grl_source *src = tr->src;
  const size_t n = m->n;
  const size_t k = ++tr->step;
  double *theta = m->theta; /* (n) */
  double *g = tr->grad;     /* (n) */
  grl_train_stat s = {0};
  s.step = k;

  int st = src->fill(src, r);
  if (st)
    return st;
  /* this step's dropout masks, from the same generator, after the batch */
  if (tr->dropout)
    grl_seq_draw_masks(tr->seq, r);
  /* Zero the gradient explicitly: the source's backward ACCUMULATES. */
  memset(g, 0, n * sizeof *g);
  double L = NAN;
  st = src->loss(src, m, theta, tr->seq, &L, g);
  if (st == GRL_ENONFINITE)
    return stop(tr, k, "a hidden state", NAN);
  if (st)
    return st;
  if (!isfinite(L))
    return stop(tr, k, "the loss", L);

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
  if (src->carry)
    src->carry(src, tr->seq);
  s.loss = L / src->unit;
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
  if (!tr->src->evaluate)
    return grl_fail(GRL_EINVAL, "evaluate: the %s source has no test",
                    tr->src->name);
  return tr->src->evaluate(tr->src, tr->m, r, nseq, loss);
}
