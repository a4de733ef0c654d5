#!/bin/sh
# mutant.sh SRCDIR PATCH OUT -- a mutant's source: the solution its patch
# names (its "--- lab/solutions/NN-x.c" line), patched, behind the
# renames of grader/mutant.h.  Fails if the patch does not apply or
# changes nothing.
set -e
srcdir=$1 patchfile=$2 out=$3
id=$(basename "$patchfile" .patch)
lab=$(printf '%s\n' "$id" | sed -n 's/^0*\([1-7]\)-.*/\1/p')
sol=$(sed -n 's/^--- \(lab\/solutions\/[^ 	]*\.c\).*/\1/p' "$patchfile" | head -n 1)
if [ -z "$lab" ] || [ -z "$sol" ]; then
  echo "$patchfile: the name must be NN-what.patch and the patch must name lab/solutions/NN-x.c" >&2
  exit 1
fi
prefix=m$(printf '%s\n' "$id" | tr -c 'A-Za-z0-9\n' '_')_
tmp=$out.tmp
rm -f "$tmp" "$tmp.c"
patch -s -o "$tmp.c" "$srcdir/$sol" <"$patchfile" >"$tmp.log" 2>&1 || {
  cat "$tmp.log" >&2
  echo "$patchfile does not apply to $sol" >&2
  rm -f "$tmp.c" "$tmp.log"
  exit 1
}
rm -f "$tmp.log"
if cmp -s "$tmp.c" "$srcdir/$sol"; then
  echo "$patchfile changes nothing in $sol" >&2
  rm -f "$tmp.c"
  exit 1
fi
{
  echo "/* generated from $patchfile and $sol by lab/tools/mutant.sh */"
  echo "#define LAB_MUTANT_LAB $lab"
  echo "#define LAB_MUTANT_PREFIX $prefix"
  echo '#include "mutant.h"'
  echo "#line 1 \"$sol ($id)\""
  cat "$tmp.c"
} >"$tmp"
rm -f "$tmp.c"
mv "$tmp" "$out"
