/* text_overlap.c -- how much of a text's validation split is a copy of
 * its training split: the share of validation k-grams that occur
 * somewhere in training.  See grl_text.h. */
#include <config.h>
#include "grulab.h"
#include "keys.h"

#include <stdint.h>
#include <stdlib.h>

/* bsearch's order of two keys */
static int by_key(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int grl_text_duplicate_share(const grl_text *t, size_t k, double *share)
{
  if (k < 1 || k > 8)
    return grl_fail(GRL_EINVAL, "duplicate share: k = %zu; want 1 to 8", k);
  const size_t nt = t->ntrain, nv = grl_text_nvalid(t);
  if (nt < k || nv < k)
    return grl_fail(GRL_EINVAL, "duplicate share: a split of %zu and %zu bytes holds no %zu-gram on each side",
                    nt, nv, k);
  const size_t m = nt - k + 1;
  uint64_t *keys = malloc(m * sizeof *keys), *tmp = malloc(m * sizeof *tmp);
  if (!keys || !tmp) {
    free(keys);
    free(tmp);
    return grl_fail(GRL_ENOMEM, "duplicate share: out of memory");
  }
  for (size_t i = 0; i < m; i++)
    keys[i] = grl_key_pack(t->bytes + i, k);
  grl_keys_sort(keys, tmp, m, k);
  free(tmp);
  size_t found = 0, nk = nv - k + 1;
  for (size_t i = nt; i + k <= t->n; i++) {
    uint64_t key = grl_key_pack(t->bytes + i, k);
    found += bsearch(&key, keys, m, sizeof *keys, by_key) != NULL;
  }
  free(keys);
  *share = (double)found / (double)nk;
  return GRL_OK;
}
