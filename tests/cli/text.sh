# tests/cli/text.sh -- `grulab train --task text` and `grulab sample` from
# the outside: a short run on a text with structure a bigram cannot see,
# its last line, --save and --log, sampling (deterministic for a seed,
# temperature 0 independent of the seed), and the bad inputs: each one
# line on stderr and a non-zero exit.
. "$top_srcdir/tests/tap.sh"

plan 39

# "aaaa" then a coin, 2000 times: entropy rate 0.2 bpc; the bigram cannot
# count the a's.  The coins come from a fixed LCG, not from awk's rand().
awk 'BEGIN { s = 12345; for (i = 0; i < 2000; i++) {
  s = (s * 1103515245 + 12345) % 2147483648
  printf "aaaa%d", (s >= 1073741824) } }' >"$TMP/coins.txt"

run_cli train --task text --help
is "train --task text --help exits 0" "$rc" 0
printf '%s\n' "$out" | grep -q -- "--text FILE" && printf '%s\n' "$out" | grep -q "valid bpc X (unigram U, bigram G, Witten-Bell N at order K,"
is "and documents --text and the last line" "$?" 0

run_cli train --task text --text "$TMP/coins.txt" --hidden-size 16 --bptt 20 \
  --batch 8 --steps 300 --lr 0.01 --seed 3 --save "$TMP/coins.params" --log "$TMP/coins.dat"
is "train --task text exits 0" "$rc" 0
is "nothing on stderr when it is not a terminal" "$err" ""
last=$(printf '%s\n' "$out" | tail -n 1)
printf '%s\n' "$last" | grep -Eq '^valid bpc [0-9]+\.[0-9]{4} \(unigram [0-9]+\.[0-9]{4}, bigram [0-9]+\.[0-9]{4}, Witten-Bell [0-9]+\.[0-9]{4} at order [1-8], Kneser-Ney [0-9]+\.[0-9]{4} at order [1-8]\)$'
is "the last line is 'valid bpc X (unigram U, bigram G, Witten-Bell N at order K, Kneser-Ney M at order J)': $last" "$?" 0
printf '%s\n' "$last" | awk '{ v = $3; b = $7; sub(/[),]/, "", b); exit !(v < b - 0.3) }'
is "the GRU beats the bigram by 0.3 bpc on the coin text (entropy rate 0.2)" "$?" 0
printf '%s\n' "$out" | grep -q '^text .*coins.txt: 10000 bytes, vocabulary 3, train 9000, valid 1000$'
is "it reports the text, its vocabulary and split" "$?" 0
printf '%s\n' "$out" | grep -Eq '^split by position \(last 10%\), duplicate share [01]\.[0-9]{4} \(validation 8-grams seen in training\)$'
is "it reports the split's duplicate share" "$?" 0
# "aaaa" then a coin: a 5-gram sees the whole period, so the ladder's best
# order is at least 5 and reaches the entropy rate (0.2 bpc) within 0.05
printf '%s\n' "$last" | awk '{ n = $9; k = $12; sub(/[),]/, "", k); m = $14; j = $17; sub(/\)/, "", j)
  exit !(k >= 5 && n < 0.25 && j >= 5 && m < 0.25) }'
is "both n-gram ladders' best orders (>= 5) reach the coin text's entropy rate: $last" "$?" 0
ok "--save wrote the parameters" grep -q '^readout_weight 3 16$' "$TMP/coins.params"
ok "--save wrote the vocabulary" grep -qx 'vocabulary 3' "$TMP/coins.params"
is "--log has one row per step" "$(grep -vc '^#' "$TMP/coins.dat")" 300

# The same seed gives the same run.
run_cli train --task text --text "$TMP/coins.txt" --hidden-size 16 --bptt 20 \
  --batch 8 --steps 300 --lr 0.01 --seed 3
is "the same seed gives the same valid bpc" "$(printf '%s\n' "$out" | tail -n 1)" "$last"

# Sampling.
run_cli sample --params "$TMP/coins.params" --prime 0aaaa --bytes 50 --seed 4
is "sample exits 0" "$rc" 0
a=$out
is "it writes the prime and 50 bytes" "${#a}" 55
case $a in 0aaaa*) r=0 ;; *) r=1 ;; esac
is "starting with the prime" "$r" 0
run_cli sample --params "$TMP/coins.params" --prime 0aaaa --bytes 50 --seed 4
is "the same seed samples the same text" "$out" "$a"
printf '%s' "$a" | grep -Eq '^0aaaa([01]aaaa){10}$'
is "the trained model writes a coin, then four a's: $a" "$?" 0
run_cli sample --params "$TMP/coins.params" --prime aaaa --bytes 50 --temperature 0 --seed 1
t1=$out
run_cli sample --params "$TMP/coins.params" --prime aaaa --bytes 50 --temperature 0 --seed 2
is "temperature 0 (arg-max) does not depend on the seed" "$out" "$t1"

