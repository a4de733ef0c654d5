# tests/cli/cells.sh -- grulab init, forward, backward and bench.
#
# For every cell: init -> forward -> backward round trip, with the output
# parsed and its names and shapes checked; forward and backward against
# PyTorch's golden vectors (tests/data/golden-*.txt); bench's last line;
# and every error case: exit status, empty stdout, one stderr line that
# names the file, tensor or flag.
. "$top_srcdir/tests/tap.sh"
DATA=$top_srcdir/tests/data
# Every cell, from the command's own list ("Cells: rnn, gru, ..."), so that
# a new cell is tested with no edit here.
CELLS=$("$GRULAB" --help | sed -n 's/^Cells: //p' | tr -d ',')

# ---- helpers ---------------------------------------------------------------

# parse FILE: prints "NAME D1 [D2 [D3]]" per tensor; fails unless every
# header is followed by exactly D1*D2*D3 finite numbers.
parse() {
  awk '
    /^[ \t]*#/ || NF == 0 { next }
    need == 0 {
      if ($1 !~ /^[A-Za-z_][A-Za-z0-9_]*$/ || NF < 2 || NF > 4) { bad = 1; exit }
      need = 1
      for (i = 2; i <= NF; i++) {
        if ($i !~ /^[1-9][0-9]*$/) { bad = 1; exit }
        need *= $i
      }
      print; next
    }
    {
      for (i = 1; i <= NF; i++) {
        if ($i !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/) { bad = 1; exit }
        if (--need < 0) { bad = 1; exit }
      }
    }
    END { if (bad || need != 0) exit 1 }' "$1"
}

# names SHAPES: the tensor names in parse's output, space-separated.
names() { printf '%s\n' "$1" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }'; }

