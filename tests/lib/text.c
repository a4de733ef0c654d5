/* tests/lib/text.c -- the text task: the vocabulary, the 90/10 split, the
 * stream batching, the carried state, the one-hot gather against the
 * one-hot GEMM, exact evaluation against the naive reference, the
 * baselines on a text worked out by hand, sampling (deterministic for a
 * seed, temperature 0 the arg-max of the naive reference), and training
 * on a text of known entropy rate. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

enum { STEPS_COINS = 1000 };

/* A random model for t's vocabulary. */
static grl_model *model_for(const grl_text *t, const grl_cell *c, size_t H,
                            unsigned long seed)
{
  grl_model *m;
  if (grl_model_alloc(&m, c, t->vocab.V, H, t->vocab.V))
    bail("model: %s", grl_strerror());
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  /* larger than PyTorch's init, so that the states are far from zero */
  for (size_t i = 0; i < m->n; i++)
    m->theta[i] = 1.7 * (2 * gsl_rng_uniform(r) - 1) / sqrt((double)H);
  gsl_rng_free(r);
  return m;
}

/* Naive reference: -sum ln p over a stream of inputs ids[0..n-1] with
 * targets ids[1..n], one-hot x, from state h (c), updated in place. */
static double naive_nll(const grl_model *m, const unsigned char *ids,
                        size_t n, double *h, double *c)
{
  const size_t V = m->input_size, H = m->hidden_size;
  double *x = calloc(V, sizeof *x), *hn = malloc(H * sizeof *hn),
         *cn = malloc(H * sizeof *cn);
  grl_views p;
  grl_model_bind(m, m->theta, &p);
  double nll = 0;
  for (size_t t = 0; t < n; t++) {
    memset(x, 0, V * sizeof *x);
    x[ids[t]] = 1.0;
    if (grl_naive_forward(m, 1, 1, m->theta, x, h, m->cell->has_c ? c : NULL,
                          NULL, hn, m->cell->has_c ? cn : NULL, NULL))
      bail("naive forward: %s", grl_strerror());
    memcpy(h, hn, H * sizeof *h);
    if (m->cell->has_c)
      memcpy(c, cn, H * sizeof *c);
    /* z = Wo h + bo; -ln softmax(z)[target] */
    double zmax = -INFINITY, z[256];
    for (size_t k = 0; k < V; k++) {
      z[k] = gsl_vector_get(&p.bo.vector, k);
      for (size_t j = 0; j < H; j++)
        z[k] += gsl_matrix_get(&p.Wo.matrix, k, j) * h[j];
      if (z[k] > zmax)
        zmax = z[k];
    }
    double s = 0;
    for (size_t k = 0; k < V; k++)
      s += exp(z[k] - zmax);
    nll += zmax + log(s) - z[ids[t + 1]];
  }
  free(x);
  free(hn);
  free(cn);
  return nll;
}

static void write_file(const char *path, const char *text)
{
  FILE *g = fopen(path, "w");
  if (!g)
    bail("cannot write %s", path);
  fputs(text, g);
  fclose(g);
}

static void vocabulary_and_split(void)
{
  const char *s = "the cat sat on the mat; the rat ate it.";
  grl_text *t;
  int st = grl_text_from_bytes(&t, (const unsigned char *)s, strlen(s), "cats");
  ok(st == GRL_OK, "a 39-byte text is accepted");
  if (st)
    return;
  char vocab[257] = {0};
  memcpy(vocab, t->vocab.byte, t->vocab.V);
  is_string(vocab, " .;acehimnorst", "the vocabulary is the distinct bytes, sorted");
  is_int((long)t->vocab.V, 14, "V = 14");
  is_int(t->vocab.id['t'], 13, "'t' has id 13, its rank");
  is_int(t->vocab.id['x'], -1, "'x' has no id");
  int ids_ok = 1;
  for (size_t i = 0; i < t->n; i++)
    ids_ok &= t->vocab.byte[t->ids[i]] == (unsigned char)s[i];
  ok(ids_ok, "every byte's id maps back to the byte");
  is_int((long)t->ntrain, 36, "39 bytes: training is the first 39 - floor(39/10) = 36");
  is_int((long)grl_text_nvalid(t), 3, "and validation the last 3");

  /* the vocabulary round-trips through the tensor format */
  char path[] = "/tmp/grulab-vocab-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  grl_vocab_write(f, &t->vocab);
  fclose(f);
  grl_tensorfile *tf;
  grl_vocab v;
  st = grl_tensorfile_read(&tf, path);
  ok(st == GRL_OK && grl_vocab_read(&v, tf) == GRL_OK
     && v.V == t->vocab.V && !memcmp(v.byte, t->vocab.byte, v.V)
     && v.id['t'] == 13 && v.id['x'] == -1,
     "the vocabulary survives grl_vocab_write and grl_vocab_read");
  if (!st)
    grl_tensorfile_free(tf);
  /* an unsorted vocabulary is refused */
  write_file(path, "vocabulary 3\n97 99 98\n");
  st = grl_tensorfile_read(&tf, path);
  ok(st == GRL_OK && grl_vocab_read(&v, tf) == GRL_EFORMAT
     && strstr(grl_strerror(), "ascending"),
     "a vocabulary out of order is refused: %s", grl_strerror());
  if (!st)
    grl_tensorfile_free(tf);
  remove(path);
  grl_text_free(t);
}

