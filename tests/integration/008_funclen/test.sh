#!/bin/bash
# 008_funclen -- scripts/funclen.sh passes on the tree and fails, naming
# file:line and the function, on a copy of the tree where a function on the
# query path is too long; braces in strings and comments do not count, and
# functions off the query path (a policy's compile step) are not checked.
. "$(dirname "$0")/../lib/lib.sh"

# funclen ROOT [MAX]: run the script, leaving its output in $out and exit code in $rc.
funclen() { out=$("$STEER_SRC/scripts/funclen.sh" "$@" 2>&1); rc=$?; }

funclen "$STEER_SRC"
expect_eq "funclen passes on the tree" "$rc" 0
expect_match "funclen summary" "$out" "none longer than 60 lines"

# Only server/ is on the query path, so only it is copied.
copy=$T/tree
mkdir -p "$copy" && cp -r "$STEER_SRC/server" "$copy/"
# A 62-line function in the answer folder: signature, 59 body lines, brace.
{
	echo
	echo 'static int too_long(int x)'
	echo '{'
	echo '	const char *s = "}}} not the end {";  /* } nor this */'
	echo "	char c = '}';"
	for i in $(seq 1 56); do echo "	x += $i; // }"; done
	echo '	return x + c + (s != 0);'
	echo '}'
} >> "$copy/server/answer/answer.c"
line=$(($(wc -l < "$STEER_SRC/server/answer/answer.c") + 2))
# A long function that is not a _choose function in a policy: not checked.
{
	echo 'static int long_compile(int x)'
	echo '{'
	for i in $(seq 1 70); do echo "	x += $i;"; done
	echo '	return x;'
	echo '}'
} >> "$copy/server/steer/policy/failover.c"
funclen "$copy"
expect_eq "a long function fails" "$rc" 1
expect_match "names file, line and function" "$out" "server/answer/answer.c:$line: too_long\(\) is 62 lines \(max 60\)"
expect_match "counts one" "$out" 'funclen: 1 functions on the query path are longer than 60'
case "$out" in *long_compile*) fail "a policy's compile function was checked" ;; *) pass "policy compile functions are off the query path" ;; esac

# A function exactly at the limit passes.
funclen "$copy" 62
expect_eq "62 lines pass with MAX 62" "$rc" 0
finish
