/* naive_double.c -- the naive reference in double: every cell's naive
 * step (the GRL_NAIVE_PASS part of its file), and the whole sequence
 * (naive_seq.h). */
#include <config.h>
#include "cell_impl.h"
#include "naive_scalar.h"
#define GRL_NAIVE_PASS 1
#include "grl_cells_naive.h"  /* every cell file of grl_cells, written by make */
#define NAIVE_STEP(cell) (cell)->naive
#include "naive_seq.h"