static void bad_texts(void)
{
  grl_text *t;
  unsigned char a[40];
  memset(a, 'a', sizeof a);
  ok(grl_text_from_bytes(&t, a, 0, "none") == GRL_EINVAL
     && !strcmp(grl_strerror(), "none: empty") && !t,
     "no bytes: '%s'", grl_strerror());
  ok(grl_text_from_bytes(&t, a, 40, "aaa") == GRL_EINVAL
     && strstr(grl_strerror(), "only one distinct byte") && !t,
     "one distinct byte: '%s'", grl_strerror());
  a[3] = 'b';
  ok(grl_text_from_bytes(&t, a, 19, "short") == GRL_EINVAL
     && strstr(grl_strerror(), "at least 20") && !t,
     "19 bytes: '%s'", grl_strerror());
  ok(grl_text_read(&t, "/nonexistent/grulab.txt") == GRL_EIO
     && strstr(grl_strerror(), "/nonexistent/grulab.txt: cannot open: No such file"),
     "a missing file: '%s'", grl_strerror());
  ok(grl_text_read(&t, "/") == GRL_EIO && !strcmp(grl_strerror(), "/: is a directory"),
     "a directory: '%s'", grl_strerror());
  a[0] = 'b';
  ok(grl_text_from_bytes(&t, a, 1, "one") == GRL_EINVAL
     && strstr(grl_strerror(), "one: 1 byte; ") && !t,
     "one byte is '1 byte', not '1 bytes': '%s'", grl_strerror());
  a[0] = 'a';
  ok(grl_text_read_glob(&t, "/nonexistent/*.h") == GRL_EIO
     && strstr(grl_strerror(), "no file matches"),
     "a pattern that matches nothing: '%s'", grl_strerror());
  /* a window longer than the text */
  ok(grl_text_from_bytes(&t, a, 40, "forty") == GRL_OK, "40 bytes with two distinct ones");
  grl_model *m = model_for(t, &grl_cell_gru, 3, 1);
  grl_source *src = NULL;
  ok(grl_text_source_alloc(&src, t, 36, 1, 3) == GRL_EINVAL && !src
     && strstr(grl_strerror(), "too few for 1 stream of one window of T=36"),
     "T = 36 > 35 predictions: '%s'", grl_strerror());
  is_int((long)grl_text_windows(t, 36, 1), 0, "... zero windows per epoch");
  ok(grl_text_source_alloc(&src, t, 35, 1, 3) == GRL_OK, "T = 35 fits exactly");
  grl_source_free(src);
  grl_model_free(m);
  grl_text_free(t);
}

/* B streams at offsets b*L, windows of T, the state carried: every
 * window's h0 is the previous window's h_T, bit for bit (the loss of each
 * step is recomputed from that state and the parameters before the step). */
static void streams_and_carry(void)
{
  enum { N = 500, T = 5, B = 3, H = 4 };
  unsigned char buf[N];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  for (size_t i = 0; i < N; i++)
    buf[i] = (unsigned char)('a' + gsl_rng_uniform_int(r, 7));
  grl_text *t;
  grl_text_from_bytes(&t, buf, N, "random");
  grl_model *m = model_for(t, &grl_cell_gru, H, 5);
  grl_source *src;
  grl_trainer *tr;
  grl_train_config cfg = {.optimizer = "adam", .lr = 1e-2, .clip = 1.0, .batch = 0, .stop = NULL};
  if (grl_text_source_alloc(&src, t, T, B, H)
      || grl_trainer_alloc_source(&tr, m, src, &cfg))
    bail("trainer: %s", grl_strerror());
  const size_t L = (t->ntrain - 1) / B, V = t->vocab.V;
  is_int((long)L, 149, "450 training bytes, 3 streams: 149 predictions each");
  is_int((long)grl_text_windows(t, T, B), 29, "29 whole windows of 5 per epoch");
  grl_seq *s2;
  gsl_matrix *logits = gsl_matrix_alloc(T * B, V);
  double *theta = malloc(m->n * sizeof *theta);
  size_t target[T * B];
  if (grl_seq_alloc(&s2, m, T, B) || !logits || !theta)
    bail("out of memory");
  double h0[B * H], hT[B * H];
  int batch_ok = 1, carry_ok = 1, zero_ok = 1, from_h0 = 1;
  for (size_t k = 0; k < 31; k++) {
    grl_train_stat st;
    memcpy(h0, grl_text_source_state(src)->data, sizeof h0);
    memcpy(theta, m->theta, m->n * sizeof *theta);
    if (grl_trainer_step(tr, r, &st))
      bail("step: %s", grl_strerror());
    const unsigned char *in = grl_text_source_input(src);
    size_t w = k % 29;
    for (size_t tt = 0; tt < T; tt++)
      for (size_t b = 0; b < B; b++) {
        batch_ok &= in[tt * B + b] == t->ids[b * L + w * T + tt];
        target[tt * B + b] = t->ids[b * L + w * T + tt + 1];
      }
    /* the step's loss, again, from h0 and the parameters before it */
    double loss;
    grl_text_loss(m, theta, s2, in, target, h0, NULL, logits, &loss, NULL,
                  NULL, NULL, NULL, NULL);
    from_h0 &= st.loss == loss / M_LN2;
    gsl_matrix_view last = grl_seq_hT(grl_trainer_seq(tr));
    memcpy(hT, last.matrix.data, sizeof hT);
    for (size_t i = 0; i < B * H; i++) {
      double carried = grl_text_source_state(src)->data[i];
      if (k == 28)     /* the epoch's last window: the next starts at 0 */
        zero_ok &= carried == 0.0;
      else
        carry_ok &= carried == hT[i];
      if (k == 0)
        zero_ok &= h0[i] == 0.0;
    }
  }
  ok(batch_ok, "step k reads window k mod 29 of stream b: bytes b*L + w*T + t");
  ok(from_h0, "every step's loss is the text loss from the state carried into it");
  ok(carry_ok, "the state carried out of a window is its h_T, bit for bit");
  ok(zero_ok, "the first window of each epoch starts from zero");
  is_int((long)grl_text_source_epoch(src), 1, "31 steps: one epoch done");
  grl_trainer_free(tr);
  grl_source_free(src);
  grl_seq_free(s2);
  gsl_matrix_free(logits);
  free(theta);
  grl_model_free(m);
  grl_text_free(t);
  gsl_rng_free(r);
}

