/* cell_rnn.c -- to be written. */
#include <config.h>
#include "grulab.h"
