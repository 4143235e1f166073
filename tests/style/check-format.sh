#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-format.sh SOURCE_ROOT
# Fails, listing the files and the first differences, when a C source is not
# formatted as the committed .clang-format says.
set -eu
top=$1
command -v clang-format >/dev/null ||
  { echo "clang-format is not installed: install the Debian package 'clang-format'" >&2; exit 1; }

cd "$top"
files=$(find src hv-core tests bench -name '*.[ch]' -not -path '*/acpi/*.c' 2>/dev/null | sort)
[ -n "$files" ] || { echo "no C sources found under $top" >&2; exit 1; }

status=0
count=0
for f in $files; do
  count=$((count + 1))
  if ! clang-format --style=file "$f" | diff -u "$f" - >/tmp/hangar-format.$$ 2>&1; then
    echo "$f is not formatted (run: clang-format -i $f):" >&2
    head -20 /tmp/hangar-format.$$ >&2
    status=1
  fi
done
rm -f /tmp/hangar-format.$$
echo "checked $count C files"
exit $status