/* The gather equals the one-hot GEMM, forward and backward. */
static void gather_is_onehot(void)
{
  enum { N = 300, T = 6, B = 4, H = 5 };
  unsigned char buf[N];
  for (size_t i = 0; i < N; i++)
    buf[i] = (unsigned char)("grulab reads text"[(i * 7 + i / 3) % 17]);
  grl_text *t;
  grl_text_from_bytes(&t, buf, N, "g");
  const size_t V = t->vocab.V;
  const grl_cell *cells[] = {&grl_cell_gru, &grl_cell_lstm, &grl_cell_rnn};
  for (size_t ci = 0; ci < 3; ci++) {
    grl_model *m = model_for(t, cells[ci], H, 9 + ci);
    grl_seq *s1, *s2;
    grl_seq_alloc(&s1, m, T, B);
    grl_seq_alloc(&s2, m, T, B);
    double *x = calloc(T * B * V, sizeof *x);
    double *dout = malloc(T * B * H * sizeof *dout);
    double *g1 = calloc(m->n, sizeof *g1), *g2 = calloc(m->n, sizeof *g2);
    for (size_t r = 0; r < T * B; r++)
      x[r * V + t->ids[r]] = 1.0;
    for (size_t i = 0; i < T * B * H; i++)
      dout[i] = sin(2.385 * (double)i);
    grl_seq_forward(s1, NULL, x, NULL, NULL);
    grl_text_gather(m, NULL, s2, t->ids);
    grl_seq_forward(s2, NULL, NULL, NULL, NULL);
    gsl_matrix_view o1 = grl_seq_output(s1), o2 = grl_seq_output(s2);
    ok(gsl_matrix_equal(&o1.matrix, &o2.matrix),
       "%s: the gathered forward equals the one-hot GEMM's, bit for bit", cells[ci]->name);
    grl_seq_backward(s1, NULL, x, dout, NULL, NULL, g1, NULL, NULL, NULL);
    grl_seq_backward(s2, NULL, NULL, dout, NULL, NULL, g2, NULL, NULL, NULL);
    grl_text_scatter(m, g2, s2, t->ids);
    double worst = 0, scale = 0;
    for (size_t i = 0; i < m->n; i++) {
      worst = fmax(worst, fabs(g1[i] - g2[i]));
      scale = fmax(scale, fabs(g1[i]));
    }
    ok(worst <= 1e-14 * scale, "%s: the scattered gradient equals the one-hot GEMM's (max diff %.2g of %.2g)",
       cells[ci]->name, worst, scale);
    free(x);
    free(dout);
    free(g1);
    free(g2);
    grl_seq_free(s1);
    grl_seq_free(s2);
    grl_model_free(m);
  }
  grl_text_free(t);
}

