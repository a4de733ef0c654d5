/* naive_complex.c -- the naive reference steps in double _Complex, for
 * the complex-step derivative (cell_naive.h). */
#include <config.h>
#include <complex.h>
#undef I /* complex.h's imaginary unit; grulab uses I for the input size */
#include "grulab.h"

#define SCALAR double _Complex
#define SFX(name) name##_c
#define S_EXP(x) cexp(x)
#define S_TANH(x) ctanh(x)
#define S_RE(x) creal(x)
#define SFX_step(m, th, x, h, c, hn, cn, g) (m)->cell->naive_c((m), (th), (x), (h), (c), (hn), (cn), (g))
#include "cell_naive.h"
