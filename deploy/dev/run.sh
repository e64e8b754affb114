#!/usr/bin/env bash
# The README's run command: installs what is missing (Debian 12, as root), builds, makes a
# development PKI and configuration under .fleetmq-dev/ (git-ignored) if there is none, prints
# the mosquitto commands that connect as a device and as the controller, and starts the broker
# on 127.0.0.1:8883 in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
bash deploy/dev/build.sh

build=${FLEETMQ_BUILD_DIR:-build}
dev=.fleetmq-dev
if [ ! -f "$dev/fleetmq.toml" ]; then
  "$build/tests/support/fleetmq-test-pki" "$dev" --port 8883 --devices 3
fi

tls="-h 127.0.0.1 -p 8883 --cafile $dev/root.pem"
device="$tls --cert $dev/device-a-0001.pem --key $dev/device-a-0001.key"
controller="$tls --cert $dev/controller.pem --key $dev/controller.key"
cat <<MSG

fleetmq development broker on 127.0.0.1:8883 (PKI and configuration in $dev/).
In other terminals:

  # device a-0001 waits for its commands
  mosquitto_sub $device -i a-0001 -V mqttv5 -t device/a-0001/commands

  # the controller reads every device's responses
  mosquitto_sub $controller -i dispatcher/watch -V mqttv5 -t 'device/+/responses'

  # the controller sends a command to a-0001
  mosquitto_pub $controller -i dispatcher/send -V mqttv5 -t device/a-0001/commands -m reboot

  # device a-0001 answers
  mosquitto_pub $device -i a-0001/answer -V mqttv5 -t device/a-0001/responses -m done

MSG
exec "$build/broker/fleetmq" --config "$dev/fleetmq.toml"