/* Evaluation covers every prediction once: B streams, tail, rest. */
static void evaluate_exact(void)
{
  enum { N = 200, H = 4 };
  unsigned char buf[N];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  for (size_t i = 0; i < N; i++)
    buf[i] = (unsigned char)('p' + gsl_rng_uniform_int(r, 5));
  gsl_rng_free(r);
  grl_text *t;
  grl_text_from_bytes(&t, buf, N, "e");
  const size_t from = t->ntrain, P = N - from - 1;   /* 19 predictions */
  const grl_cell *cells[] = {&grl_cell_gru, &grl_cell_lstm};
  for (size_t ci = 0; ci < 2; ci++) {
    grl_model *m = model_for(t, cells[ci], H, 21);
    /* B = 3, T = 4: streams of 6 (one window and a tail of 2), 1 left over */
    double bpc = NAN;
    int st = grl_text_evaluate(m, t, 4, 3, from, N, &bpc);
    double h[H], c[H], nll = 0;
    for (size_t b = 0; b < 3; b++) {
      memset(h, 0, sizeof h);
      memset(c, 0, sizeof c);
      /* stream 2 continues with the one prediction left over */
      nll += naive_nll(m, t->ids + from + b * 6, b == 2 ? 7 : 6, h, c);
    }
    ok(st == GRL_OK, "%s: evaluate", cells[ci]->name);
    is_double(bpc, nll / (double)P / M_LN2, 1e-12,
              "%s: validation bpc equals the naive reference over 3 streams of 6 and 1 left over",
              cells[ci]->name);
    /* reset every window: pieces of 4, 2 (the tail) and the 1 left over,
     * each from a zero state */
    double bpcr = NAN, nllr = 0;
    int str = grl_text_evaluate_reset(m, t, 4, 3, from, N, 1, &bpcr);
    for (size_t b = 0; b < 3; b++)
      for (size_t piece = 0; piece < 2; piece++) {
        memset(h, 0, sizeof h);
        memset(c, 0, sizeof c);
        nllr += naive_nll(m, t->ids + from + b * 6 + piece * 4, piece ? 2 : 4, h, c);
      }
    memset(h, 0, sizeof h);
    memset(c, 0, sizeof c);
    nllr += naive_nll(m, t->ids + from + 18, 1, h, c);
    ok(str == GRL_OK && fabs(bpcr - nllr / (double)P / M_LN2) < 1e-12 * bpcr && bpcr != bpc,
       "%s: with the state reset every window, bpc %.6f equals the naive reference's pieces of 4, 2 and 1 from zero (carried: %.6f)",
       cells[ci]->name, bpcr, bpc);
    /* reset 2 with T = 2: window w >= 1 of a stream of 6 starts from the
     * state of window w-1 read from zero; the left-over from zero */
    double bpcw = NAN, nllw = 0;
    int stw = grl_text_evaluate_reset(m, t, 2, 3, from, N, 2, &bpcw);
    for (size_t b = 0; b < 3; b++)
      for (size_t w = 0; w < 3; w++) {
        memset(h, 0, sizeof h);
        memset(c, 0, sizeof c);
        if (w > 0)
          naive_nll(m, t->ids + from + b * 6 + (w - 1) * 2, 2, h, c);
        nllw += naive_nll(m, t->ids + from + b * 6 + w * 2, 2, h, c);
      }
    memset(h, 0, sizeof h);
    memset(c, 0, sizeof c);
    nllw += naive_nll(m, t->ids + from + 18, 1, h, c);
    ok(stw == GRL_OK && fabs(bpcw - nllw / (double)P / M_LN2) < 1e-12 * bpcw,
       "%s: reset 2 (zero, then the previous window again): bpc %.6f equals the naive reference",
       cells[ci]->name, bpcw);
    grl_model_free(m);
  }
  grl_text_free(t);
}

/* Baselines on a text small enough to count by hand. */
static void baselines(void)
{
  /* "ab" x 10: training "abab...ab" (18 bytes), validation "ab";
   * the one scored prediction is 'b' after 'a'.
   *   unigram: p(b) = (9 + 1) / (18 + 2) = 1/2          -> 1 bit
   *   bigram:  p(b|a) = (count(ab) + 1) / (count(a.) + 2) = 10/11 */
  const char *s = "abababababababababab";
  grl_text *t;
  grl_text_from_bytes(&t, (const unsigned char *)s, 20, "ab");
  double u = NAN, b = NAN;
  ok(grl_text_baselines(t, &u, &b) == GRL_OK, "baselines of (ab)^10");
  is_double(u, 1.0, 1e-15, "unigram: -log2 (10/20) = 1 bit");
  is_double(b, -log2(10.0 / 11.0), 1e-15, "bigram: -log2 (10/11)");
  grl_text_free(t);
}

/* Sampling: deterministic for a seed; temperature 0 is the arg-max of the
 * naive reference at every step. */
