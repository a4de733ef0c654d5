/* error.c -- one message per thread, so that a status code can carry a
 * sentence ("data.txt:7: expected 12 numbers for 'input', found 11"). */
#include <config.h>
#include "grulab.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char message[1024];

int grl_fail(int status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  return status;
}

const char *grl_strerror(void)
{
  return message;
}
