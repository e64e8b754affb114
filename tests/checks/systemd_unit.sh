#!/usr/bin/env bash
# systemd-analyze verify on deploy/systemd/fleetmq.service, with the installed binary's path
# pointed at the one just built (verify insists that ExecStart exists). Any complaint fails.
set -euo pipefail
root=${1:?usage: systemd_unit.sh PROJECT_ROOT FLEETMQ_BINARY}
binary=${2:?usage: systemd_unit.sh PROJECT_ROOT FLEETMQ_BINARY}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing: install systemd (deploy/dev/setup.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/fleetmq|$binary|g" "$root/deploy/systemd/fleetmq.service" >"$work/fleetmq.service"
output=$(systemd-analyze verify "$work/fleetmq.service" 2>&1) || { echo "$output" >&2; exit 1; }
if [[ -n "$output" ]]; then
  echo "$output" >&2
  exit 1
fi
# The hardening the unit promises is there.
for directive in User=fleetmq LimitNOFILE= ProtectSystem=strict NoNewPrivileges=yes \
  "ExecReload=/bin/kill -HUP"; do
  grep -q "^$directive" "$work/fleetmq.service" || { echo "missing: $directive" >&2; exit 1; }
done
echo "fleetmq.service verifies"
