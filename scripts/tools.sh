#!/usr/bin/env bash
# Installs the Debian tools the checks need when they are missing: docker-compose (to validate
# docker-compose.yml; no Docker engine is needed) and promtool (Debian package prometheus).
# Usage: scripts/tools.sh
set -euo pipefail

need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "tools.sh: need root or sudo to install ${need[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "tools.sh: installing ${need[*]}"
log=$(mktemp)
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  exit 1
fi
rm -f "$log"
