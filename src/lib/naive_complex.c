/* naive_complex.c -- the naive reference over a sequence in double
 * _Complex, for the complex-step derivative (naive_seq.h). */
#include <config.h>
#define GRL_NAIVE_COMPLEX 1
#include "cell_impl.h"
#include "naive_scalar.h"
#define NAIVE_STEP(cell) (cell)->naive_c
#include "naive_seq.h"
