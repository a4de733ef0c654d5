# ch08-long-memory.sh -- chapter 8 runs, and its charts are complete and
# render.  Its wall-clock times are the lines that start with "  time";
# those are masked before the byte-for-byte checks, everything else must
# be identical -- also when the runs are trained on one thread instead of
# one per core (--threads 1).
chapter_params_once=yes
chapter_mask='s/^  time .*/  time/'
chapter_threads='--threads 1'
# Bad values of its own options are usage errors, before any training.
chapter_bad_options="--cells foo
--cells=
--cells gru,,rnn
--cells rnn,gru,lstm,seed,gru-cho,gru
--steps 0
--hidden-size 0
--hidden-size 200000
--steps ' 5'
--seeds 0
--seeds 11
--seq-len 1
--threads 0"
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch08-long-memory