# agree GOT WANT TOL PREFIX "T1 T2 ...": for each tensor T, T in file GOT
# against PREFIX''T in file WANT (PREFIX is '' or 'grad_'): the same dims,
# as many numbers, and max|got - want| <= TOL * max|want| (exactly equal
# when want is all zeros), the relative error rounded to 3 digits.  One
# awk reads both files and checks every tensor.  Sets $fail_names to
# " T(error)" for each tensor that fails and $worst to the largest error.
agree() {
  fail_names=$(awk -v tol="$3" -v prefix="$4" -v names="$5" '
    # Every tensor of both files: dims[F, NAME] = "dims D1 D2..", its
    # numbers x[F, NAME, 1..n[F, NAME]]; F = 1 for GOT, 2 for WANT.
    { f = (FILENAME == ARGV[1]) ? 1 : 2 }
    /^[ \t]*#/ || NF == 0 { next }
    /^[A-Za-z_]/ { t = $1; $1 = "dims"; if (!((f, t) in dims)) dims[f, t] = $0; next }
    { for (i = 1; i <= NF; i++) x[f, t, ++n[f, t]] = $i + 0 }
    END {
      worst = "0"; split(names, want, " ")
      for (j = 1; j in want; j++) {
        g = want[j]; w = prefix g
        gd = ((1, g) in dims) ? dims[1, g] : ""
        wd = ((2, w) in dims) ? dims[2, w] : ""
        if (wd == "" || gd != wd) err = "shape: got \047" gd "\047, want \047" wd "\047"
        else if (n[1, g] != n[2, w]) err = "count: got " n[1, g] + 0 " numbers, want " n[2, w]
        else {
          big = 0; scale = 0
          for (k = 1; k <= n[2, w]; k++) {
            d = x[1, g, k] - x[2, w, k]; if (d < 0) d = -d
            a = x[2, w, k]; if (a < 0) a = -a
            if (d > big) big = d; if (a > scale) scale = a
            if (d "" ~ /nan/) big = d   # d > big is false for a nan: keep it
          }
          err = sprintf("%.3g", scale > 0 ? big / scale : big)
          if (err + 0 > worst + 0) worst = err
          # a number within TOL passes; nan and inf never do
          if (err ~ /^[0-9.e+-]+$/ && err + 0 <= tol + 0) continue
        }
        printf " %s(%s)", g, err
      }
      printf "|%s", worst
    }' "$1" "$2")
  worst=${fail_names##*|}
  fail_names=${fail_names%|*}
}

# gen NAME SEED D1 [D2 [D3]]: a tensor of high-entropy values in (-1.3, 1.3).
gen() {
  name=$1; seed=$2; shift 2
  awk -v name="$name" -v seed="$seed" -v dims="$*" 'BEGIN {
    n = split(dims, d, " "); total = 1
    for (i = 1; i <= n; i++) total *= d[i]
    print name, dims
    s = seed
    for (k = 1; k <= total; k++) {
      s = (s * 1103515245 + 12345) % 2147483648
      printf "%.6f%s", (s / 2147483648) * 2.6 - 1.3, (k % d[n] == 0 ? "\n" : " ")
    }
  }'
}

param_names() {
  case $1 in
    seed) echo "weight_f bias_f weight_i bias_i weight_o bias_o weight_c bias_c" ;;
    *) echo "weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0" ;;
  esac
}
# A cell's gate blocks G, as bench --help lists them ("gru G=3, ...").
BENCH_HELP=$("$GRULAB" bench --help)
gates() { printf '%s\n' "$BENCH_HELP" | tr ",." "\n\n" | sed -n "s/.*[ :]$1 G=\([0-9]*\)\$/\1/p"; }
sorted() { printf '%s\n' $1 | sort | tr '\n' ' '; }
# shape NAME SHAPES: the line of SHAPES (parse's output) for tensor NAME.
shape() { printf '%s\n' "$2" | grep "^$1 "; }
# nwords WORD...: how many words.
nwords() { echo $#; }

# ---- round trip for every cell: init -> forward -> backward ---------------
T=5 B=2 I=3 H=4
# The data tensors, the same for every cell: made once.
INPUT=$(gen input 11 $T $B $I)
H0=$(gen h0 12 $B $H)
GRAD_OUTPUT=$(gen grad_output 13 $T $B $H)
C0=$(gen c0 14 $B $H)
for c in $CELLS; do
  run_cli init --cell "$c" --input-size $I --hidden-size $H --seed 7
  printf '%s\n' "$out" >"$TMP/$c.params"
  params=$out
  is "$c: init exits 0" "$rc" 0
  pshapes=$(parse "$TMP/$c.params"); prc=$?
  got=$(names "$pshapes")
  ok "$c: init output parses" test "$prc" = 0
  is "$c: init writes the cell's parameters" "$(sorted "$got")" "$(sorted "$(param_names "$c")")"
  pnames=$got
  if [ "$c" = seed ]; then
    is "$c: weight_f is (H, H+I)" "$(shape weight_f "$pshapes")" "weight_f $H $((H + I))"
  else
    G=$(gates "$c")
    is "$c: weight_ih_l0 is (G*H, I)" "$(shape weight_ih_l0 "$pshapes")" "weight_ih_l0 $((G * H)) $I"
    is "$c: bias_hh_l0 is (G*H)" "$(shape bias_hh_l0 "$pshapes")" "bias_hh_l0 $((G * H))"
  fi
  # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H)) = U(-0.5, 0.5) for H = 4.
  ok "$c: init values lie in (-1/sqrt(H), 1/sqrt(H))" awk '
    /^[A-Za-z_#]/ || NF == 0 { next }
    { for (i = 1; i <= NF; i++) { if ($i <= -0.5 || $i >= 0.5) exit 1; n++ } }
    END { exit !(n > 0) }' "$TMP/$c.params"
  run_cli init --cell "$c" --input-size $I --hidden-size $H --seed 7
  is "$c: init is deterministic for a seed" "$out" "$params"

  { printf '%s\n' "$INPUT" "$H0" "$GRAD_OUTPUT"
    [ "$c" = lstm ] && printf '%s\n' "$C0"; } >"$TMP/$c.data"

  run_cli forward --cell "$c" --params "$TMP/$c.params" --data "$TMP/$c.data"
  printf '%s\n' "$out" >"$TMP/$c.fwd"
  is "$c: forward exits 0" "$rc" 0
  want="output $T $B $H/h_n $B $H"
  [ "$c" = lstm ] && want="$want/c_n $B $H"
  is "$c: forward prints output, h_n$([ "$c" = lstm ] && echo ', c_n')" \
    "$(parse "$TMP/$c.fwd" | tr '\n' '/' | sed 's,/$,,')" "$want"

  run_cli backward --cell "$c" --params "$TMP/$c.params" --data "$TMP/$c.data"
  printf '%s\n' "$out" >"$TMP/$c.bwd"
  is "$c: backward exits 0" "$rc" 0
  want="$pnames input h0"
  [ "$c" = lstm ] && want="$want c0"
  bshapes=$(parse "$TMP/$c.bwd")
  is "$c: backward names: parameters, input, h0$([ "$c" = lstm ] && echo ', c0')" \
    "$(names "$bshapes")" "$want"
  is "$c: each gradient has its parameter's shape" \
    "$(printf '%s\n' "$bshapes" | head -n "$(nwords $pnames)")" "$pshapes"
  is "$c: backward's input and h0 have their shapes" \
    "$(printf '%s\n' "$bshapes" | grep -E '^(input|h0) ')" "$(printf 'input %s %s %s\nh0 %s %s' $T $B $I $B $H)"

  # h0 and c0 are optional: without them the states start at zero.
  printf '%s\n' "$INPUT" >"$TMP/$c.data0"
  run_cli forward --cell "$c" --params "$TMP/$c.params" --data "$TMP/$c.data0"
  is "$c: forward without h0 exits 0" "$rc" 0

  run_cli bench --cell "$c" --input-size $I --hidden-size $H --batch $B --seq-len $T --iters 3
  last=$(printf '%s\n' "$out" | tail -n 1)
  ok "$c: bench's last line: $last" eval 'test "$rc" = 0 && printf "%s\n" "$last" | grep -Eq "^bench cell=$c T=$T B=$B I=$I H=$H median_ms=[0-9.]+ gflops=[0-9.]+\$"'
done

# ---- against PyTorch: the golden vectors ------------------------------------
for f in "$DATA"/golden-*.txt; do
  base=${f##*/}; base=${base%.txt}; tag=${base#golden-}
  # dropout's vectors need its masks, which the command line does not take
  # (tests/lib/golden-dropout loads them); golden-CELL-...L2: two layers
  case $base in golden-dropout-*) continue ;; esac
  c=${tag%-T*}
  c_n=; c0=; [ "$c" = lstm ] && c_n=c_n c0=c0
  run_cli forward --cell "$c" --params "$f" --data "$f"
  printf '%s\n' "$out" >"$TMP/g.fwd"
  agree "$TMP/g.fwd" "$f" 1e-12 "" "output h_n $c_n"
  is "$tag: forward agrees with torch to 1e-12 (worst $worst, rc $rc)" "$rc${fail_names}" 0

  run_cli backward --cell "$c" --params "$f" --data "$f"
  printf '%s\n' "$out" >"$TMP/g.bwd"
  agree "$TMP/g.bwd" "$f" 1e-10 grad_ "$(param_names "$c") input h0 $c0"
  is "$tag: backward agrees with torch to 1e-10 (worst $worst, rc $rc)" "$rc${fail_names}" 0
done

# ---- errors: nothing on stdout, one line on stderr -------------------------
P=$TMP/gru.params
D=$TMP/gru.data
# The file's record names its cell: both sides in one line.
fails_with "forward: lstm with a gru parameter file" 1 "gru.params:1: the record says cell=gru, but cell lstm was asked for" \
  forward --cell lstm --params "$P" --data "$D"
fails_with "forward: gru-cho with a gru parameter file (same shapes)" 1 "gru.params:1: the record says cell=gru, but cell gru-cho was asked for" \
  forward --cell gru-cho --params "$P" --data "$D"
fails_with "forward: gru with a seed parameter file" 1 "seed.params:1: the record says cell=seed, but cell gru was asked for" \
  forward --cell gru --params "$TMP/seed.params" --data "$D"
# Files without the record (older grulab, torch): the tensors give it away.
for c in gru seed; do grep -v '^# grulab-model' "$TMP/$c.params" >"$TMP/$c.old"; done
fails_with "forward: lstm with an old gru parameter file" 1 "gru.old.*weight_hh_l0" \
  forward --cell lstm --params "$TMP/gru.old" --data "$D"
fails_with "forward: rnn with an old gru parameter file" 1 "gru.old.*weight_hh_l0" \
  forward --cell rnn --params "$TMP/gru.old" --data "$D"
fails_with "forward: gru with an old seed parameter file" 1 "seed.old.*'weight_hh_l0'" \
  forward --cell gru --params "$TMP/seed.old" --data "$D"
fails_with "backward: seed with an old gru parameter file" 1 "gru.old.*'weight_f'" \
  backward --cell seed --params "$TMP/gru.old" --data "$D"

# A parameter tensor with the wrong shape among the right ones.
awk '/^bias_hh_l0/ { print "bias_hh_l0 11"; getline; $12 = ""; print; next } { print }' \
  "$P" >"$TMP/badbias.params"
fails_with "forward: bias_hh_l0 of the wrong size" 1 "badbias.params.*bias_hh_l0" \
  forward --cell gru --params "$TMP/badbias.params" --data "$D"
awk '/^bias_ih_l0/ { skip = 1; next } skip && /^[A-Za-z_]/ { skip = 0 } !skip { print }' \
  "$P" >"$TMP/nobias.params"
fails_with "forward: a parameter tensor missing" 1 "nobias.params.*bias_ih_l0" \
  forward --cell gru --params "$TMP/nobias.params" --data "$D"

{ gen input 11 $T $B 2; printf '%s\n' "$H0"; } >"$TMP/i2.data"
fails_with "forward: input size 2 against parameters with I=3" 1 "i2.data.*'input'" \
  forward --cell gru --params "$P" --data "$TMP/i2.data"
{ gen input 11 $B $I; } >"$TMP/flat.data"
fails_with "forward: input with 2 dimensions, its shape as written" 1 \
  "flat.data:1: tensor 'input' has shape ${B}x${I}, expected T x B x $I" \
  forward --cell gru --params "$P" --data "$TMP/flat.data"
{ echo "input $T $B $I # T, B, I"; printf '%s\n' "$INPUT" | sed 1d; } >"$TMP/trail.data"
fails_with "forward: a comment after a header is not a dimension" 1 \
  "trail.data:1: .*'#' .*comments must be on their own line" \
  forward --cell gru --params "$P" --data "$TMP/trail.data"
{ printf '%s\n' "$INPUT"; gen c0 12 $B $H; } >"$TMP/c0gru.data"
c0line=$(grep -n '^c0 ' "$TMP/c0gru.data" | cut -d: -f1)
fails_with "forward: c0 for the gru cell is refused, not ignored" 1 \
  "c0gru.data:$c0line: tensor 'c0' is only for the lstm cell" \
  forward --cell gru --params "$P" --data "$TMP/c0gru.data"
{ printf '%s\n' "$INPUT"; gen c0 12 $B $H; printf '%s\n' "$GRAD_OUTPUT"; } >"$TMP/c0gru2.data"
fails_with "backward: c0 for the gru cell is refused" 1 \
  "c0gru2.data:$c0line: tensor 'c0' is only for the lstm cell" \
  backward --cell gru --params "$P" --data "$TMP/c0gru2.data"
{ printf '%s\n' "$INPUT"; gen h0 12 3 $H; } >"$TMP/h0b.data"
fails_with "forward: h0 batch 3 against input batch 2" 1 "h0b.data.*'h0'" \
  forward --cell gru --params "$P" --data "$TMP/h0b.data"
{ printf '%s\n' "$INPUT"; gen h0 12 $B 5; } >"$TMP/h0h.data"
fails_with "forward: h0 with H=5 against H=4" 1 "h0h.data.*'h0'" \
  forward --cell gru --params "$P" --data "$TMP/h0h.data"
{ printf '%s\n' "$INPUT"; gen c0 12 $B 3; } >"$TMP/c0.data"
fails_with "forward: lstm c0 of the wrong shape" 1 "c0.data.*'c0'" \
  forward --cell lstm --params "$TMP/lstm.params" --data "$TMP/c0.data"
{ printf '%s\n' "$H0"; } >"$TMP/noinput.data"
fails_with "forward: no input tensor" 1 "noinput.data.*'input'" \
  forward --cell gru --params "$P" --data "$TMP/noinput.data"
{ printf '%s\n' "$INPUT"; } >"$TMP/nogo.data"
fails_with "backward: no grad_output tensor" 1 "nogo.data.*'grad_output'" \
  backward --cell gru --params "$P" --data "$TMP/nogo.data"
{ printf '%s\n' "$INPUT"; gen grad_output 13 $T $B 3; } >"$TMP/go.data"
fails_with "backward: grad_output of the wrong shape" 1 "go.data.*'grad_output'" \
  backward --cell gru --params "$P" --data "$TMP/go.data"
{ printf '%s\n' "$INPUT"; gen grad_output 13 4 $B $H; } >"$TMP/goT.data"
fails_with "backward: grad_output with T=4 against input T=5" 1 "goT.data.*'grad_output'" \
  backward --cell gru --params "$P" --data "$TMP/goT.data"
printf 'input 1 1 3\n0.25 abc 1.5\n' >"$TMP/nan.data"
fails_with "forward: a non-numeric token" 1 "nan.data:2" \
  forward --cell gru --params "$P" --data "$TMP/nan.data"
fails_with "forward: a missing params file" 1 "nonexistent.params" \
  forward --cell gru --params "$TMP/nonexistent.params" --data "$D"
fails_with "forward: a missing data file" 1 "nonexistent.data" \
  forward --cell gru --params "$P" --data "$TMP/nonexistent.data"

for v in 0 -3 abc 4x '' ' 4' +4 100001; do
  fails_with "init: --hidden-size '$v'" 2 "--hidden-size" \
    init --cell gru --input-size 3 --hidden-size "$v"
done
fails_with "init: --input-size 0" 2 "--input-size" init --cell gru --input-size 0 --hidden-size 4
# bench --peak: a square dgemm line (n = cbrt(G*H * T*B * max(I, H)), here
# cbrt(12*20*5) = 11 -> the floor 16) naming its kernels, and the bench
# line's efficiency is its own GFLOP/s over the dgemm's, to the digits
# printed (a slow run, e.g. under valgrind, prints gflops=0.002: the check
# allows each printed number's rounding, half a unit of its last digit).
# Where the kernels are below the CPU's best (under valgrind grulab does
# not re-run itself to fix them), the peak line says so and there is no
# efficiency: a peak on lesser kernels is not the machine's.
run_cli bench --cell gru --input-size 5 --hidden-size 4 --batch 4 --seq-len 5 --iters 3 --peak
pline=$(printf '%s\n' "$out" | grep '^peak dgemm ')
pk=$(printf '%s\n' "$pline" | sed -n 's/^peak dgemm n=16 best_ms=[0-9.]* gflops=\([0-9.]*\) kernels=[A-Za-z0-9]*\( below_best=[A-Za-z0-9]*\)\{0,1\}$/\1/p')
gf=$(printf '%s\n' "$out" | tail -n 1 | sed -n 's/^bench cell=gru .* gflops=\([0-9.]*\).*$/\1/p')
eff=$(printf '%s\n' "$out" | tail -n 1 | sed -n 's/.* efficiency=\([0-9.]*\)$/\1/p')
case $pline in
  *below_best=*)
    ok "bench --peak on kernels below the CPU's best: no efficiency ($pline)" \
      eval 'test "$rc" = 0 && test -n "$pk" && test -n "$gf" && test -z "$eff"' ;;
  *)
    ok "bench --peak: a 'peak dgemm n=16' line, and efficiency = gflops / peak ($gf / $pk = $eff)" \
      eval 'test "$rc" = 0 && test -n "$pk" && test -n "$gf" && test -n "$eff" && awk -v g="$gf" -v p="$pk" -v e="$eff" -f "$top_srcdir/tests/cli/ratio-check.awk"' ;;