static void sampling(void)
{
  enum { N = 400, H = 6, NS = 60 };
  unsigned char buf[N];
  for (size_t i = 0; i < N; i++)
    buf[i] = (unsigned char)("int main(void) { return 0; }\n"[(i * 5 + i / 7) % 29]);
  grl_text *t;
  grl_text_from_bytes(&t, buf, N, "s");
  grl_model *m = model_for(t, &grl_cell_gru, H, 33);
  const unsigned char prime[] = "int ";
  unsigned char a[NS], b[NS], c[NS];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  grl_text_sample(m, &t->vocab, prime, 4, NS, 1.0, r, a);
  gsl_rng_set(r, 5);
  grl_text_sample(m, &t->vocab, prime, 4, NS, 1.0, r, b);
  gsl_rng_set(r, 6);
  grl_text_sample(m, &t->vocab, prime, 4, NS, 1.0, r, c);
  ok(!memcmp(a, b, NS), "the same seed draws the same %d bytes", NS);
  ok(memcmp(a, c, NS) != 0, "another seed draws other bytes");
  /* temperature 0: the arg-max, checked against the naive forward */
  unsigned char g[NS], seq[4 + NS];
  grl_text_sample(m, &t->vocab, prime, 4, NS, 0.0, r, g);
  memcpy(seq, prime, 4);
  memcpy(seq + 4, g, NS);
  grl_views p;
  grl_model_bind(m, m->theta, &p);
  double *x = calloc(t->vocab.V, sizeof *x), h[H] = {0}, hn[H];
  int argmax_ok = 1;
  size_t distinct[256] = {0}, nd = 0;
  for (size_t k = 0; k + 1 < 4 + NS; k++) {
    memset(x, 0, t->vocab.V * sizeof *x);
    x[t->vocab.id[seq[k]]] = 1;
    grl_naive_forward(m, 1, 1, m->theta, x, h, NULL, NULL, hn, NULL, NULL);
    memcpy(h, hn, sizeof h);
    if (k < 3)
      continue;
    size_t best = 0;
    double zb = -INFINITY;
    for (size_t v = 0; v < t->vocab.V; v++) {
      double z = gsl_vector_get(&p.bo.vector, v);
      for (size_t j = 0; j < H; j++)
        z += gsl_matrix_get(&p.Wo.matrix, v, j) * h[j];
      if (z > zb) {
        zb = z;
        best = v;
      }
    }
    argmax_ok &= seq[k + 1] == t->vocab.byte[best];
    nd += !distinct[best]++;
  }
  ok(argmax_ok, "temperature 0: every byte is the arg-max of the naive reference's logits");
  diag("the arg-max sample used %zu distinct bytes", nd);
  /* temperature 0 draws nothing from the generator */
  gsl_rng_set(r, 5);
  grl_text_sample(m, &t->vocab, prime, 4, NS, 0.0, r, g);
  unsigned long after = gsl_rng_get(r);
  gsl_rng_set(r, 5);
  ok(after == gsl_rng_get(r), "temperature 0 draws nothing from the generator");
  /* bad input */
  const unsigned char badp[] = "int \xc3";
  ok(grl_text_sample(m, &t->vocab, badp, 5, NS, 1.0, r, g) == GRL_EINVAL
     && strstr(grl_strerror(), "prime byte 4 (0xc3) is not in the model's vocabulary"),
     "a prime byte outside the vocabulary: '%s'", grl_strerror());
  ok(grl_text_sample(m, &t->vocab, prime, 4, NS, -0.5, r, g) == GRL_EINVAL,
     "a negative temperature is refused");
  free(x);
  gsl_rng_free(r);
  grl_model_free(m);
  grl_text_free(t);
}

/* A text of known entropy rate: "aaaa" then one fair coin, '0' or '1',
 * repeated.  The coin is 1 bit; every other byte is determined by the
 * bytes before it, but only by counting back up to four a's, which a
 * bigram cannot do.  Entropy rate: 1 bit per 5 bytes = 0.2 bpc.  The
 * validation coins are fresh fair draws, so a model that learned the
 * structure (and p = 1/2 for the coin) scores 0.2 there. */
static void periodic_entropy(void)
{
  enum { PERIODS = 20000, N = 5 * PERIODS, H = 16 };
  unsigned char *buf = malloc(N);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  for (size_t k = 0; k < PERIODS; k++) {
    memcpy(buf + 5 * k, "aaaa", 4);
    buf[5 * k + 4] = gsl_rng_uniform(r) < 0.5 ? '0' : '1';
  }
  grl_text *t;
  grl_text_from_bytes(&t, buf, N, "coins");
  grl_model *m;
  grl_model_alloc(&m, &grl_cell_gru, t->vocab.V, H, t->vocab.V);
  grl_model_init_uniform(m, r);
  grl_train_config cfg = {.optimizer = "adam", .lr = 5e-3, .clip = 5.0, .batch = 0, .stop = NULL};
  grl_source *src;
  grl_trainer *tr = NULL;
  size_t done;
  int st = grl_text_source_alloc(&src, t, 20, 8, H);
  st = st ? st : grl_trainer_alloc_source(&tr, m, src, &cfg);
  st = st ? st : grl_train_run(tr, r, STEPS_COINS, NULL, &done, NULL, NULL);
  double bpc = NAN, u, b;
  st = st ? st : grl_trainer_evaluate(tr, NULL, 0, &bpc);
  ok(st == GRL_OK, "%d steps on the coin text", STEPS_COINS);
  grl_text_baselines(t, &u, &b);
  is_double_abs(bpc, 0.2, 0.01, "validation bpc %.4f approaches the entropy rate 1/5 = 0.2 bpc (bigram %.4f)", bpc, b);
  grl_trainer_free(tr);
  grl_source_free(src);
  grl_model_free(m);
  grl_text_free(t);
  gsl_rng_free(r);
  free(buf);
}

