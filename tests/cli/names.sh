# tests/cli/names.sh -- one name per concept on every command line:
#   --seq-len T   the sequence length      (train adding, bench, gradcheck,
#                                           gradnorm, chapters 7 and 8)
#   --steps N     the optimiser's steps    (train, chapters 8 and 9)
#   --bptt T      the truncated-BPTT window (train --task text)
#   --bytes N     bytes to sample          (sample)
#   --delay T     the copy task's delay    (train --task copy)
# An old name still works, says its new name once on stderr, and gives
# the same output as the new one; a typo gets "did you mean"; an
# abbreviation works in every table (--tas text); errors list every valid
# value; --steps 0 is refused everywhere; the command line and the tensor
# reader share one number grammar.
. "$top_srcdir/tests/tap.sh"
: "${top_builddir:=.}"

plan 31

# stderr of the last run_cli, as one line per message
lines() { printf '%s' "$err" | grep -c ''; }

# ---- old names: the same output, one note each ---------------------------
# same_as NAME OLDNOTE NEWARGS -- OLDARGS: stdout equal but for its
# wall-clock numbers, one note on stderr.
untimed() { printf '%s\n' "$1" | sed -E 's/ seconds [0-9.]+.*//'; }
same_as() {
  name=$1; note=$2; shift 2
  newargs=
  while [ "$1" != "--" ]; do newargs="$newargs $1"; shift; done
  shift
  # shellcheck disable=SC2086
  run_cli $newargs; want=$(untimed "$out"); wrc=$rc
  run_cli "$@"; out=$(untimed "$out")
  if [ "$rc" = 0 ] && [ "$wrc" = 0 ] && [ "$out" = "$want" ] && [ -n "$out" ] \
     && [ "$(lines)" = 1 ] && [ "$err" = "$note" ]; then
    pass "$name"
  else
    fail "$name"
    diag "exit $rc (new: $wrc), stdout equal: $([ "$out" = "$want" ] && echo yes || echo no)" "stderr: $err" "want: $note"
  fi
}
next="the old name goes in the next release"
same_as "train --length is --seq-len for adding" \
  "grulab: train: --length is now --seq-len for --task adding; $next" \
  train --cell gru --seq-len 6 --hidden-size 4 --steps 3 -- \
  train --cell gru --length 6 --hidden-size 4 --steps 3
same_as "train --length is --delay for copy" \
  "grulab: train: --length is now --delay for --task copy; $next" \
  train --task copy --cell rnn --delay 2 --hidden-size 4 --steps 3 -- \
  train --task copy --cell rnn --length 2 --hidden-size 4 --steps 3
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%c", 97 + (i * 7 + int(i / 5)) % 11 }' >"$TMP/t.txt"
same_as "train --length is --bptt for text" \
  "grulab: train: --length is now --bptt for --task text; $next" \
  train --task text --text "$TMP/t.txt" --bptt 8 --batch 4 --hidden-size 4 --steps 3 --save "$TMP/t.params" -- \
  train --task text --text "$TMP/t.txt" --length 8 --batch 4 --hidden-size 4 --steps 3
same_as "sample --length is --bytes" "grulab: sample: --length is now --bytes; $next" \
  sample --params "$TMP/t.params" --bytes 30 -- sample --params "$TMP/t.params" --length 30
same_as "gradnorm --steps is --seq-len" "grulab: gradnorm: --steps is now --seq-len; $next" \
  gradnorm --cell gru --seq-len 7 -- gradnorm --cell gru --steps 7
same_as "gradcheck --steps is --seq-len" "grulab: gradcheck: --steps is now --seq-len; $next" \
  gradcheck --cell rnn --seq-len 3 -- gradcheck --cell rnn --steps 3
run_cli bench --cell gru --input-size 2 --hidden-size 3 --batch 2 --steps 4 --iters 1
is "bench --steps is --seq-len: it runs T=4, with one note" \
  "$rc:$(printf '%s\n' "$out" | grep -c '^bench cell=gru T=4 '):$err" \
  "0:1:grulab: bench: --steps is now --seq-len; $next"
run_cli gradnorm --cell gru --steps 3 --steps=4
is "an old name given twice says so once" "$rc:$(lines):$(printf '%s\n' "$out" | grep -vc '^#')" "0:1:4"

# ---- abbreviations, typos, valid values ---------------------------------
run_cli train --tas text --text "$TMP/t.txt" --bptt 8 --batch 4 --hidden-size 4 --steps 2
is "train --tas text: an abbreviation picks the text task" \
  "$rc:$(printf '%s\n' "$out" | grep -c '^valid bpc ')" "0:1"
fails_with "train --task addition lists every task" 2 \
  "^grulab: train: --task must be one of adding\|copy\|text, got 'addition'$" \
  train --task addition --cell gru --seq-len 5
fails_with "a typo gets the nearest name" 2 \
  "^grulab: train: unknown option '--hiden-size' \(did you mean '--hidden-size'\?\); try 'grulab train --help'$" \
  train --cell gru --seq-len 5 --hiden-size 4
