#!/usr/bin/env bash
# Lighthouse (mobile) scores of the main pages, against a running server (default: make run).
# Needs Node.js and Debian's chromium; Lighthouse itself is installed into a scratch folder.
#   bench/lighthouse.sh [BASE_URL] [PATH ...]
set -euo pipefail
base=${1:-http://127.0.0.1:8000}
shift || true
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/ /questions/ /people/)
tools=${LIGHTHOUSE_DIR:-/tmp/vmeste-lighthouse}
mkdir -p "$tools"
[ -x "$tools/node_modules/.bin/lighthouse" ] || npm install --silent --prefix "$tools" lighthouse@12
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
flags="$flags --disable-background-networking --disable-component-update --disable-sync"
for path in "${paths[@]}"; do
  CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} "$tools/node_modules/.bin/lighthouse" \
    "$base$path" --quiet --chrome-flags="$flags" --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$tools/report.json"
  python3 - "$path" "$tools/report.json" <<'PY'
import json, sys
path, report = sys.argv[1], json.load(open(sys.argv[2]))
scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
print(f"| {path} | " + " | ".join(str(scores[k]) for k in ("performance", "accessibility", "best-practices", "seo")) + " |")
PY
done
