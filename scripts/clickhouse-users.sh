#!/usr/bin/env bash
# Writes deploy/clickhouse/users.d/rapport-users.xml (or $1) with the SHA-256 hashes of the passwords in
# RAPPORT_CH_INGEST_PASSWORD and RAPPORT_CH_DASHBOARD_PASSWORD. The clear passwords are never written.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$SCRIPT_DIR/../deploy/clickhouse/users.d/rapport-users.xml"
out="${1:-$src}"
: "${RAPPORT_CH_INGEST_PASSWORD:?set RAPPORT_CH_INGEST_PASSWORD}"
: "${RAPPORT_CH_DASHBOARD_PASSWORD:?set RAPPORT_CH_DASHBOARD_PASSWORD}"
ingest="$(printf '%s' "$RAPPORT_CH_INGEST_PASSWORD" | sha256sum | cut -d' ' -f1)"
dashboard="$(printf '%s' "$RAPPORT_CH_DASHBOARD_PASSWORD" | sha256sum | cut -d' ' -f1)"
tmp="$(mktemp)"
awk -v i="$ingest" -v d="$dashboard" '
  /<rapport_ingest>/ { user = "i" } /<rapport_dashboard>/ { user = "d" }
  /<password_sha256_hex>/ { sub(/>[0-9a-f]*</, ">" (user == "i" ? i : d) "<") }
  { print }' "$src" >"$tmp"
mv -f "$tmp" "$out"
echo "wrote $out"