/* The text loss's gradient check -- the same engine as the sequence
 * loss's -- passes for every cell by central and complex step, and an
 * error in one analytic entry is caught: 1e-3 by central, 1e-9 by the
 * complex step alone. */
typedef struct {
  double scale;   /* the analytic readout_bias[0] is multiplied by it */
} tamper_arg;

static void scale_bias0(const char *tensor, double *grad, size_t size,
                        void *arg)
{
  (void)size;
  if (!strcmp(tensor, "readout_bias"))
    grad[0] *= ((tamper_arg *)arg)->scale;
}

/* One check of m at method, the problem drawn from seed's generator after
 * the parameters (as grulab gradcheck --loss text draws it). */
static int check_text(grl_gradcheck_report **rep, grl_model *m,
                      unsigned long seed, int method, double scale)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  grl_gradcheck_randomize(m, r, 0.9);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, method);
  tamper_arg arg = {scale};
  if (scale != 1.0) {
    o.tamper = scale_bias0;
    o.tamper_arg = &arg;
  }
  int st = grl_gradcheck_text_run(rep, m, 4, 2, r, &o);
  gsl_rng_free(r);
  return st;
}

static void text_gradcheck(void)
{
  const grl_cell *const *cells = grl_cell_all();
  for (size_t i = 0; cells[i]; i++) {
    grl_model *m;
    grl_model_alloc(&m, cells[i], 5, 3, 5);
    const size_t want = m->n + (cells[i]->has_c ? 12 : 6);
    const int methods[2] = {GRL_GC_CENTRAL, GRL_GC_COMPLEX};
    for (int k = 0; k < 2; k++) {
      grl_gradcheck_report *rep = NULL;
      int st = check_text(&rep, m, 17 + i, methods[k], 1.0);
      ok(st == GRL_OK && rep && rep->pass && rep->checked == want
         && rep->I == 5,
         "%s: text loss, all %zu entries (readout, h0%s): %s %.2g (tol %g)",
         cells[i]->name, want, cells[i]->has_c ? ", c0" : "",
         grl_gradcheck_method_name(methods[k]), rep ? rep->worst : NAN,
         grl_gradcheck_default_tolerance(methods[k]));
      grl_gradcheck_report_free(rep);
    }
    if (cells[i] == &grl_cell_gru) {
      grl_gradcheck_report *rep = NULL;
      int st = check_text(&rep, m, 17 + i, GRL_GC_CENTRAL, 1 + 1e-3);
      const grl_gradcheck_row *w = rep ? &rep->row[rep->worst_row] : NULL;
      ok(st == GRL_EFAIL && w && !strcmp(w->name, "readout_bias")
         && w->worst_at == 0,
         "gru: readout_bias[0] off by 1e-3 is caught by central at %s[%zu] (%.2g)",
         w ? w->name : "?", w ? w->worst_at : 0, rep ? rep->worst : NAN);
      grl_gradcheck_report_free(rep);
      st = check_text(&rep, m, 17 + i, GRL_GC_CENTRAL, 1 + 1e-9);
      ok(st == GRL_OK, "gru: off by 1e-9, central passes it (%.2g)",
         rep ? rep->worst : NAN);
      grl_gradcheck_report_free(rep);
      st = check_text(&rep, m, 17 + i, GRL_GC_COMPLEX, 1 + 1e-9);
      w = rep ? &rep->row[rep->worst_row] : NULL;
      ok(st == GRL_EFAIL && w && !strcmp(w->name, "readout_bias")
         && w->worst_at == 0,
         "gru: ... and the complex step catches it at %s[%zu] (%.2g)",
         w ? w->name : "?", w ? w->worst_at : 0, rep ? rep->worst : NAN);
      grl_gradcheck_report_free(rep);
      /* the input is ids: nothing to differentiate */
      grl_gradcheck_opts o;
      grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
      o.what = GRL_GC_INPUT;
      gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
      ok(grl_gradcheck_text_run(&rep, m, 4, 2, r, &o) == GRL_EINVAL && !rep
         && strstr(grl_strerror(), "no derivative"),
         "checking only the input is refused: '%s'", grl_strerror());
      gsl_rng_free(r);
    }
    grl_model_free(m);
  }
}


typedef void (*probs_fn)(const grl_ngram *, const unsigned char *, size_t,
                         size_t, double *);

/* The worst |p - reference| over every order k and byte w at the
 * reference's validation positions (context: up to 7 validation bytes). */
static double probs_vs_reference(const grl_ngram *g, const grl_text *t,
                                 size_t ntrain, size_t V, const grl_tensor *tpos,
                                 const grl_tensor *tp, probs_fn probs)
{
  double worst = 0;
  for (size_t s = 0; s < tpos->size; s++) {
    size_t i = (size_t)tpos->data[s], nctx = i - ntrain > 7 ? 7 : i - ntrain;
    for (size_t w = 0; w < V; w++) {
      double p[8];
      probs(g, t->ids + i - nctx, nctx, w, p);
      for (size_t k = 0; k < 8; k++)
        worst = fmax(worst, fabs(p[k] - tp->data[(s * 8 + k) * V + w]));
    }
  }
  return worst;
}

