/* grl_gradcheck.h -- gradient checks: owned by the gradcheck engineer. Included by grulab.h. */
#ifndef GRULAB_GRL_GRADCHECK_H
#define GRULAB_GRL_GRADCHECK_H

#endif