# Bad input: one line on stderr, a non-zero exit, nothing on stdout.
: >"$TMP/empty.txt"
awk 'BEGIN { for (i = 0; i < 100; i++) printf "z" }' >"$TMP/one.txt"
fails_with "a missing text file" 1 '^grulab: train: --text: .*/nonexistent.txt: cannot open: No such file' \
  train --task text --text "$TMP/nonexistent.txt" --steps 1
fails_with "an empty text file" 1 '^grulab: train: --text: .*empty.txt: empty$' \
  train --task text --text "$TMP/empty.txt" --steps 1
fails_with "a text with one distinct byte" 1 'only one distinct byte' \
  train --task text --text "$TMP/one.txt" --steps 1
fails_with "a window longer than the text names the flags that fix it" 1 \
  'training split has 9000 bytes, too few for --batch 8 streams of one --bptt 2000 window each \(it needs 16001\); lower --bptt or --batch, or give a longer --text$' \
  train --task text --text "$TMP/coins.txt" --bptt 2000 --batch 8 --steps 1
fails_with "a directory as --text" 1 "^grulab: train: --text: $TMP: is a directory\$" \
  train --task text --text "$TMP" --steps 1
fails_with "a --prime byte outside the vocabulary" 2 "^grulab: sample: --prime: byte 5 \(0x62\) is not in the model's vocabulary of 3 bytes$" \
  sample --params "$TMP/coins.params" --prime aaaab
fails_with "sample without --params" 2 '^grulab: sample: --params FILE is required' sample
fails_with "sample with a missing --params file" 1 '^grulab: sample: --params: ' \
  sample --params "$TMP/nonexistent.params"
fails_with "a negative temperature" 2 '^grulab: sample: --temperature must be >= 0' \
  sample --params "$TMP/coins.params" --temperature -1
fails_with "an unknown option of train --task text" 2 "unknown option '--frobnicate'" \
  train --task text --frobnicate
# a parameter file without a vocabulary is not a text model
"$GRULAB" init --cell gru --input-size 3 --hidden-size 4 >"$TMP/novocab.params" 2>/dev/null
fails_with "a parameter file with no vocabulary" 1 "novocab.params: no tensor 'vocabulary'" \
  sample --params "$TMP/novocab.params"

# SIGTERM: the step under way finishes, the parameters are saved, one line,
# exit 128 + 15.  The signal is sent once grulab has opened --save's
# temporary (its handler is in place by then), to grulab only if the pid
# is still grulab's (tests/tap.sh).
bg_start grulab "$GRULAB" train --task text --text "$TMP/coins.txt" --hidden-size 16 --bptt 20 \
  --batch 8 --steps 100000 --save "$TMP/term.params"
bg_wait_for bg_has_tmp "$TMP/term.params" || diag "no temporary of --save appeared"
bg_signal TERM || diag "grulab had ended before SIGTERM"
bg_finish
is "SIGTERM stops train --task text with exit 143" "$rc" 143
is "with one line on stderr" "$(printf '%s\n' "$err" | grep -c 'interrupted by SIGTERM after step [0-9]* of 100000; saved the parameters and vocabulary'):$(printf '%s\n' "$err" | grep -c '')" "1:1"
ok "and the parameters and vocabulary saved whole" grep -qx 'vocabulary 3' "$TMP/term.params"

# The text loss's gradient check: the one engine, its report and last line.
run_cli gradcheck --loss text --cell lstm --method all
is "gradcheck --loss text --cell lstm --method all exits 0" "$rc" 0
printf '%s\n' "$out" | tail -n 1 | grep -Eq '^worst relative error: [0-9.e+-]+ \(cell lstm, method [a-z]+, step [0-9.e+-]+, 152 entries\)$'
is "its last line is the check's: 152 entries (parameters, readout, h0, c0)" "$?" 0
is "every method passes, each with its report" \
  "$(printf '%s\n' "$out" | grep -c '^# method [a-z]*: worst relative error .*: pass$')" 4
printf '%s\n' "$out" | grep -q '^readout_weight ' && printf '%s\n' "$out" | grep -q '^c0 '
is "the table has the readout and c0" "$?" 0
fails_with "gradcheck --loss text --check input: ids have no derivative" 2 'no derivative' \
  gradcheck --loss text --cell gru --check input
fails_with "gradcheck --loss text --input-size: the vocabulary says it" 2 \
  '^grulab: gradcheck: --input-size does not apply to --loss text$' \
  gradcheck --loss text --cell gru --input-size 3
done_testing
