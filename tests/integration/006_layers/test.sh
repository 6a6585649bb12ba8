#!/bin/bash
# 006_layers -- scripts/layers.sh passes on the tree and fails, naming
# file:line, on a copy of the tree with includes that point up the layering.
. "$(dirname "$0")/../lib/lib.sh"

out=$("$STEER_SRC/scripts/layers.sh" 2>&1); rc=$?
expect_eq "layers pass on the tree" "$rc" 0
expect_match "layers summary" "$out" "every include points down"

copy=$T/tree
mkdir -p "$copy"
cp -r "$STEER_SRC/common" "$STEER_SRC/geoip" "$STEER_SRC/server" "$STEER_SRC/healthd" "$STEER_SRC/cli" "$copy/"
# wire/ is the lowest server layer: it must not see the answer layer.
sed -i '0,/#include "server\/wire\/query.h"/s||#include "server/wire/query.h"\n#include "server/answer/answer.h"|' \
	"$copy/server/wire/query.c"
# healthd must not see the server at all.
echo '#include "server/zone/zone.h"' >> "$copy/healthd/target.c"
out=$("$STEER_SRC/scripts/layers.sh" "$copy" 2>&1); rc=$?
expect_eq "upward include fails" "$rc" 1
expect_match "names the file and line" "$out" 'server/wire/query.c:4: includes "server/answer/answer.h" from a later layer'
expect_match "healthd rule" "$out" 'healthd/target.c:[0-9]*: healthd may include only common/'
expect_match "counts both" "$out" 'layers: 2 includes point up'
finish
