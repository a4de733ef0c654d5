/* naive_double.c -- the naive reference over a sequence in double
 * (naive_seq.h). */
#include <config.h>
#include "cell_impl.h"
#include "naive_scalar.h"
#define NAIVE_STEP(cell) (cell)->naive
#include "naive_seq.h"
