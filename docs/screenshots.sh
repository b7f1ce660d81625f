#!/usr/bin/env bash
# Regenerates docs/report-*.png, one screenshot per section of report.html, from the test
# fixtures (tests/fixtures/report/): needs Debian's chromium. Run from the repository root:
#   bash docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test report_html -- --ignored doc_pages >/dev/null
pages=target/doc-pages
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# section id, fixture, window height (px)
shoot() {
  local id=$1 fixture=$2 height=$3
  local page="$pages/$fixture-$id.html"
  # Show only the one section.
  sed "s|</style>|section{display:none}h1,nav{display:none}#$id{display:block}</style>|" \
    "$pages/$fixture.html" >"$page"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" --window-size="1040,$height" \
    --screenshot="docs/report-$id.png" "file://$PWD/$page" 2>/dev/null
}

shoot summary iris-heldout 330
shoot history iris-heldout 470
shoot curves iris-heldout 700
shoot slices iris-heldout 1000
shoot parallel iris-heldout 480
shoot importance iris-heldout 560
shoot rungs halving 420
shoot heldout iris-heldout 420
shoot ranking iris-heldout 560
