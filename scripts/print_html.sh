#!/usr/bin/env bash
# Print an HTML summary to PDF with headless Chromium, the way a person would print it from a
# browser, and optionally render the pages to PNG to look at them.
#
#   scripts/print_html.sh SUMMARY.html OUT.pdf [A4|Letter] [PNG_PREFIX]
#
# The summary's CSS leaves the paper size to the browser (@page size: auto); to check both A4 and
# Letter this script adds one @page size rule to a temporary copy. Needs: chromium (Debian:
# apt-get install -y chromium) and, for PNGs, pdftoppm (apt-get install -y poppler-utils).
# Chromium runs with networking-related features off and a throw-away profile.
set -euo pipefail
html=${1:?usage: print_html.sh SUMMARY.html OUT.pdf [A4|Letter] [PNG_PREFIX]}
out=${2:?usage: print_html.sh SUMMARY.html OUT.pdf [A4|Letter] [PNG_PREFIX]}
paper=${3:-Letter}
png=${4:-}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "print_html.sh: chromium not found (apt-get install -y chromium)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$paper" in
  A4|a4) size="A4" ;;
  Letter|letter) size="letter" ;;
  *) echo "print_html.sh: paper must be A4 or Letter" >&2; exit 2 ;;
esac
# Insert the paper size just before </head> of a copy (the original file is not changed).
sed "s#</head>#<style>@page { size: $size; }</style></head>#" "$html" > "$work/page.html"

"$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --disable-extensions --user-data-dir="$work/profile" \
  --no-pdf-header-footer --print-to-pdf="$out" "file://$work/page.html" >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; exit 1; }
[ -s "$out" ] || { cat "$work/log" >&2; echo "print_html.sh: no PDF written" >&2; exit 1; }
pages=$(pdfinfo "$out" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)
echo "$out: ${pages:-?} page(s), $paper"
if [ -n "$png" ]; then
  pdftoppm -r 60 -png "$out" "$png"
  ls "$png"*.png
fi
