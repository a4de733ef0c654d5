/* progress.c -- the progress line of a training run (grl_progress.h). */
#include <config.h>
#include "grl_progress.h"

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
