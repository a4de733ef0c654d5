/* grl_progress.h -- the "\r"-refreshed progress line of the programs that
 * train (the grulab command, chapter 9).  Not part of libgrulab, which
 * never prints: its training loop calls grl_progress_step as a callback.
 *
 *   grl_progress p;
 *   grl_progress_init(&p, stderr, isatty(fileno(stderr)), steps);
 *   grl_train_run(tr, r, steps, log, &done, grl_progress_step, &p);
 *   grl_progress_end(&p);            erases the line
 *
 * The line, at most once a second and only if enabled:
 *   step 1200/3000  loss 0.04312  |g| 0.118  3.1 s */
#ifndef GRULAB_GRL_PROGRESS_H
#define GRULAB_GRL_PROGRESS_H

#include <stdio.h>
#include "grulab.h"

typedef struct {
  FILE *f;
  int enabled;
  size_t total;
  double last;     /* time of the last line written */
  int written;     /* something is on the line      */
} grl_progress;

void grl_progress_init(grl_progress *p, FILE *f, int enabled, size_t total);
/* A grl_train_callback: ctx is the grl_progress; always returns 0. */
int grl_progress_step(const grl_train_stat *st, void *ctx);
void grl_progress_end(grl_progress *p);

#endif
