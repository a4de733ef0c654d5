# tests/train.mk -- readouts, losses, optimisers, tasks, training, gradnorm.
check_PROGRAMS += tests/optim tests/task tests/train tests/gradnorm
tests_optim_LDADD = $(TAP_LDADD)
tests_task_LDADD = $(TAP_LDADD)
tests_train_LDADD = $(TAP_LDADD)
tests_gradnorm_LDADD = $(TAP_LDADD)
TESTS += tests/optim tests/task tests/train tests/gradnorm tests/cli-train.sh \
	tests/cli-interrupt.sh
EXTRA_DIST += tests/cli-train.sh tests/cli-interrupt.sh