fails_with "a typo of a new name in gradnorm" 2 "did you mean '--seq-len'" \
  gradnorm --cell gru --seqlen 5
fails_with "an ambiguous abbreviation lists what it could be" 2 \
  "option '--s' is ambiguous: it could be --seq-len, --steps, --seed, --save" \
  train --cell gru --s 5
fails_with "an unknown command gets the nearest" 2 \
  "^grulab: unknown command 'trian' \(did you mean 'train'\?\); try 'grulab --help'$" trian
# every cell of the command's own list ("Cells: rnn, gru, ..."), a|b|c
cells_re=$("$GRULAB" --help | sed -n 's/^Cells: //p' | sed 's/, /\\|/g')
fails_with "--cell lists every cell" 2 "^grulab: gradnorm: --cell must be one of $cells_re, got 'mgu2'$" \
  gradnorm --cell mgu2 --seq-len 3

# ---- each task's own options -------------------------------------------
fails_with "--seq-len with --task text names the window's flag" 2 \
  "^grulab: train: --seq-len does not apply to --task text \(adding: --seq-len; copy: --delay; text: --bptt and --text\)$" \
  train --task text --seq-len 5
fails_with "--delay with the adding task" 2 "--delay does not apply to --task adding" \
  train --cell gru --seq-len 5 --delay 3
fails_with "--task copy without --delay" 2 "^grulab: train: --task copy needs --delay T" \
  train --task copy --cell gru
fails_with "--task adding without --seq-len" 2 "^grulab: train: --task adding needs --seq-len T" \
  train --cell gru
fails_with "--text with the adding task" 2 "--text does not apply to --task adding" \
  train --cell gru --seq-len 5 --text "$TMP/t.txt"

# ---- --steps 0 means the same everywhere: refused -------------------------
fails_with "train --steps 0" 2 "^grulab: train: --steps must be between 1 and 100000, got 0$" \
  train --cell gru --seq-len 5 --steps 0
fails_with "train --task text --steps 0" 2 "^grulab: train: --steps must be between 1 and" \
  train --task text --steps 0
for ch in ch08-long-memory ch09-reading-text; do
  "$top_builddir/chapters/$ch" --quick --steps 0 --outdir "$TMP/none" >"$TMP/out" 2>"$TMP/err"; rc=$?
  is "$ch --steps 0: exit 2, one line naming --steps" \
    "$rc:$(grep -c '' "$TMP/err"):$(grep -c -- '--steps must be between 1 and' "$TMP/err")" "2:1:1"
done

# ---- chapters: their old names --------------------------------------------
mkdir "$TMP/c7"
"$top_builddir/chapters/ch07-vanishing" --charts --length 20 >"$TMP/out" 2>"$TMP/err"; rc=$?
is "ch07 --length is --seq-len, with one note" "$rc:$(cat "$TMP/err")" \
  "0:ch07-vanishing: --length is now --seq-len; $next"
"$top_builddir/chapters/ch08-long-memory" --quick --length 1 >"$TMP/out" 2>"$TMP/err"; rc=$?
is "ch08 --length 1: the note, then the error in the new name" \
  "$rc:$(sed -n 2p "$TMP/err")" \
  "2:ch08-long-memory: --seq-len must be between 2 and 100000, got 1 (try --help)"
"$top_builddir/chapters/ch07-vanishing" --quick --seqlen 20 >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a chapter's typo gets the nearest name" "$rc:$(cat "$TMP/err")" \
  "2:ch07-vanishing: unknown option '--seqlen' (did you mean '--seq-len'?) (try --help)"

# ---- one number grammar ---------------------------------------------------
run_cli train --cell gru --seq-len 4 --hidden-size 4 --steps 2 --clip 1e-400
is "1e-400 is a number: it underflows to 0 (clipping off)" \
  "$rc:$(printf '%s\n' "$out" | grep -c ' clip=0 ')" "0:1"
fails_with "0x1p-3 is not a number on the command line" 2 \
  "^grulab: train: --lr needs a finite number, got '0x1p-3'$" \
  train --cell gru --seq-len 4 --lr 0x1p-3
printf 'weight_ih_l0 3 1\n0x1p-3 1 1\n' >"$TMP/hex.params"
fails_with "... nor in a tensor file" 1 "hex.params:2: '0x1p-3' in tensor 'weight_ih_l0' is not a number" \
  forward --cell rnn --params "$TMP/hex.params" --data "$TMP/hex.params"
printf 'weight_ih_l0 1 1\n1e-400\nweight_hh_l0 1 1\n0.5\nbias_ih_l0 1\n0\nbias_hh_l0 1\n0\n' >"$TMP/tiny.params"
printf 'input 1 1 1\n1e-400\n' >"$TMP/tiny.data"
run_cli forward --cell rnn --params "$TMP/tiny.params" --data "$TMP/tiny.data"
is "... where 1e-400 is 0 as well" "$rc:$(printf '%s\n' "$out" | grep -A1 '^output' | tail -1)" "0:0"
done_testing
