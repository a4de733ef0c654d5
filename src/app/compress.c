/* compress.c -- the compressors' baselines of a text, in memory with zlib
 * and liblzma (grl_compress.h). */
#include <config.h>
#include "grl_compress.h"

#include <stdlib.h>
#include <string.h>
#ifdef GRL_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef GRL_HAVE_LZMA
#include <lzma.h>
#endif

/* gzip -9: DEFLATE, level 9, a 2^15 = 32 KiB window, the gzip wrapper
 * (windowBits + 16), zlib's default memory level and strategy. */
static int gzip_size(const unsigned char *in, size_t n, size_t *out)
{
#ifdef GRL_HAVE_ZLIB
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return grl_fail(GRL_ENOMEM, "gzip: cannot start zlib");
  uLong cap = deflateBound(&z, (uLong)n);
  unsigned char *buf = malloc(cap);
  int st = GRL_OK;
  if (!buf) {
    st = grl_fail(GRL_ENOMEM, "gzip: out of memory");
  } else {
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
      st = grl_fail(GRL_EIO, "gzip: zlib did not finish");
    else
      *out = z.total_out;
  }
  deflateEnd(&z);
  free(buf);
  return st;
#else
  (void)in; (void)n; (void)out;
  return grl_fail(GRL_EIO, "built without zlib");
#endif
}

/* xz -9: LZMA2 at preset 9, the xz container, a CRC64 check, streamed as
 * the xz program streams it (so that the block header holds no sizes). */
static int xz_size(const unsigned char *in, size_t n, size_t *out)
{
#ifdef GRL_HAVE_LZMA
  lzma_stream z = LZMA_STREAM_INIT;
  if (lzma_easy_encoder(&z, 9, LZMA_CHECK_CRC64) != LZMA_OK)
    return grl_fail(GRL_ENOMEM, "xz: cannot start liblzma");
  size_t cap = lzma_stream_buffer_bound(n);
  unsigned char *buf = malloc(cap);
  int st = GRL_OK;
  if (!buf) {
    st = grl_fail(GRL_ENOMEM, "xz: out of memory");
  } else {
    z.next_in = in;
    z.avail_in = n;
    z.next_out = buf;
    z.avail_out = cap;
    lzma_ret rc = lzma_code(&z, LZMA_FINISH);
    if (rc != LZMA_STREAM_END)
      st = grl_fail(GRL_EIO, "xz: liblzma failed (code %d)", (int)rc);
    else
      *out = (size_t)z.total_out;
  }
  lzma_end(&z);
  free(buf);
  return st;
#else
  (void)in; (void)n; (void)out;
  return grl_fail(GRL_EIO, "built without liblzma");
#endif
}

int grl_compressed_bpc(const grl_text *t, const char *method, double *bpc)
{
  const unsigned char *valid = t->bytes + t->ntrain;   /* the last tenth */
  const size_t n = grl_text_nvalid(t);
  size_t size = 0;
  int st;
  if (strcmp(method, "gzip") == 0)
    st = gzip_size(valid, n, &size);
  else if (strcmp(method, "xz") == 0)
    st = xz_size(valid, n, &size);
  else
    return grl_fail(GRL_EINVAL, "compressed bpc: the method must be gzip or xz, got '%s'", method);
  if (st)
    return st;
  *bpc = 8.0 * (double)size / (double)n;
  return GRL_OK;
}
