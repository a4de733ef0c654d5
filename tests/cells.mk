# tests/cells.mk -- the five cells, the sequence driver and BPTT (issue 3).
# golden: forward and backward against PyTorch's golden vectors, and the
# naive reference against the BLAS path.  cli-cells.sh: the grulab
# init/forward/backward/bench subcommands and their errors.
golden_files = \
	tests/data/golden-gru-T1B1I1H1.txt \
	tests/data/golden-gru-T7B3I5H4.txt \
	tests/data/golden-gru-T23B2I3H6.txt \
	tests/data/golden-gru-cho-T1B1I1H1.txt \
	tests/data/golden-gru-cho-T7B3I5H4.txt \
	tests/data/golden-gru-cho-T23B2I3H6.txt \
	tests/data/golden-rnn-T1B1I1H1.txt \
	tests/data/golden-rnn-T7B3I5H4.txt \
	tests/data/golden-rnn-T23B2I3H6.txt \
	tests/data/golden-lstm-T1B1I1H1.txt \
	tests/data/golden-lstm-T7B3I5H4.txt \
	tests/data/golden-lstm-T23B2I3H6.txt \
	tests/data/golden-seed-T1B1I1H1.txt \
	tests/data/golden-seed-T7B3I5H4.txt \
	tests/data/golden-seed-T23B2I3H6.txt

check_PROGRAMS += tests/golden
tests_golden_LDADD = $(TAP_LDADD)
TESTS += tests/golden tests/cli-cells.sh tests/cli-threads.sh
EXTRA_DIST += $(golden_files) tests/reference/make-golden.py tests/cli-cells.sh \
	tests/cli-threads.sh
