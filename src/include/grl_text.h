/* grl_text.h -- a character-level language model: a recurrent cell reads a
 * text byte by byte and predicts the next byte with a softmax readout.
 *
 * Included by grulab.h; never include it on its own.
 *
 * THE DATA.  Any file, read as bytes.  The vocabulary is the set of
 * distinct bytes in it, sorted; a byte's id is its rank.  The training
 * split is [0, ntrain), the validation split [ntrain, n): for one file or
 * bytes in memory the first 90% and the last 10% by position; for the
 * default text whole files are held out (GRL_TEXT_DEFAULT_HOLDOUT), so
 * that validation is not a copy of training.
 *
 * THE MODEL.  A cell with input size V (one-hot ids) and a readout with V
 * outputs, the logits of the next byte:
 *   xp_t = Wx onehot(x_t) + bx = Wx[:, x_t] + bx    a GATHER of one column
 *   h_t  = cell(xp_t, h_{t-1})
 *   z_t  = Wo h_t + bo,   p(x_{t+1} | x_<=t) = softmax(z_t)
 * and the loss is the mean cross-entropy over every step of every stream,
 * reported in bits per character (bpc = nats / ln 2).
 *
 * TRUNCATED BPTT.  The training split is cut into B streams that start at
 * evenly spaced offsets b*L (L = (ntrain-1)/B predictions each); a batch is
 * the next window of T characters of every stream, rows t*B+b.  The final
 * state h_T (and c_T) of a window is the h0 (c0) of the next window of the
 * same stream, but the gradient stops at the window's start: dependencies
 * longer than T can be carried forward by the state, never learned through
 * the gradient.  After the last whole window of the streams the state is
 * reset to zero and the epoch starts again.
 *
 * Nothing is allocated inside the training loop.
 */
#ifndef GRULAB_GRL_TEXT_H
#define GRULAB_GRL_TEXT_H

