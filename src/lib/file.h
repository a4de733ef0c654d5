/* file.h -- reading a whole file: the library's one way of doing it, for
 * tensor files and texts (not installed). */
#ifndef GRULAB_FILE_H
#define GRULAB_FILE_H

#include <stddef.h>

/* Append the whole of path to *buf, which holds *n bytes in *cap (NULL, 0,
 * 0 to start), growing it as needed and keeping it NUL-terminated after
 * the last byte.  Errors, each one line naming the file:
 * "PATH: cannot open: REASON", "PATH: is a directory",
 * "PATH: cannot read: REASON", "PATH: out of memory".  On error *buf
 * keeps what it held (the caller frees it). */
int grl_file_append(const char *path, char **buf, size_t *n, size_t *cap);

#endif
