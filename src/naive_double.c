/* naive_double.c -- to be written. */
#include <config.h>
#include "grulab.h"
