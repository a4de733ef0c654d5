/* outfile.c -- whole-or-nothing output files.
 *
 * grl_outfile_open() creates a temporary file beside PATH (same directory,
 * so rename() is atomic), the caller writes through *fp, and
 * grl_outfile_commit() renames it over PATH only if every write, the flush
 * and the close succeeded.  grl_outfile_abort() removes it.  A reader --
 * a test, gnuplot, the next chapter -- never sees a half-written file.
 *
 * PATH that exists and is not a regular file (/dev/null, /dev/stdout, a
 * FIFO) is written directly: renaming over it would replace the device. */
#include <config.h>
#include "grulab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct grl_outfile {
  char *path;  /* the destination, as given */
  char *tmp;   /* the temporary beside it; NULL when writing directly */
  FILE *f;
};

static void outfile_free(grl_outfile *o)
{
  free(o->path);
  free(o->tmp);
  free(o);
}

static char *dupstr(const char *s)
{
  char *d = malloc(strlen(s) + 1);
  if (d)
    strcpy(d, s);
  return d;
}

int grl_outfile_open(grl_outfile **out, FILE **fp, const char *path)
{
  *out = NULL;
  *fp = NULL;
  if (!path || !*path)
    return grl_fail(GRL_EINVAL, "output file: empty path");

  grl_outfile *o = calloc(1, sizeof *o);
  if (!o || !(o->path = dupstr(path))) {
    free(o);
    return grl_fail(GRL_ENOMEM, "%s: out of memory", path);
  }

  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      outfile_free(o);
      return grl_fail(GRL_EIO, "%s: cannot write: Is a directory", path);
    }
    o->f = fopen(path, "w");
    if (!o->f) {
      int err = errno;
      outfile_free(o);
      return grl_fail(GRL_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    *out = o;
    *fp = o->f;
    return GRL_OK;
  }

  /* PATH.tmp-XXXXXX in the same directory as PATH. */
  static const char suffix[] = ".tmp-XXXXXX";
  size_t n = strlen(path);
  o->tmp = malloc(n + sizeof suffix);
  if (!o->tmp) {
    outfile_free(o);
    return grl_fail(GRL_ENOMEM, "%s: out of memory", path);
  }
  memcpy(o->tmp, path, n);
  memcpy(o->tmp + n, suffix, sizeof suffix);

  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int err = errno;
    outfile_free(o);
    return grl_fail(GRL_EIO, "%s: cannot create a temporary file beside it: %s",
                    path, strerror(err));
  }
  /* mkstemp makes the file 0600; give it the mode a plain fopen would. */
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
    int err = errno;
    close(fd);
    unlink(o->tmp);
    outfile_free(o);
    return grl_fail(GRL_EIO, "%s: cannot write: %s", path, strerror(err));
  }
  *out = o;
  *fp = o->f;
  return GRL_OK;
}

int grl_outfile_commit(grl_outfile *o)
{
  if (!o)
    return grl_fail(GRL_EINVAL, "grl_outfile_commit: no file");
  int err = 0;
  errno = 0;
  /* fflush reports write errors still in the buffer; ferror reports the
   * ones that happened earlier; fclose the last ones (e.g. ENOSPC, EDQUOT). */
  if (fflush(o->f) != 0 || ferror(o->f))
    err = errno ? errno : EIO;
  if (fclose(o->f) != 0 && !err)
    err = errno ? errno : EIO;
  o->f = NULL;
  if (!err && o->tmp && rename(o->tmp, o->path) != 0)
    err = errno;
  if (err) {
    if (o->tmp)
      unlink(o->tmp);
    int st = grl_fail(GRL_EIO, "%s: cannot write: %s", o->path, strerror(err));
    outfile_free(o);
    return st;
  }
  outfile_free(o);
  return GRL_OK;
}

const char *grl_outfile_tmpname(const grl_outfile *o)
{
  return o ? o->tmp : NULL;
}

void grl_outfile_abort(grl_outfile *o)
{
  if (!o)
    return;
  if (o->f)
    fclose(o->f);
  if (o->tmp)
    unlink(o->tmp);
  outfile_free(o);
}