#ifdef __cplusplus
extern "C" {
#endif

/* The text of chapter 9 and `grulab train --task text` when no file is
 * given: GSL's own headers, concatenated in sorted (strcmp) order of their
 * names.  libgsl-dev, which the build needs, installs them.  Its
 * validation split is one whole family of files, held out: the special
 * functions' headers gsl_sf*.h (about a tenth of the bytes), which follow
 * the training files.  A split by position would leave GSL's templates
 * (gsl_vector_float.h, gsl_vector_double.h, ...) on both sides. */
#ifndef GRL_TEXT_DEFAULT_GLOB
# define GRL_TEXT_DEFAULT_GLOB "/usr/include/gsl/*.h"
#endif
#define GRL_TEXT_DEFAULT_HOLDOUT "gsl_sf*"

/* ------------------------------------------------------------------ */
/* The vocabulary and the corpus (text.c)                              */
/* ------------------------------------------------------------------ */

typedef struct {
  size_t V;                  /* distinct bytes, 2..256                   */
  unsigned char byte[256];   /* (V) the vocabulary, ascending            */
  int id[256];               /* byte -> its index in byte[], or -1       */
} grl_vocab;

typedef struct grl_text grl_text;
struct grl_text {
  char *name;                /* file or pattern it came from (messages)  */
  size_t n;                  /* bytes                                    */
  unsigned char *bytes;      /* (n) the text                             */
  unsigned char *ids;        /* (n) the vocabulary id of every byte      */
  grl_vocab vocab;
  size_t ntrain;             /* [0, ntrain) training, [ntrain, n) valid. */
};

/* The smallest text accepted: the validation tenth must hold at least two
 * bytes, one to read and one to predict. */
#define GRL_TEXT_MIN_BYTES 20

/* A text from n bytes in memory (copied); name is used in messages.  The
 * entry point a fuzzer calls.  Errors: fewer than GRL_TEXT_MIN_BYTES bytes
 * ("NAME: empty" for none), one distinct byte. */
int grl_text_from_bytes(grl_text **t, const unsigned char *bytes, size_t n,
                        const char *name);
/* The same with the split given: [0, ntrain) trains, [ntrain, n)
 * validates; each side needs at least 2 bytes. */
int grl_text_from_split(grl_text **t, const unsigned char *bytes, size_t n,
                        size_t ntrain, const char *name);
/* A whole file, as bytes. */
int grl_text_read(grl_text **t, const char *path);
/* Every file that the glob(3) pattern matches, concatenated in strcmp
 * order of their names (GRL_TEXT_DEFAULT_GLOB: the default text). */
int grl_text_read_glob(grl_text **t, const char *pattern);
/* The files of pattern split by file: those whose base name matches the
 * fnmatch(3) pattern holdout are the validation split, read after all
 * the others (each side in strcmp order).  Fails if no file, or every
 * file, matches holdout. */
int grl_text_read_split(grl_text **t, const char *pattern, const char *holdout);
/* The default text with its held-out split: grl_text_read_split(t,
 * GRL_TEXT_DEFAULT_GLOB, GRL_TEXT_DEFAULT_HOLDOUT). */
int grl_text_read_default(grl_text **t);
void grl_text_free(grl_text *t);
size_t grl_text_nvalid(const grl_text *t);   /* n - ntrain */

/* The vocabulary as a tensor "vocabulary" (V) of byte values 0..255, so
 * that a parameter file carries the ids its readout speaks. */
int grl_vocab_write(FILE *f, const grl_vocab *v);
/* Read it back, checked: V >= 2 integers in 0..255, strictly ascending. */
int grl_vocab_read(grl_vocab *v, const grl_tensorfile *tf);

/* ------------------------------------------------------------------ */
/* Baselines (text_baseline.c), on the validation split                */
/* ------------------------------------------------------------------ */

/* Validation bpc of two models fitted on the training split by counting,
 * scored on the same predictions as the network: every validation byte
 * after the first, i in [ntrain+1, n).
 *   unigram  p(b)   = (count(b) + 1) / (ntrain + V)
 *   bigram   p(b|a) = (count(a b) + 1) / (count(a .) + V)
 * (add-one smoothing, so that no byte of the vocabulary has p = 0). */
int grl_text_baselines(const grl_text *t, double *unigram, double *bigram);

/* The n-gram ladder (ngram.c): interpolated Witten-Bell (and below,
 * Kneser-Ney) n-grams of
 * orders 1..GRL_NGRAM_MAX_ORDER over byte ids, counted by grl_ngram_fit
 * on ids [0, n) (the training split) with ids < V.  Order k conditions
 * on the k-1 bytes before the predicted one:
 *   p_0(w)     = 1 / V
 *   p_k(w | h) = (c(h w) + N1+(h .) p_{k-1}(w | h')) / (c(h) + N1+(h .))
 *   (p_{k-1}(w | h') if h was never seen), h' = h without its oldest
 * byte, N1+(h .) the distinct bytes seen after h.  Every p_k sums to 1
 * over the vocabulary. */
#define GRL_NGRAM_MAX_ORDER 8
typedef struct grl_ngram grl_ngram;
int grl_ngram_fit(grl_ngram **g, const unsigned char *ids, size_t n, size_t V,
                  size_t order);
void grl_ngram_free(grl_ngram *g);
size_t grl_ngram_order(const grl_ngram *g);
/* p[k-1] = p_k(w | ctx) for k = 1..order, where ctx is the nctx ids just
 * before w (the last order-1 are read; a shorter ctx backs order k off to
 * the nctx+1-gram). */
void grl_ngram_probs(const grl_ngram *g, const unsigned char *ctx, size_t nctx,
                     size_t w, double *p);
/* The same ladder smoothed by interpolated Kneser-Ney (Chen and Goodman
 * 1998; one discount D = n1/(n1 + 2 n2) per order, fitted on the training
 * split; raw counts at the top order, continuation counts N1+(. h w)
 * below it; see ngram.c).  p[k-1] is the order-k model's p(w | ctx), a
 * context shorter than k-1 bytes using the order-(nctx+1) model; every
 * p[k-1] sums to 1 over the vocabulary.  The order-k model is fitted by
 * grl_ngram_fit of any order >= k. */
void grl_ngram_probs_kn(const grl_ngram *g, const unsigned char *ctx, size_t nctx,
                        size_t w, double *p);
/* wb[k-1] and kn[k-1] for k = 1..order: the bpc of the order-k
 * Witten-Bell and Kneser-Ney n-grams, both from one grl_ngram_fit on t's
 * training split, scored on the network's predictions (every validation
 * byte after the first, its context the validation bytes before it).
 * Either ladder may be NULL: it is then not scored. */
int grl_text_ngram_bpc(const grl_text *t, size_t order, double *wb, double *kn);

/* How much of the validation split is a copy of the training split: the
 * share of the validation split's k-grams (k = 1..8 bytes, every start
 * position) that occur somewhere in the training split (text_overlap.c). */
int grl_text_duplicate_share(const grl_text *t, size_t k, double *share);

/* ------------------------------------------------------------------ */
/* The loss: the one-hot input as a gather, its mirror, and the softmax */
/* cross-entropy at every step (text_loss.c)                           */
/* ------------------------------------------------------------------ */

/* s->XP row r = Wx[:, ids[r]] + bx for r < T*B: exactly x Wx^T + bx for
 * the one-hot x, without the multiply.  Then grl_seq_forward(s, theta,
 * NULL, h0, c0) runs the recurrence. */
void grl_text_gather(const grl_model *m, const double *theta, grl_seq *s,
                     const unsigned char *ids);
/* After grl_seq_backward(s, theta, NULL, ...): forward was XP_r =
 * Wx[:, ids[r]] + bx, so dWx[:, ids[r]] += dXP_r and dbx += dXP_r
 * (ACCUMULATED into dtheta). */
void grl_text_scatter(const grl_model *m, double *dtheta, const grl_seq *s,
                      const unsigned char *ids);

/* The text loss for one batch of windows, what training and the gradient
 * check both differentiate:
 *   L = (1/(T*B)) sum_{t,b} -ln softmax(Wo h_t + bo)[target]     (nats)
 * in (T*B) input ids, target (T*B) next-byte ids, rows t*B+b; h0, c0 (B,
 * H) the carried-in state (NULL: zeros; L layers: (L*B, H)).  logits (T*B, V) receives the
 * logits.  With dtheta != NULL, dL/dtheta is ACCUMULATED into it, using
 * dlogits (T*B, V) and dout (T*B, H) as scratch; dh0, dc0 (B, H) or
 * NULL receive dL/dh0, dL/dc0 (used by the gradient check; training stops
 * the gradient there). */
int grl_text_loss(const grl_model *m, const double *theta, grl_seq *s,
                  const unsigned char *in, const size_t *target,
                  const double *h0, const double *c0, gsl_matrix *logits,
                  double *loss, double *dtheta, gsl_matrix *dlogits,
                  gsl_matrix *dout, double *dh0, double *dc0);

/* ------------------------------------------------------------------ */
/* The gradient check of the text loss (gradcheck_text.c)              */
/* ------------------------------------------------------------------ */

/* Check grl_text_loss's gradient with the gradient-check engine
 * (grl_gradcheck.h), entry by entry, on every tensor of the model
 * (readout included) and on the carried-in h0 and (cells with one) c0 --
 * as opts.what selects; the input is byte ids and has no derivative --
 * at one window of T steps of B streams with random ids and targets and
 * random h0, c0 in (-0.9, 0.9), all drawn from r.  Any method, the same
 * tolerances and floor, the same report and the same statuses as
 * grl_gradcheck_run; the report's I is the vocabulary V. */
int grl_gradcheck_text_run(grl_gradcheck_report **rep, const grl_model *m,
                           size_t T, size_t B, gsl_rng *r,
                           const grl_gradcheck_opts *opts);

/* ------------------------------------------------------------------ */
/* Training with truncated BPTT: the text as a batch source            */
/* (text_source.c), trained by grl_trainer_* (grl_train.h)             */
/* ------------------------------------------------------------------ */

/* Whole windows of T bytes per stream when the training split is cut
 * into B streams, i.e. the steps of one epoch: (ntrain - 1) / B / T.  0
 * when a stream is shorter than one window (B*T + 1 > ntrain). */
size_t grl_text_windows(const grl_text *t, size_t T, size_t B);

/* A source of windows of T bytes of B streams of t's training split, for
 * a model of hidden size H (input size and readout outputs V).  Each
 * batch is the next window of every stream, its loss grl_text_loss from
 * the carried state, reported in bits per byte; the test is the
 * validation bpc (grl_text_evaluate with the same T and B).  t must
 * outlive the source.  Fails if a stream is shorter than one window. */
int grl_text_source_alloc(grl_source **src, const grl_text *t, size_t T,
                          size_t B, size_t H);
/* The same for a model of L stacked layers (every layer's state is
 * carried). */
int grl_text_source_alloc_layers(grl_source **src, const grl_text *t,
                                 size_t T, size_t B, size_t H, size_t L);
/* Epochs completed (0 for a source of another kind). */
size_t grl_text_source_epoch(const grl_source *src);
/* The ids of the batch last filled, rows t*B+b: (T*B). */
const unsigned char *grl_text_source_input(const grl_source *src);
/* The state (B, H) the next batch starts from: the last window's h_T, or
 * zeros at the start of an epoch (L layers: (L*B, H), layer by layer). */
const gsl_matrix *grl_text_source_state(const grl_source *src);

/* ------------------------------------------------------------------ */
/* Evaluation (text_eval.c)                                            */
/* ------------------------------------------------------------------ */

/* Exact bpc of the model on the bytes [from, to) of the text, with no
 * gradient: every byte after the first is predicted once, from the bytes
 * before it in its stream (B streams of windows of T with the state
 * carried, then the few left over as one more stream continuing the
 * last).  grl_text_evaluate(m, t, T, B, t->ntrain, t->n, &bpc) is the
 * validation bpc.  Allocates its own buffers (outside the training loop). */
int grl_text_evaluate(const grl_model *m, const grl_text *t, size_t T,
                      size_t B, size_t from, size_t to, double *bpc);
/* The same with the state not carried.  reset 0: carried (as
 * grl_text_evaluate).  reset 1: set to zero before every window (and
 * before the left-over stretch), so that a prediction j bytes into its
 * window sees j bytes of context.  reset 2: set to zero, then the
 * previous window of its stream read again (its loss not counted), so
 * that every prediction sees between T and 2T - 1 bytes of context (the
 * first window of each stream, and the left-over stretch, start from zero
 * as in every mode).  Carried against 2 measures how much the model takes
 * from context older than T bytes; 2 against 1 what the lost recent
 * context is worth. */
int grl_text_evaluate_reset(const grl_model *m, const grl_text *t, size_t T,
                            size_t B, size_t from, size_t to, int reset,
                            double *bpc);

/* ------------------------------------------------------------------ */
/* Sampling (text_sample.c)                                                   */
/* ------------------------------------------------------------------ */

/* Feed the nprime >= 1 bytes of prime to the model from a zero state,
 * then draw n bytes into out, each from softmax(z / temperature) after
 * the previous one, with r (inverse CDF, one gsl_rng_uniform per byte).
 * temperature 0 takes the arg-max (the lowest id among ties) and draws
 * nothing.  Errors: a prime byte outside the vocabulary, temperature < 0,
 * a model whose sizes do not match the vocabulary. */
int grl_text_sample(const grl_model *m, const grl_vocab *v,
                    const unsigned char *prime, size_t nprime, size_t n,
                    double temperature, gsl_rng *r, unsigned char *out);

#ifdef __cplusplus
}
#endif

#endif
