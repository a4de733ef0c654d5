/* cell_lstm.c -- to be written. */
#include <config.h>
#include "grulab.h"
