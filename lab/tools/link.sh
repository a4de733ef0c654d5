#!/bin/sh
# link.sh SCRIPT LIBTOOL-LINK... -- writes SCRIPT, which links a lab
# grader from the lab files' objects:
#   sh SCRIPT GRADER OBJ...
# LIBTOOL-LINK is libtool's command for it, in words, with @OUT@ for the
# grader and @OBJS@ for the objects (lab/local.mk).  libtool is asked
# once, with --dry-run, what it would run: when that is one command, the
# compiler's, which writes the grader itself (libgrulab linked in
# statically, as AM_LDFLAGS asks), SCRIPT runs that command and no
# libtool (whose shell costs more than the link); else SCRIPT runs
# libtool.  SCRIPT is written only when its text changes.
set -e
script=$1
shift

# cmd: the words, quoted for the shell, @OUT@ and @OBJS@ replaced,
# --silent before --mode=link; and the words again, with --dry-run
# there in its place, to run
cmd=
q() {
  case $1 in
  @OUT@) cmd="$cmd \"\$out\"" ;;
  @OBJS@) cmd="$cmd \"\$@\"" ;;
  *\'*) cmd="$cmd '$(printf '%s\n' "$1" | sed "s/'/'\\\\''/g")'" ;;
  *) cmd="$cmd '$1'" ;;
  esac
}
n=$#
for w do
  if [ "$w" = --mode=link ]; then cmd="$cmd --silent"; set -- "$@" --dry-run; fi
  q "$w"
  set -- "$@" "$w"
done
shift $n
dry=$("$@" 2>/dev/null) || dry=
nl='
'
case $dry in
*"$nl"*) ;;
"libtool: link: "*" -o @OUT@ @OBJS@ "*)
  cmd=$(printf '%s\n' "$dry" |
        sed 's/^libtool: link: //; s/ -o @OUT@ @OBJS@ / -o "$out" "$@" /') ;;
esac
{
  echo "# $script GRADER OBJ...: a lab grader linked (lab/tools/link.sh wrote this)"
  echo 'out=$1'
  echo 'shift'
  echo "exec $cmd"
} >"$script.tmp"
if cmp -s "$script.tmp" "$script"; then rm -f "$script.tmp"
else mv "$script.tmp" "$script"; fi
