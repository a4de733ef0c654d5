/* session.c -- one whole training run from a seed, as `grulab train` and
 * chapter 8 run it:
 *
 *   r  <- mt19937(seed)                  initial parameters, then batches
 *   rt <- mt19937(grl_train_test_seed(seed))          the test sequences
 *   the source: the task's, or the text's windows;
 *   model(cell, source's I, H, source's O); PyTorch's uniform init from r;
 *   optionally the keep-gate bias; train `steps` steps; test (a task on
 *   fresh sequences from rt, a text on its validation split).
 *
 * A session owns everything it allocates and shares nothing, so several
 * sessions can run at once on different threads (chapter 8 runs its
 * trainings in parallel); each gives the same bytes whatever thread runs
 * it. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void grl_session_free(grl_session *s)
{
  if (!s)
    return;
  grl_model_free(s->m);
  free(s->log);
  s->m = NULL;
  s->log = NULL;
}

/* The spec's batch source, for a model of hidden size H. */
static int source_alloc(grl_source **src, const grl_session_spec *spec)
{
  const char *task = spec->task ? spec->task : "adding";
  if (strcmp(task, "text") != 0)
    return grl_task_source_alloc(src, task, spec->length, spec->cfg.batch,
                                 spec->hidden_size);
  if (!spec->text)
    return grl_fail(GRL_EINVAL, "session: the text task needs a text");
  return grl_text_source_alloc_layers(src, spec->text, spec->length,
                                      spec->cfg.batch, spec->hidden_size,
                                      spec->layers ? spec->layers : 1);
}

int grl_session_run(grl_session *s, const grl_session_spec *spec,
                    grl_train_callback cb, void *ctx)
{
  s->m = NULL;
  s->log = NULL;
  s->done = 0;
  s->test = NAN;
  s->seconds = 0.0;
  grl_source *src = NULL;
  grl_trainer *tr = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng *rt = gsl_rng_alloc(gsl_rng_mt19937);
  int st = (r && rt) ? GRL_OK : grl_fail(GRL_ENOMEM, "session: out of memory");
  if (!st && !spec->cell)
    st = grl_fail(GRL_EINVAL, "session: no cell given");
  /* the source decides the model's input and output sizes */
  if (!st)
    st = source_alloc(&src, spec);
  if (!st && !(s->log = calloc(spec->steps ? spec->steps : 1, sizeof *s->log)))
    st = grl_fail(GRL_ENOMEM, "session: out of memory for the training log");
  if (!st) {
    gsl_rng_set(r, spec->seed);
    gsl_rng_set(rt, grl_train_test_seed(spec->seed));
    st = grl_model_alloc_layers(&s->m, spec->cell, src->I, spec->hidden_size,
                                src->O, spec->layers ? spec->layers : 1);
  }
  if (!st) {
    /* PyTorch's default: U(-1/sqrt(H), 1/sqrt(H)), readout included */
    grl_model_init_uniform(s->m, r);
    if (!isnan(spec->keep_gate_bias))
      st = grl_init_keep_gate_bias(s->m, spec->keep_gate_bias);
  }
  if (!st)
    st = grl_trainer_alloc_source(&tr, s->m, src, &spec->cfg);
  if (!st) {
    double t0 = grl_seconds();
    st = grl_train_run(tr, r, spec->steps, s->log, &s->done, cb, ctx);
    s->seconds = grl_seconds() - t0;
  }
  if (!st && spec->test_seqs)
    st = grl_trainer_evaluate(tr, rt, spec->test_seqs, &s->test);
  grl_trainer_free(tr);
  grl_source_free(src);
  if (r)
    gsl_rng_free(r);
  if (rt)
    gsl_rng_free(rt);
  return st;
}