esac
fails_with "bench: --hidden-size -1" 2 "--hidden-size" \
  bench --cell gru --input-size 3 --hidden-size -1 --batch 2 --seq-len 5
fails_with "bench: --iters 0" 2 "--iters" \
  bench --cell gru --input-size 3 --hidden-size 4 --batch 2 --seq-len 5 --iters 0
fails_with "init: --seed x" 2 "--seed" init --cell gru --input-size 3 --hidden-size 4 --seed x
# strtoul skips blanks and wraps '-1' to 2^64-1: the first character must be a digit.
for v in ' -1' ' 7' '+7' '-0'; do
  fails_with "init: --seed '$v'" 2 "--seed needs a non-negative integer, got '.{0,2}[0-9]'" \
    init --cell gru --input-size 3 --hidden-size 4 --seed "$v"
done
fails_with "init: --hidden-size above the library's limit is a usage error" 2 \
  "--hidden-size must be between 1 and 100000, got 200000" \
  init --cell gru --input-size 3 --hidden-size 200000
fails_with "init: --input-size above the limit" 2 "--input-size must be between 1 and 100000" \
  init --cell gru --input-size 100001 --hidden-size 4
# Documented in --help: GSL's mt19937 takes seed 0 as its default seed 4357.
run_cli init --cell gru --input-size 3 --hidden-size 4 --seed 0
s0=$out
run_cli init --cell gru --input-size 3 --hidden-size 4 --seed 4357
is "init: --seed 0 is --seed 4357 (GSL's mt19937), as --help says" "$s0" "$out"
run_cli init --help
ok "init --help says that seed 0 is 4357" eval 'printf "%s\n" "$out" | grep -q "seed 0 as 4357"'
fails_with "init: no --cell" 2 "--cell" init --input-size 3 --hidden-size 4
fails_with "init: no --hidden-size" 2 "--hidden-size" init --cell gru --input-size 3
fails_with "init: unknown cell" 2 "--cell.*'gruu'" init --cell gruu --input-size 3 --hidden-size 4
fails_with "forward: no --params" 2 "--params" forward --cell gru --data "$D"
fails_with "forward: no --data" 2 "--data" forward --cell gru --params "$P"
run_cli backward --params "$P" --data "$D"
ok "backward: no --cell: the file's record names it (rc $rc)" test "$rc" = 0 -a -z "$err"
fails_with "bench: no --seq-len" 2 "--seq-len" bench --cell gru --input-size 3 --hidden-size 4 --batch 2
fails_with "bench: no --batch" 2 "--batch" bench --cell gru --input-size 3 --hidden-size 4 --seq-len 5
fails_with "forward: unknown flag" 2 "--frobnicate" forward --cell gru --frobnicate --params "$P" --data "$D"
fails_with "forward: --params without a value" 2 "--params" forward --cell gru --data "$D" --params
fails_with "forward: a stray argument" 2 "stray" forward --cell gru --params "$P" --data "$D" stray

# ---- --help ------------------------------------------------------------------
for cmd in init forward backward bench; do
  run_cli $cmd --help
  ok "$cmd --help exits 0 and prints its usage" eval 'test "$rc" = 0 && printf "%s\n" "$out" | grep -q "^Usage: grulab $cmd "'
done
run_cli bench --help
ok "bench --help states the flop formula" eval 'printf "%s\n" "$out" | grep -qF "6*T*B*G*H*(I+H)"'

plan "$tap_n"
done_testing
