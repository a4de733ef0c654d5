/* file.c -- a whole file into memory, the one way the library reads a
 * file (see file.h). */
#include <config.h>
#include "grulab.h"
#include "file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int grl_file_append(const char *path, char **buf, size_t *n, size_t *cap)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return grl_fail(GRL_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(f);
    return grl_fail(GRL_EIO, "%s: is a directory", path);
  }
  int st = GRL_OK;
  for (;;) {
    /* room for a read of 64 KiB and the final NUL */
    if (*cap - *n < (1 << 16) + 1) {
      size_t nc = *cap ? 2 * *cap : 1 << 17;
      char *nb = nc > *cap && nc < SIZE_MAX / 2 ? realloc(*buf, nc) : NULL;
      if (!nb) {
        st = grl_fail(GRL_ENOMEM, "%s: out of memory", path);
        break;
      }
      *buf = nb;
      *cap = nc;
    }
    size_t got = fread(*buf + *n, 1, *cap - *n - 1, f);
    *n += got;
    (*buf)[*n] = '\0';
    if (got == 0)
      break;
  }
  if (!st && ferror(f))
    st = grl_fail(GRL_EIO, "%s: cannot read: %s", path, strerror(errno));
  fclose(f);
  return st;
}
