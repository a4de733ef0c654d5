/* wrap-opts.h -- preprocessed (cpp -P) into lab/wrap.opts, the linker's
 * options for the lab's graders: --wrap=NAME for every lab function. */
#include "functions.h"
#define X(lab, ret, fn, params, args) --wrap=fn
LAB_FUNCTIONS(X)
