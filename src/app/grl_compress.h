/* grl_compress.h -- what a general-purpose compressor makes of a text's
 * validation split: the reference a language model is printed beside
 * (`grulab train --task text`, chapter 9).  Not part of libgrulab; it
 * compresses in memory with zlib and liblzma, runs no program and
 * searches no PATH.
 *
 *   "gzip"  DEFLATE at level 9 in the gzip format (zlib; a 32 KiB window,
 *           gzip's), as `gzip -9 -c` writes it
 *   "xz"    LZMA2 at preset 9 in the xz format with a CRC64 (liblzma), as
 *           `xz -9 -c` writes it */
#ifndef GRULAB_GRL_COMPRESS_H
#define GRULAB_GRL_COMPRESS_H

#include "grulab.h"

/* 8 * (compressed size) / (validation bytes) of t's validation split by
 * method "gzip" or "xz".  GRL_EINVAL for another method; GRL_EIO ("built
 * without zlib") when the build lacks the library. */
int grl_compressed_bpc(const grl_text *t, const char *method, double *bpc);

#endif
