#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# po-check.sh SOURCE_ROOT
# Fails when a file with translatable strings is missing from po/POTFILES.in, or
# when a translation lacks a string of the sources, or has untranslated or fuzzy
# entries. Many of Hangar's users read Spanish first: es.po must stay complete.
set -eu
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

for tool in xgettext msgcmp msgfmt; do
  command -v $tool >/dev/null || { echo "$tool is not installed: install the Debian package 'gettext'" >&2; exit 1; }
done

# 1. Every file that marks strings is listed.
grep -v '^#' "$top/po/POTFILES.in" | sed '/^$/d' | sort >"$tmp/listed"
(cd "$top" && grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext) ?\(|translatable="yes"' \
   --include='*.c' --include='*.h' --include='*.ui' src hv-core ui 2>/dev/null;
 ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml) | sort -u >"$tmp/marked"
missing=$(comm -13 "$tmp/listed" "$tmp/marked")
if [ -n "$missing" ]; then
  echo "these files have strings for translation but are not in po/POTFILES.in:" >&2
  echo "$missing" >&2
  status=1
fi

# 2. The template as the sources make it now.
(cd "$top" && xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ \
   --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
   --files-from="$tmp/listed" --output="$tmp/hangar.pot") || exit 1

for po in "$top"/po/*.po; do
  lang=$(basename "$po" .po)
  # msgcmp: every msgid of the sources has an entry in the translation.
  if ! msgcmp --use-untranslated "$po" "$tmp/hangar.pot" 2>"$tmp/cmp"; then
    echo "po/$lang.po lacks strings that the sources have (run: msgmerge --update po/$lang.po <new template>):" >&2
    cat "$tmp/cmp" >&2
    status=1
  fi
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || { echo "$stats" >&2; status=1; }
  echo "po/$lang.po: $stats"
  case $stats in
    *untranslated*|*fuzzy*)
      echo "po/$lang.po has untranslated or fuzzy entries" >&2
      status=1 ;;
  esac
done
exit $status
