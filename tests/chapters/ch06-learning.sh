# ch06-learning.sh -- chapter 6 runs, and its charts are complete and
# render -- also when its trainings run on one thread (--threads 1).
chapter_params_once=yes
chapter_threads='--threads 1'
chapter_bad_options="--seq-len 1
--seeds 2
--seeds 11
--steps 0
--hidden-size 0
--hidden-size 129
--seq-len 1001
--threads 0"
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch06-learning
