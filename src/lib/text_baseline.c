/* text_baseline.c -- what a language model must beat, by counting: the
 * add-one unigram and bigram of the training split, scored on the
 * validation split.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>

int grl_text_baselines(const grl_text *t, double *unigram, double *bigram)
{
  const size_t V = t->vocab.V, nt = t->ntrain;
  double *uni = calloc(V, sizeof *uni);         /* (V) count(b) in training  */
  double *bi = calloc(V * V, sizeof *bi);       /* (V, V) count(a b)          */
  double *from = calloc(V, sizeof *from);       /* (V) count(a .)             */
  if (!uni || !bi || !from) {
    free(uni); free(bi); free(from);
    return grl_fail(GRL_ENOMEM, "baselines: out of memory");
  }
  for (size_t i = 0; i < nt; i++)
    uni[t->ids[i]] += 1;
  for (size_t i = 1; i < nt; i++) {
    bi[t->ids[i - 1] * V + t->ids[i]] += 1;
    from[t->ids[i - 1]] += 1;
  }
  /* Score every validation byte after the first, like the network. */
  double su = 0, sb = 0;
  size_t np = 0;
  for (size_t i = nt + 1; i < t->n; i++, np++) {
    size_t a = t->ids[i - 1], b = t->ids[i];
    su -= log2((uni[b] + 1) / ((double)nt + (double)V));
    sb -= log2((bi[a * V + b] + 1) / (from[a] + (double)V));
  }
  free(uni); free(bi); free(from);
  *unigram = su / (double)np;
  *bigram = sb / (double)np;
  return GRL_OK;
}