/* The worst |sum_w p_k(w | ctx) - 1| over 400 contexts of every length
 * 0..7, drawn with the given seed: at random (most never seen) and from
 * the training text. */
static double normalisation(const grl_ngram *g, const grl_text *t, size_t ntrain,
                            size_t V, unsigned long seed, probs_fn probs)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  double dev = 0;
  for (int trial = 0; trial < 400; trial++) {
    unsigned char ctx[7];
    size_t nctx = (size_t)trial % 8;
    if (trial % 2) {
      for (size_t j = 0; j < nctx; j++)
        ctx[j] = (unsigned char)gsl_rng_uniform_int(r, V);
    } else {
      size_t at = gsl_rng_uniform_int(r, ntrain - 8);
      memcpy(ctx, t->ids + at, nctx);
    }
    double sum[8] = {0}, p[8];
    for (size_t w = 0; w < V; w++) {
      probs(g, ctx, nctx, w, p);
      for (size_t k = 0; k < 8; k++)
        sum[k] += p[k];
    }
    for (size_t k = 0; k < 8; k++)
      dev = fmax(dev, fabs(sum[k] - 1));
  }
  gsl_rng_free(r);
  return dev;
}

/* The n-gram ladder against the independent Python implementation
 * (tests/reference/make-ngram.py -> tests/data/ngram-wb.txt), and every
 * order's distribution summing to 1 over the vocabulary for contexts seen
 * and unseen.  7 tests. */
static void ngram_ladder(void)
{
  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath("tests/data/ngram-wb.txt")) != GRL_OK)
    bail("%s", grl_strerror());
  const grl_tensor *tV = grl_tensorfile_find(tf, "V"), *tn = grl_tensorfile_find(tf, "ntrain"),
                   *tids = grl_tensorfile_find(tf, "ids"), *tb = grl_tensorfile_find(tf, "bpc"),
                   *tpos = grl_tensorfile_find(tf, "pos"), *tp = grl_tensorfile_find(tf, "p");
  if (!tV || !tn || !tids || !tb || !tpos || !tp || tb->size != 8)
    bail("ngram-wb.txt: a tensor is missing");
  const size_t V = (size_t)tV->data[0], ntrain = (size_t)tn->data[0], N = tids->size;
  unsigned char *bytes = malloc(N);
  for (size_t i = 0; i < N; i++)
    bytes[i] = (unsigned char)('a' + (int)tids->data[i]);
  grl_text *t;
  if (grl_text_from_split(&t, bytes, N, ntrain, "markov"))
    bail("%s", grl_strerror());
  is_int((long)t->vocab.V, (long)V, "the golden text uses all %zu ids", V);
  double bpc[8];
  ok(grl_text_ngram_bpc(t, 8, bpc, NULL) == GRL_OK, "the ladder of orders 1..8");
  double worst = 0;
  for (size_t k = 0; k < 8; k++)
    worst = fmax(worst, fabs(bpc[k] - tb->data[k]) / tb->data[k]);
  ok(worst < 1e-12, "bpc of orders 1..8 equal the Python reference's (worst relative error %.1e; order 3: %.6f)",
     worst, bpc[2]);
  grl_ngram *g;
  if (grl_ngram_fit(&g, t->ids, ntrain, V, 8))
    bail("%s", grl_strerror());
  worst = probs_vs_reference(g, t, ntrain, V, tpos, tp, grl_ngram_probs);
  ok(worst < 1e-14, "p_k(w | context) at %zu positions, every k and w, equal the reference's (worst %.1e)",
     tpos->size, worst);
  /* normalisation: contexts drawn at random (most never seen), and from
   * the text, of every length 0..7 */
  double dev = normalisation(g, t, ntrain, V, 7, grl_ngram_probs);
  ok(dev < 1e-13, "every order sums to 1 over the vocabulary for 400 contexts, seen and random (worst |sum - 1| = %.1e)", dev);
  ok(grl_ngram_fit(&(grl_ngram *){0}, t->ids, ntrain, V, 9) == GRL_EINVAL,
     "order 9 is refused: %s", grl_strerror());
  grl_ngram_free(g);
  grl_text_free(t);
  free(bytes);
  grl_tensorfile_free(tf);
  /* the duplicate share on a text worked out by hand: training
   * "abcdefghijklmnop"
   * has the 3-grams abc bcd cde ... nop; validation "cdexyz" has cde
   * dex exy xyz, one of which (cde) is in training. */
  double share = NAN;
  grl_text_from_split(&t, (const unsigned char *)"abcdefghijklmnopcdexyz", 22, 16, "dup");
  int dst = grl_text_duplicate_share(t, 3, &share);
  ok(dst == GRL_OK && share == 0.25,
     "duplicate share of 3-grams: 1 of 4 validation 3-grams is in training (%g)", share);
  grl_text_free(t);
}

