/* cell_gru_cho.c -- to be written. */
#include <config.h>
#include "grulab.h"
