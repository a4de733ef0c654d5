/* keys.c -- byte strings of up to 8 bytes as integers, and their sort.
 * See keys.h. */
#include <config.h>
#include "keys.h"

#include <string.h>

uint64_t grl_key_pack(const unsigned char *b, size_t k)
{
  uint64_t key = 0;
  for (size_t j = 0; j < k; j++)
    key = key << 8 | b[j];
  return key;
}

/* Sort keys of k bytes: key[0..m) in ascending order, where every key
 * is below 2^(8k).  A least-significant-digit radix sort: one stable
 * counting sort per byte, the lowest byte first, so that after the pass
 * over byte j the keys are in order of their low j+1 bytes.  Each pass
 * moves the keys between key and tmp (m each); the sorted keys end in
 * key.  (Equal keys are equal numbers, so the result is the one any
 * correct sort gives.) */
void grl_keys_sort(uint64_t *key, uint64_t *tmp, size_t m, size_t k)
{
  uint64_t *from = key, *to = tmp;
  for (size_t j = 0; j < k; j++) {
    const unsigned shift = 8 * (unsigned)j;
    size_t start[256] = {0};      /* keys with byte j = b go to start[b].. */
    for (size_t i = 0; i < m; i++)
      start[from[i] >> shift & 0xff]++;
    size_t below = 0;
    for (size_t b = 0; b < 256; b++) {
      size_t count = start[b];
      start[b] = below;
      below += count;
    }
    for (size_t i = 0; i < m; i++)
      to[start[from[i] >> shift & 0xff]++] = from[i];
    uint64_t *swap = from;
    from = to;
    to = swap;
  }
  if (from != key)
    memcpy(key, from, m * sizeof *key);
}
