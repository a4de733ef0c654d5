/* ngram.c -- the n-gram ladder: interpolated Witten-Bell and interpolated
 * Kneser-Ney n-grams of orders 1 to 8 over a text's byte ids, counted on
 * its training split.
 * What a language model of the text must beat (chapter 9).  See grl_text.h.
 *
 * Witten and Bell (1991); interpolated as in Chen and Goodman (1998),
 * "An empirical study of smoothing techniques for language modeling",
 * section 2.6.  With c(.) counts in the training split, h a context of
 * k-1 bytes and h' the same without its oldest byte:
 *
 *   p_0(w)     = 1 / V
 *   p_k(w | h) = (c(h w) + N1+(h .) p_{k-1}(w | h')) / (c(h) + N1+(h .))
 *                where c(h) = sum_w c(h w) > 0, and N1+(h .) is the
 *                number of distinct bytes seen after h;
 *   p_k(w | h) = p_{k-1}(w | h')                         where c(h) = 0.
 *
 * Each level is a mixture of a distribution over the V ids and the level
 * below, so every p_k sums to 1 over the vocabulary.
 *
 * Interpolated Kneser-Ney (Chen and Goodman 1998, section 2.7, with one
 * discount per order and per kind of count, D = n1 / (n1 + 2 n2) from the
 * numbers n1, n2 of grams counted once and twice).  The order-n model
 * uses the raw counts c at its top level and, below it, continuation
 * counts N1+(. h w), the number of distinct bytes seen before h w:
 *
 *   q_0(w)     = 1 / V
 *   q_k(w | h) = max(N1+(. h w) - D'_k, 0) / S(h) + D'_k N1+(h .) / S(h) q_{k-1}(w | h')
 *                where S(h) = sum_w N1+(. h w) > 0, else q_{k-1}(w | h');
 *   p^KN_n(w | h) = max(c(h w) - D_n, 0) / c(h) + D_n N1+(h .) / c(h) q_{n-1}(w | h')
 *                where c(h) > 0, else q_{n-1}(w | h').
 *
 * D <= 1 and every seen gram counts at least 1, so each level again sums
 * to 1.  The continuation counts of order k are read off the distinct
 * (k+1)-grams: drop each one's oldest byte and count the repeats.
 *
 * The k-grams of each order are kept as sorted packed keys (k ids of 8
 * bits, the oldest highest) with their counts: the k-grams that extend a
 * context h are then one contiguous run of at most 256 keys, found by a
 * binary search narrowed by an index of the keys' two highest bytes
 * (65536 entries a table) and a short one after it, and c(h) is a
 * difference of prefix sums.  One radix sort, of the top order's grams,
 * orders every table of raw counts: each order below is read off the
 * sorted keys above it. */
#include <config.h>
#include "grulab.h"
#include "keys.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  size_t n;          /* distinct k-grams                       */
  uint64_t *key;     /* (n) sorted packed k-grams              */
  double *cum;       /* (n+1) cum[i] = sum of counts below i   */
  /* keys of 2 bytes or more: first[p] is the first key whose two highest
   * bytes, key >> shift, are >= p (p <= 65536); NULL for 1 byte */
  size_t *first, shift;
} table;

struct grl_ngram {
  size_t order, V;
  table t[GRL_NGRAM_MAX_ORDER];   /* t[k-1]: the k-grams          */
  table c[GRL_NGRAM_MAX_ORDER];   /* c[k-1]: k-grams, counts N1+(. g), k < order */
  double draw[GRL_NGRAM_MAX_ORDER], dcont[GRL_NGRAM_MAX_ORDER];   /* discounts */
};

/* The first index i in [lo, hi) with key[i] >= x (hi if none); the keys
 * below lo are < x. */
