/* text_source.c -- a text as a batch source, for training with truncated
 * BPTT: the training split cut into B streams at evenly spaced offsets
 * b*L, and each batch the next window of T bytes of every stream, rows
 * t*B+b.  A window's final state h_T (c_T) is the next window's h0 (c0),
 * but the gradient stops at the window's start; after the last whole
 * window the state is reset to zero and the next epoch begins.  The loss
 * is grl_text_loss's, reported in bits.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  grl_source base;
  const grl_text *text;
  size_t L;           /* predictions per stream: (ntrain - 1) / B        */
  size_t nwin;        /* whole windows per stream: L / T                 */
  size_t win;         /* the window the next batch reads                 */
  size_t epoch;       /* epochs completed                                */
  unsigned char *in;  /* (T*B) input ids, rows t*B+b                     */
  size_t *target;     /* (T*B) next-byte ids                             */
  gsl_matrix *h, *c;  /* (L*B, H) the carried state of every layer (c: for
                         cells with one)                                 */
  int has_c;          /* the model's cell has a cell state c            */
  gsl_matrix *logits, *dlogits; /* (T*B, V)                              */
  gsl_matrix *dout;   /* (T*B, H) dL/dh_t from the readout               */
} text_source;

size_t grl_text_windows(const grl_text *t, size_t T, size_t B)
{
  if (T == 0 || B == 0 || t->ntrain < 1)
    return 0;
  return (t->ntrain - 1) / B / T;
}

static void text_free(grl_source *src)
{
  text_source *ts = (text_source *)src;
  free(ts->in);
  free(ts->target);
  gsl_matrix *all[] = {ts->h, ts->c, ts->logits, ts->dlogits, ts->dout};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(ts);
}

/* The batch: window win of every stream b, rows t*B+b. */
static int text_fill(grl_source *src, gsl_rng *r)
{
  (void)r;
  text_source *ts = (text_source *)src;
  const size_t T = src->T, B = src->B;
  const unsigned char *ids = ts->text->ids;
  for (size_t t = 0; t < T; t++)
    for (size_t b = 0; b < B; b++) {
      size_t pos = b * ts->L + ts->win * T + t;
      ts->in[t * B + b] = ids[pos];
      ts->target[t * B + b] = ids[pos + 1];
    }
  return GRL_OK;
}

/* Forward from the carried state, loss, and BPTT to the window's start
 * (dh0 is not asked for: the gradient stops there). */
static int text_loss(grl_source *src, const grl_model *m, const double *theta,
                     grl_seq *s, double *loss, double *dtheta)
{
  text_source *ts = (text_source *)src;
  ts->has_c = m->cell->has_c;
  return grl_text_loss(m, theta, s, ts->in, ts->target, ts->h->data,
                       m->cell->has_c ? ts->c->data : NULL, ts->logits, loss,
                       dtheta, ts->dlogits, ts->dout, NULL, NULL);
}

/* Carry h_T (c_T) into the next window; a new epoch starts from zero. */
static void text_carry(grl_source *src, grl_seq *s)
{
  text_source *ts = (text_source *)src;
  if (++ts->win == ts->nwin) {
    ts->win = 0;
    ts->epoch++;
    gsl_matrix_set_zero(ts->h);
    gsl_matrix_set_zero(ts->c);
    return;
  }
  grl_seq_final_states(s, ts->h->data, ts->has_c ? ts->c->data : NULL);
}

/* The validation bpc, with the training window and streams. */
static int text_evaluate(grl_source *src, const grl_model *m, gsl_rng *r,
                         size_t nseq, double *loss)
{
  (void)r;
  (void)nseq;
  const grl_text *t = ((text_source *)src)->text;
  return grl_text_evaluate(m, t, src->T, src->B, t->ntrain, t->n, loss);
}

int grl_text_source_alloc(grl_source **out, const grl_text *t, size_t T,
                          size_t B, size_t H)
{
  return grl_text_source_alloc_layers(out, t, T, B, H, 1);
}

int grl_text_source_alloc_layers(grl_source **out, const grl_text *t,
                                 size_t T, size_t B, size_t H, size_t L)
{
  *out = NULL;
  const size_t V = t->vocab.V;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "text source: window T and streams B must be positive (got T=%zu, B=%zu)", T, B);
  if (grl_text_windows(t, T, B) == 0)
    return grl_fail(GRL_EINVAL, "%s: the training split has %zu bytes, too few for %zu stream%s of one window of T=%zu each (need at least %zu)",
                    t->name, t->ntrain, B, B == 1 ? "" : "s", T, B * T + 1);
  text_source *ts = calloc(1, sizeof *ts);
  if (!ts)
    return grl_fail(GRL_ENOMEM, "text source: out of memory");
  ts->base = (grl_source){.name = "text", .T = T, .B = B, .I = V, .H = H,
                          .O = V, .unit = M_LN2, .fill = text_fill,
                          .loss = text_loss, .carry = text_carry,
                          .evaluate = text_evaluate, .free = text_free};
  ts->text = t;
  ts->L = (t->ntrain - 1) / B;
  ts->nwin = ts->L / T;
  ts->in = malloc(T * B);
  ts->target = malloc(T * B * sizeof *ts->target);
  ts->h = gsl_matrix_calloc(L * B, H);
  ts->c = gsl_matrix_calloc(L * B, H);
  ts->logits = gsl_matrix_alloc(T * B, V);
  ts->dlogits = gsl_matrix_alloc(T * B, V);
  ts->dout = gsl_matrix_alloc(T * B, H);
  if (!ts->in || !ts->target || !ts->h || !ts->c || !ts->logits
      || !ts->dlogits || !ts->dout) {
    text_free(&ts->base);
    return grl_fail(GRL_ENOMEM, "text source: out of memory for T=%zu B=%zu H=%zu V=%zu",
                    T, B, H, V);
  }
  *out = &ts->base;
  return GRL_OK;
}

/* The text source behind src, or NULL if it is another kind. */
static const text_source *as_text(const grl_source *src)
{
  return src && src->fill == text_fill ? (const text_source *)src : NULL;
}

size_t grl_text_source_epoch(const grl_source *src)
{
  const text_source *ts = as_text(src);
  return ts ? ts->epoch : 0;
}

const unsigned char *grl_text_source_input(const grl_source *src)
{
  const text_source *ts = as_text(src);
  return ts ? ts->in : NULL;
}

const gsl_matrix *grl_text_source_state(const grl_source *src)
{
  const text_source *ts = as_text(src);
  return ts ? ts->h : NULL;
}
