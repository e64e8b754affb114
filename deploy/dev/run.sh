#!/usr/bin/env bash
# The README's run command: installs what is missing (Debian 12, as root), builds, makes a
# development PKI and configuration, and starts the broker in the foreground.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
bash deploy/dev/build.sh

broker=${FLEETMQ_BUILD_DIR:-build}/broker/fleetmq
if [ ! -x "$broker" ]; then
  echo "run: the broker is not built yet: it arrives with the broker core issue." >&2
  echo "run: what exists today is the protocol library; 'bash deploy/dev/test.sh' tests it." >&2
  exit 2
fi
exec "$broker" --config deploy/dev/fleetmq-dev.toml
