#!/bin/sh
# refresh-mutants.sh [PATCH...] -- after an edit of a solution, rewrite the
# mutants' patches (default: all of lab/mutants/*.patch) against the
# solution as it now is: each patch is applied (patch tolerates moved
# lines), then diffed again, its card kept.  Run from the top of the tree;
# a patch that no longer applies is reported and left as it was.
set -u
[ $# -gt 0 ] || set -- lab/mutants/*.patch
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
for p in "$@"; do
  sol=$(sed -n 's/^--- \(lab\/solutions\/[^ 	]*\.c\).*/\1/p' "$p" | head -n 1)
  if ! patch -s -o "$tmp/m.c" "$sol" <"$p" >"$tmp/log" 2>&1; then
    echo "$p: does not apply to $sol:" >&2
    cat "$tmp/log" >&2
    status=1
    continue
  fi
  sed '/^--- /,$d' "$p" >"$tmp/new"
  diff -u --label "$sol" --label "$sol" "$sol" "$tmp/m.c" >>"$tmp/new"
  cmp -s "$tmp/new" "$p" || { cp "$tmp/new" "$p"; echo "refreshed $p"; }
  rm -f "$tmp/m.c" "$tmp/m.c.orig" "$tmp/m.c.rej"
done
exit $status