/* Interpolated Kneser-Ney against the independent Python implementation
 * (tests/reference/make-ngram.py -> tests/data/ngram-kn.txt), and every
 * order summing to 1 over the vocabulary; both ladders from one fit.  4
 * tests. */
static void ngram_kneser_ney(void)
{
  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath("tests/data/ngram-kn.txt")) != GRL_OK)
    bail("%s", grl_strerror());
  const grl_tensor *tV = grl_tensorfile_find(tf, "V"), *tn = grl_tensorfile_find(tf, "ntrain"),
                   *tids = grl_tensorfile_find(tf, "ids"), *tb = grl_tensorfile_find(tf, "bpc"),
                   *tpos = grl_tensorfile_find(tf, "pos"), *tp = grl_tensorfile_find(tf, "p");
  if (!tV || !tn || !tids || !tb || !tpos || !tp || tb->size != 8)
    bail("ngram-kn.txt: a tensor is missing");
  const size_t V = (size_t)tV->data[0], ntrain = (size_t)tn->data[0], N = tids->size;
  unsigned char *bytes = malloc(N);
  for (size_t i = 0; i < N; i++)
    bytes[i] = (unsigned char)('a' + (int)tids->data[i]);
  grl_text *t;
  if (grl_text_from_split(&t, bytes, N, ntrain, "markov"))
    bail("%s", grl_strerror());
  double bpc[8];
  if (grl_text_ngram_bpc(t, 8, NULL, bpc))
    bail("%s", grl_strerror());
  double worst = 0;
  for (size_t k = 0; k < 8; k++)
    worst = fmax(worst, fabs(bpc[k] - tb->data[k]) / tb->data[k]);
  ok(worst < 1e-12, "Kneser-Ney bpc of orders 1..8 equal the Python reference's (worst relative error %.1e; order 3: %.6f)",
     worst, bpc[2]);
  /* both ladders from the one fit: the same numbers as each alone */
  double wb_alone[8], wb[8], kn[8];
  if (grl_text_ngram_bpc(t, 8, wb_alone, NULL) || grl_text_ngram_bpc(t, 8, wb, kn))
    bail("%s", grl_strerror());
  ok(!memcmp(wb, wb_alone, sizeof wb) && !memcmp(kn, bpc, sizeof kn),
     "both ladders at once equal each ladder alone, bit for bit");
  grl_ngram *g;
  if (grl_ngram_fit(&g, t->ids, ntrain, V, 8))
    bail("%s", grl_strerror());
  worst = probs_vs_reference(g, t, ntrain, V, tpos, tp, grl_ngram_probs_kn);
  ok(worst < 1e-14, "Kneser-Ney p_k(w | context) at %zu positions, every k and w, equal the reference's (worst %.1e)",
     tpos->size, worst);
  double dev = normalisation(g, t, ntrain, V, 11, grl_ngram_probs_kn);
  ok(dev < 1e-13, "every Kneser-Ney order sums to 1 over the vocabulary for 400 contexts, seen and random (worst |sum - 1| = %.1e)", dev);
  grl_ngram_free(g);
  grl_text_free(t);
  free(bytes);
  grl_tensorfile_free(tf);
}

/* grl_text_read_split: the held-out files follow the others.  2 tests. */
static void split_by_file(void)
{
  char dir[] = "/tmp/grulab-split-XXXXXX", path[64];
  if (!mkdtemp(dir))
    bail("mkdtemp");
  const char *names[] = {"a_one.h", "b_two.h", "h_held.h", "c_three.h"};
  const char *body[] = {"first file\n", "second file\n", "HELD OUT\n", "third file\n"};
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    write_file(path, body[k]);
  }
  char pat[64];
  snprintf(pat, sizeof pat, "%s/*.h", dir);
  grl_text *t;
  int st = grl_text_read_split(&t, pat, "h_*");
  ok(st == GRL_OK && t->n == 43 && t->ntrain == 34
     && !memcmp(t->bytes, "first file\nsecond file\nthird file\nHELD OUT\n", 43),
     "training files in name order, then the held-out file: validation is [34, 43)");
  if (!st)
    grl_text_free(t);
  ok(grl_text_read_split(&t, pat, "z_*") == GRL_EINVAL && strstr(grl_strerror(), "none"),
     "a held-out pattern no file matches is refused: %s", grl_strerror());
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    remove(path);
  }
  rmdir(dir);
}

int main(void)
{
  /* two text gradient checks per cell (central, complex), 69 others */
  int ncell = 0;
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    ncell++;
  plan(70 + 2 * ncell);
  vocabulary_and_split();
  bad_texts();
  streams_and_carry();
  gather_is_onehot();
  evaluate_exact();
  baselines();
  sampling();
  periodic_entropy();
  text_gradcheck();
  ngram_ladder();
  ngram_kneser_ney();
  split_by_file();
  return exit_status();
}
