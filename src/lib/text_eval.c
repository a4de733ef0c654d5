/* text_eval.c -- the exact bits per character of a model on a stretch of
 * a text, with no gradient: every byte after the first predicted once,
 * from the bytes before it in its stream.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Forward only over windows of len steps of Bs streams that start at
 * start[b] (the input positions), from the state h, c (Bs, H), which is
 * replaced by the final state.  Adds the summed cross-entropy (nats). */
typedef struct {
  grl_seq *s;
  gsl_matrix *logits;  /* (len*Bs, V) */
  unsigned char *in;   /* (len*Bs)    */
  size_t *target;      /* (len*Bs)    */
} evalbuf;

static void evalbuf_free(evalbuf *e)
{
  grl_seq_free(e->s);
  if (e->logits)
    gsl_matrix_free(e->logits);
  free(e->in);
  free(e->target);
}

static int evalbuf_alloc(evalbuf *e, const grl_model *m, size_t len, size_t Bs)
{
  memset(e, 0, sizeof *e);
  int st = grl_seq_alloc(&e->s, m, len, Bs);
  if (st)
    return st;
  e->logits = gsl_matrix_alloc(len * Bs, m->output_size);
  e->in = malloc(len * Bs);
  e->target = malloc(len * Bs * sizeof *e->target);
  if (!e->logits || !e->in || !e->target) {
    evalbuf_free(e);
    return grl_fail(GRL_ENOMEM, "evaluate: out of memory");
  }
  return GRL_OK;
}

static int score(const grl_model *m, const unsigned char *ids, evalbuf *e,
                 size_t start_stride, size_t start0, gsl_matrix *h,
                 gsl_matrix *c, double *nll)
{
  const size_t len = grl_seq_length(e->s), Bs = grl_seq_batch(e->s);
  for (size_t t = 0; t < len; t++)
    for (size_t b = 0; b < Bs; b++) {
      size_t pos = start0 + b * start_stride + t;
      e->in[t * Bs + b] = ids[pos];
      e->target[t * Bs + b] = ids[pos + 1];
    }
  double L;
  int st = grl_text_loss(m, NULL, e->s, e->in, e->target, h->data,
                         c ? c->data : NULL, e->logits, &L, NULL, NULL, NULL,
                         NULL, NULL);
  if (st)
    return st;
  *nll += L * (double)(len * Bs);
  grl_seq_final_states(e->s, h->data, c ? c->data : NULL);
  return GRL_OK;
}

/* Zero the state before a window when reset. */
static void maybe_reset(int reset, gsl_matrix *h, gsl_matrix *c)
{
  if (!reset)
    return;
  gsl_matrix_set_zero(h);
  if (c)
    gsl_matrix_set_zero(c);
}

int grl_text_evaluate(const grl_model *m, const grl_text *t, size_t T,
                      size_t B, size_t from, size_t to, double *bpc)
{
  return grl_text_evaluate_reset(m, t, T, B, from, to, 0, bpc);
}

int grl_text_evaluate_reset(const grl_model *m, const grl_text *t, size_t T,
                            size_t B, size_t from, size_t to, int reset,
                            double *bpc)
{
  const size_t H = m->hidden_size, NL = m->layers;
  if (reset < 0 || reset > 2)
    return grl_fail(GRL_EINVAL, "evaluate: reset %d; want 0 (carried), 1 (zero) or 2 (zero, then the previous window)", reset);
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "evaluate: window T and streams B must be positive (got T=%zu, B=%zu)", T, B);
  if (!(from < to && to <= t->n && to - from >= 2))
    return grl_fail(GRL_EINVAL, "evaluate: the range [%zu, %zu) of a %zu-byte text holds no prediction",
                    from, to, t->n);
  const size_t P = to - from - 1;          /* predictions                 */
  if (P < B)
    B = 1;
  const size_t Ls = P / B;                 /* predictions per stream      */
  if (Ls < T)
    T = Ls;
  const size_t nfull = Ls / T, tail = Ls % T, rest = P - B * Ls;
  evalbuf full = {0}, etail = {0}, erest = {0};
  /* the states of every layer, (NL*B, H) and (NL, H) */
  gsl_matrix *h = gsl_matrix_calloc(NL * B, H), *c = NULL, *h1 = NULL,
             *c1 = NULL;
  int has_c = m->cell->has_c;
  int st = GRL_OK;
  if (has_c)
    c = gsl_matrix_calloc(NL * B, H);
  if (rest) {
    h1 = gsl_matrix_alloc(NL, H);
    if (has_c)
      c1 = gsl_matrix_alloc(NL, H);
  }
  if (!h || (has_c && !c) || (rest && (!h1 || (has_c && !c1))))
    st = grl_fail(GRL_ENOMEM, "evaluate: out of memory");
  if (!st)
    st = evalbuf_alloc(&full, m, T, B);
  if (!st && tail)
    st = evalbuf_alloc(&etail, m, tail, B);
  if (!st && rest)
    st = evalbuf_alloc(&erest, m, rest, 1);
  double nll = 0;
  /* B streams of Ls predictions: nfull windows of T, then the tail. */
  /* reset 2: the previous window read again from zero, its loss dropped */
  double dropped = 0;
  for (size_t w = 0; w < nfull && !st; w++) {
    maybe_reset(reset, h, c);
    if (reset == 2 && w > 0)
      st = score(m, t->ids, &full, Ls, from + (w - 1) * T, h, c, &dropped);
    if (!st)
      st = score(m, t->ids, &full, Ls, from + w * T, h, c, &nll);
  }
  if (!st && tail) {
    maybe_reset(reset, h, c);
    if (reset == 2 && nfull > 0)
      st = score(m, t->ids, &full, Ls, from + (nfull - 1) * T, h, c, &dropped);
    if (!st)
      st = score(m, t->ids, &etail, Ls, from + nfull * T, h, c, &nll);
  }
  /* The last P - B*Ls predictions continue the last stream. */
  if (!st && rest) {
    for (size_t l = 0; l < NL; l++) {   /* each layer's row B-1 */
      gsl_vector_view last = gsl_matrix_row(h, l * B + B - 1);
      gsl_vector_view h1r = gsl_matrix_row(h1, l);
      gsl_vector_memcpy(&h1r.vector, &last.vector);
      if (has_c) {
        gsl_vector_view lc = gsl_matrix_row(c, l * B + B - 1),
                        c1r = gsl_matrix_row(c1, l);
        gsl_vector_memcpy(&c1r.vector, &lc.vector);
      }
    }
    maybe_reset(reset, h1, c1);
    st = score(m, t->ids, &erest, 0, from + B * Ls, h1, c1, &nll);
  }
  evalbuf_free(&full);
  evalbuf_free(&etail);
  evalbuf_free(&erest);
  gsl_matrix *all[] = {h, c, h1, c1};
  for (size_t i = 0; i < 4; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  if (st)
    return st;
  *bpc = nll / (double)P / M_LN2;
  if (!isfinite(*bpc))
    return grl_fail(GRL_ENONFINITE, "evaluate: the loss is %g", *bpc);
  return GRL_OK;
}

