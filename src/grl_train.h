/* grl_train.h -- readouts, losses, optimisers, clipping, tasks, training, gradient-norm analysis: owned by the training engineer. Included by grulab.h. */
#ifndef GRULAB_GRL_TRAIN_H
#define GRULAB_GRL_TRAIN_H

#endif
