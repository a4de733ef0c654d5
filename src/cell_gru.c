/* cell_gru.c -- to be written. */
#include <config.h>
#include "grulab.h"
