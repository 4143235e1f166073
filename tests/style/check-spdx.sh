#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-spdx.sh SOURCE_ROOT
# Every source, build and script file carries an SPDX licence line near its top.
set -eu
cd "$1"
status=0
count=0
for f in $(find . -path '*/data/xml' -prune -o -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o \
           -type f \( -name '*.[chS]' -o -name '*.sh' -o -name 'meson.build' -o -name '*.ui' \
           -o -name '*.xml' -o -name '*.xml.in' -o -name '*.asl' -o -name '*.ld' -o -name '*.svg' \
           -o -name '*.css' -o -path './tools/dev' -o -path './.ci/run' -o -path './bench/*' \) -print | sort); do
  count=$((count + 1))
  if ! head -n 5 "$f" | grep -qE 'SPDX-License-Identifier: (GPL-3.0-or-later|CC0-1.0)'; then
    echo "$f has no SPDX-License-Identifier line in its first 5 lines" >&2
    status=1
  fi
done
echo "checked $count files"
exit $status
