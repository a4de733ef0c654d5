/* parse.h -- the one number grammar, for the command line and the tensor
 * reader alike (parse.c; not installed). */
#ifndef GRULAB_PARSE_H
#define GRULAB_PARSE_H

#include <stddef.h>

/* What grl_number_scan found. */
enum {
  GRL_NUM_OK = 0,
  GRL_NUM_SYNTAX,      /* not a decimal number                         */
  GRL_NUM_NONFINITE,   /* spells a NaN or an infinity ("nan", "-Inf")  */
  GRL_NUM_OVERFLOW     /* decimal, but beyond the largest double        */
};

/* The len bytes at s as a number of the grammar (grulab.h,
 * grl_parse_double): GRL_NUM_OK and *v (v may be NULL: check only), or
 * why not. */
int grl_number_scan(const char *s, size_t len, double *v);

#endif
