/* naive_double.c -- the naive reference steps in double (cell_naive.h). */
#include <config.h>
#include <math.h>
#include "grulab.h"

#define SCALAR double
#define SFX(name) name
#define S_EXP(x) exp(x)
#define S_TANH(x) tanh(x)
#define S_RE(x) (x)
#define SFX_step(m, th, x, h, c, hn, cn, g) (m)->cell->naive((m), (th), (x), (h), (c), (hn), (cn), (g))
#include "cell_naive.h"
