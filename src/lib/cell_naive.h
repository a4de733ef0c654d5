/* cell_naive.h -- compile a cell file's naive step for double and for
 * double _Complex (naive_scalar.h says what it may use).  Not installed.
 *
 * A cell file keeps its naive step, named NAIVE(id), between
 * #ifdef GRL_NAIVE_PASS and #endif, and ends its batched part with
 *     #define GRL_NAIVE_FILE "cell_id.c"
 *     #include "cell_naive.h"
 * which reads the file twice more, once per scalar type, with only the
 * naive step in view. */
#define GRL_NAIVE_PASS 1
#include "naive_scalar.h"
#include GRL_NAIVE_FILE
#define GRL_NAIVE_COMPLEX 1
#include "naive_scalar.h"
#include GRL_NAIVE_FILE
#undef GRL_NAIVE_COMPLEX
#undef GRL_NAIVE_PASS
