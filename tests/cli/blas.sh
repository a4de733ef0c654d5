# tests/cli/blas.sh -- which BLAS kernels grulab runs (src/app/grl_blascore.h).
# Where OpenBLAS picks kernels of a lower family than the CPU runs (SSE
# "Prescott" on a CPU with AVX2, AVX2 "Haswell"/"Zen" on one with
# AVX-512), grulab runs itself again with OPENBLAS_CORETYPE set.  What
# each machine does differs, so the test checks the rule, not one
# machine's answer: a user's OPENBLAS_CORETYPE always stands; OpenBLAS's
# choice is kept only where the CPU runs nothing better; when grulab says
# it chose, its kernels are the CPU's best and a run repeats bit for bit;
# and the re-run process keeps its arguments, stdin, exit status and name.
. "$top_srcdir/tests/tap.sh"

version=$("$GRULAB" --version) || version=
case $version in
  *"BLAS: openblas"*) ;;
  *) echo "1..0 # SKIP the BLAS is not OpenBLAS: grulab chooses no kernels"; exit 0 ;;
esac
plan 8

kern=$(printf '%s\n' "$version" | sed -n 's/^BLAS kernels: //p')
ok "--version names the kernels OpenBLAS runs" test -n "$kern"

# The CPU's best family, from /proc/cpuinfo (the rule grulab applies with
# the compiler's CPU checks), and the family of a kernel name.
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
if has avx512f && has avx512dq && has avx512bw && has avx512vl; then best=SkylakeX
elif has avx2 && has fma; then best=Haswell
else best=; fi
family() {
  case $1 in
    SkylakeX|Cooperlake|SapphireRapids) echo 4 ;;
    Haswell|Zen) echo 3 ;;
    Sandybridge|Bulldozer|Piledriver|Steamroller|Excavator) echo 2 ;;
    *) echo 1 ;;
  esac
}
core=${kern%% *}
case $kern in
  *"(set by grulab"*)
    is "grulab chose the CPU's best kernels ($kern)" "$core" "$best" ;;
  *)
    ok "OpenBLAS's kernels ($core) are kept only where the CPU runs nothing better (${best:-none})" \
      test "$(family "$core")" -ge "$(family "${best:-Prescott}")" ;;
esac

user=$(OPENBLAS_CORETYPE=Prescott "$GRULAB" --version | sed -n 's/^BLAS kernels: //p')
is "OPENBLAS_CORETYPE=Prescott stands: no re-run" "$user" "Prescott"

bench() {
  "$GRULAB" bench --cell gru --batch 4 --hidden-size 8 --input-size 3 \
    --seq-len 5 --iters 3 2>&1 | sed -n 's/.* core=\([^ ]*\).*/\1/p'
}
b=$(bench)
case $kern in
  *"(set by grulab"*) want="${kern%% *}(set-by-grulab)" ;;
  *) want=${kern%% *} ;;
esac
is "bench's header names the same kernels" "$b" "$want"

# The re-run keeps arguments and stdin, and its exit status is the program's.
run_cli init --cell gru --input-size 3 --hidden-size 4 --seed 11
is "init runs (exit 0)" "$rc" 0
printf '%s\n' "$out" >"$TMP/a.txt"
"$GRULAB" init --cell gru --input-size 3 --hidden-size 4 --seed 11 >"$TMP/b.txt" 2>/dev/null
ok "the same seed gives the same bytes twice" cmp -s "$TMP/a.txt" "$TMP/b.txt"
fails_with "a usage error keeps its status through the re-run" 2 "unknown command" no-such-command

# ...and its name: `ps` and `top` show "grulab", not the "exe" of the
# /proc/self/exe link the program reads its own file's name from.
case $kern in
  *"(set by grulab"*)
    bg_start grulab "$GRULAB" train --task adding --cell gru --seq-len 20 \
      --hidden-size 16 --seed 5 --steps 100000
    if bg_catches 2; then comm=$(cat "/proc/$pid/comm"); else comm="(not seen)"; fi
    bg_signal KILL; wait "$pid"
    case $comm in grulab|lt-grulab) ok=yes ;; *) ok=no ;; esac
    is "the re-run process is still called grulab (ps shows: $comm)" "$ok" yes ;;
  *)
    tap_n=$((tap_n + 1))
    echo "ok $tap_n # SKIP grulab did not re-run itself here" ;;
esac
done_testing