static size_t lower(const table *tb, size_t lo, size_t hi, uint64_t x)
{
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tb->key[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The first index i in [lo, hi) with key[i] > x (hi if none); the keys
 * below lo are <= x. */
static size_t upper(const table *tb, size_t lo, size_t hi, uint64_t x)
{
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tb->key[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* A table of the distinct keys of all[0..m), sorted, keys of k bytes,
 * with their repeats as counts, and (k >= 2) its index by the keys' two
 * highest bytes. */
static int tabulate(table *tb, const uint64_t *all, size_t m, size_t k)
{
  size_t u = 0;
  for (size_t i = 0; i < m; i++)
    u += i == 0 || all[i] != all[i - 1];
  tb->key = malloc((u ? u : 1) * sizeof *tb->key);
  tb->cum = malloc((u + 1) * sizeof *tb->cum);
  if (!tb->key || !tb->cum)
    return grl_fail(GRL_ENOMEM, "n-gram: out of memory for %zu grams", u);
  size_t j = 0;
  tb->cum[0] = 0;
  for (size_t i = 0; i < m; i++) {
    if (i == 0 || all[i] != all[i - 1]) {
      tb->key[j] = all[i];
      tb->cum[j + 1] = tb->cum[j];
      j++;
    }
    tb->cum[j] += 1;
  }
  tb->n = u;
  if (k < 2)
    return GRL_OK;
  tb->shift = 8 * (k - 2);
  tb->first = malloc((65536 + 1) * sizeof *tb->first);
  if (!tb->first)
    return grl_fail(GRL_ENOMEM, "n-gram: out of memory for the index of %zu grams", u);
  size_t i = 0;
  for (size_t p = 0; p <= 65536; p++) {
    while (i < u && tb->key[i] >> tb->shift < p)
      i++;
    tb->first[p] = i;
  }
  return GRL_OK;
}

/* Kneser-Ney's discount D = n1 / (n1 + 2 n2) for a table's counts (0 when
 * no gram is counted once or twice). */
static double discount(const table *tb)
{
  double n1 = 0, n2 = 0;
  for (size_t i = 0; i < tb->n; i++) {
    double c = tb->cum[i + 1] - tb->cum[i];
    n1 += c == 1;
    n2 += c == 2;
  }
  return n1 + n2 > 0 ? n1 / (n1 + 2 * n2) : 0.0;
}

void grl_ngram_free(grl_ngram *g)
{
  if (!g)
    return;
  for (size_t k = 0; k < GRL_NGRAM_MAX_ORDER; k++) {
    free(g->t[k].key);
    free(g->t[k].cum);
    free(g->t[k].first);
    free(g->c[k].key);
    free(g->c[k].cum);
    free(g->c[k].first);
  }
  free(g);
}

int grl_ngram_fit(grl_ngram **out, const unsigned char *ids, size_t n,
                  size_t V, size_t order)
{
  *out = NULL;
  if (order < 1 || order > GRL_NGRAM_MAX_ORDER)
    return grl_fail(GRL_EINVAL, "n-gram: order %zu; want 1 to %d", order, GRL_NGRAM_MAX_ORDER);
  if (V < 2 || V > 256)
    return grl_fail(GRL_EINVAL, "n-gram: vocabulary of %zu; want 2 to 256", V);
  if (n < order)
    return grl_fail(GRL_EINVAL, "n-gram: %zu ids hold no %zu-gram", n, order);
  for (size_t i = 0; i < n; i++)
    if (ids[i] >= V)
      return grl_fail(GRL_EINVAL, "n-gram: id %u at %zu is outside the vocabulary of %zu",
                      ids[i], i, V);
  /* the keys of one table and the sort's scratch: at most n keys each */
  uint64_t *all = malloc(n * sizeof *all), *tmp = malloc(n * sizeof *tmp);
  grl_ngram *g = calloc(1, sizeof *g);
  if (!all || !tmp || !g) {
    free(all);
    free(tmp);
    free(g);
    return grl_fail(GRL_ENOMEM, "n-gram: out of memory for %zu grams", n);
  }
  g->order = order;
  g->V = V;
  int st = GRL_OK;
  /* The top order's k-grams, sorted.  Each order below is then read off
   * the sorted keys above it: the (k+1)-grams without their newest byte
   * are the k-grams that start at 0 .. n-k-1, still in order, and the one
   * k-gram that starts no (k+1)-gram, the text's last, goes in its place. */
  size_t m = n - order + 1;
  for (size_t i = 0; i < m; i++)
    all[i] = grl_key_pack(ids + i, order);
  grl_keys_sort(all, tmp, m, order);
  for (size_t k = order; k >= 1 && !st; k--) {
    if (k < order) {
      for (size_t i = 0; i < m; i++)
        all[i] >>= 8;
      uint64_t last = grl_key_pack(ids + n - k, k);
      size_t at = m;
      while (at > 0 && all[at - 1] > last)
        at--;
      memmove(all + at + 1, all + at, (m - at) * sizeof *all);
      all[at] = last;
      m++;
    }
    st = tabulate(&g->t[k - 1], all, m, k);
    if (!st)
      g->draw[k - 1] = discount(&g->t[k - 1]);
  }
  /* continuation counts of order k < order: the distinct (k+1)-grams
   * without their oldest byte */
  for (size_t k = 1; k < order && !st; k++) {
    const table *up = &g->t[k];
    const uint64_t mask = ((uint64_t)1 << (8 * k)) - 1;   /* k <= 7 */
    for (size_t i = 0; i < up->n; i++)
      all[i] = up->key[i] & mask;
    grl_keys_sort(all, tmp, up->n, k);
    st = tabulate(&g->c[k - 1], all, up->n, k);
    if (!st)
      g->dcont[k - 1] = discount(&g->c[k - 1]);
  }
  free(all);
  free(tmp);
  if (st) {
    grl_ngram_free(g);
    return st;
  }
  *out = g;
  return GRL_OK;
}

size_t grl_ngram_order(const grl_ngram *g)
{
  return g->order;
}

/* The run [lo, hi) of a table's keys that extend the context h (k-1
 * bytes) by one byte: keys h<<8 | w, so at most 256 of them, one per w.
 * The index by the two highest bytes narrows the table to the keys that
 * share them; one binary search there finds lo; hi and the grams inside
 * are then looked up among those 256 keys after lo. */
typedef struct {
  size_t lo, hi;
} run;

static run after(const table *tb, uint64_t h)
{
  uint64_t base = h << 8;          /* k <= 8: h has at most 7 bytes */
  size_t from = 0, to = tb->n;
  if (tb->first) {
    from = tb->first[base >> tb->shift];
    to = tb->first[((base | 0xff) >> tb->shift) + 1];
  }
  size_t lo = lower(tb, from, to, base);
  size_t end = to - lo > 256 ? lo + 256 : to;
  return (run){lo, upper(tb, lo, end, base | 0xff)};
}

/* c(h w): the count of the key h<<8 | w in h's run (0 when unseen). */
static double count_in(const table *tb, run r, uint64_t h, size_t w)
{
  uint64_t key = h << 8 | (uint64_t)w;
  size_t i = lower(tb, r.lo, r.hi, key);
  return i < r.hi && tb->key[i] == key ? tb->cum[i + 1] - tb->cum[i] : 0.0;
}

/* One Witten-Bell level: the table's k-grams after h (the run r), mixed
 * with the level below. */
static double wb_level(const table *tb, run r, uint64_t h, size_t w, double below)
{
  double ch = tb->cum[r.hi] - tb->cum[r.lo], types = (double)(r.hi - r.lo);
  if (!(ch > 0))
    return below;
  double c = count_in(tb, r, h, w);
  return (c + types * below) / (ch + types);
}

/* One Kneser-Ney level: the table's k-grams after h (the run r), discount
 * D, mixed with the level below. */
static double kn_level(const table *tb, run r, double D, uint64_t h, size_t w,
                       double below)
{
  double ch = tb->cum[r.hi] - tb->cum[r.lo], types = (double)(r.hi - r.lo);
  if (!(ch > 0))
    return below;
  double c = count_in(tb, r, h, w);
  return fmax(c - D, 0.0) / ch + D * types / ch * below;
}

/* Both ladders at once (either of wb, kn may be NULL): the two read the
 * same run of k-grams after h, found once. */
static void ladders(const grl_ngram *g, const unsigned char *ctx, size_t nctx,
                    size_t w, double *wb, double *kn)
{
  double below = 1.0 / (double)g->V;   /* p_0 */
  double q = 1.0 / (double)g->V;       /* q_0: the continuation chain */
  for (size_t k = 1; k <= g->order; k++) {
    /* a context shorter than k-1 bytes: Witten-Bell backs off to what
     * there is, Kneser-Ney uses the order-(nctx+1) model */
    if (k - 1 > nctx) {
      if (wb)
        wb[k - 1] = below;
      if (kn)
        kn[k - 1] = kn[k - 2];
      continue;
    }
    const table *tb = &g->t[k - 1];
    uint64_t h = grl_key_pack(ctx + nctx - (k - 1), k - 1);
    run r = after(tb, h);
    if (wb)
      wb[k - 1] = below = wb_level(tb, r, h, w, below);
    if (kn) {
      kn[k - 1] = kn_level(tb, r, g->draw[k - 1], h, w, q);
      if (k < g->order) {
        const table *tc = &g->c[k - 1];
        q = kn_level(tc, after(tc, h), g->dcont[k - 1], h, w, q);
      }
    }
  }
}

void grl_ngram_probs(const grl_ngram *g, const unsigned char *ctx, size_t nctx,
                     size_t w, double *p)
{
  ladders(g, ctx, nctx, w, p, NULL);
}

void grl_ngram_probs_kn(const grl_ngram *g, const unsigned char *ctx, size_t nctx,
                        size_t w, double *p)
{
  ladders(g, ctx, nctx, w, NULL, p);
}

int grl_text_ngram_bpc(const grl_text *t, size_t order, double *wb, double *kn)
{
  grl_ngram *g;
  int st = grl_ngram_fit(&g, t->ids, t->ntrain, t->vocab.V, order);
  if (st)
    return st;
  double pw[GRL_NGRAM_MAX_ORDER], pk[GRL_NGRAM_MAX_ORDER];
  double sum_wb[GRL_NGRAM_MAX_ORDER] = {0}, sum_kn[GRL_NGRAM_MAX_ORDER] = {0};
  size_t np = 0;
  /* the network's predictions: every validation byte after the first,
   * from the validation bytes before it */
  for (size_t i = t->ntrain + 1; i < t->n; i++, np++) {
    size_t nctx = i - t->ntrain;
    if (nctx > order - 1)
      nctx = order - 1;
    const unsigned char *ctx = t->ids + i - nctx;
    ladders(g, ctx, nctx, t->ids[i], wb ? pw : NULL, kn ? pk : NULL);
    for (size_t k = 0; k < order; k++) {
      if (wb)
        sum_wb[k] -= log2(pw[k]);
      if (kn)
        sum_kn[k] -= log2(pk[k]);
    }
  }
  grl_ngram_free(g);
  for (size_t k = 0; k < order; k++) {
    if (wb)
      wb[k] = sum_wb[k] / (double)np;
    if (kn)
      kn[k] = sum_kn[k] / (double)np;
  }
  return GRL_OK;
}
