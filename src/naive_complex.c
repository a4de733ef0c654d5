/* naive_complex.c -- to be written. */
#include <config.h>
#include "grulab.h"
