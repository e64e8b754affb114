#!/usr/bin/env bash
# systemd-analyze verify on a shipped unit, with the installed binary's path pointed at the one
# just built (verify insists that ExecStart exists). Any complaint fails; so does a missing
# hardening directive.
#   systemd_unit.sh UNIT_FILE INSTALLED_PATH BUILT_BINARY DIRECTIVE...
set -euo pipefail
unit=${1:?usage: systemd_unit.sh UNIT INSTALLED_PATH BUILT_BINARY DIRECTIVE...}
installed=${2:?} binary=${3:?}
shift 3
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing: install systemd (deploy/dev/setup.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$unit")
sed "s|$installed|$binary|g" "$unit" >"$work/$name"
output=$(systemd-analyze verify "$work/$name" 2>&1) || { echo "$output" >&2; exit 1; }
if [[ -n "$output" ]]; then
  echo "$output" >&2
  exit 1
fi
for directive in "$@"; do
  grep -q "^$directive" "$work/$name" || { echo "$name: missing $directive" >&2; exit 1; }
done
echo "$name verifies"
