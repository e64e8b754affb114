#!/usr/bin/env bash
# The README's run command: installs what is missing (Debian 12, as root), builds, makes a
# development PKI and configuration under .fleetmq-dev/ (git-ignored) if there is none, prints
# the mosquitto commands that connect as a device and as the controller, and starts the broker
# on 127.0.0.1:8883 in the foreground (Ctrl-C stops it). It also writes the configurations of
# the device agent a-0001 and of the controller, and prints how to use them.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
bash deploy/dev/build.sh

build=${FLEETMQ_BUILD_DIR:-build}
dev=.fleetmq-dev
if [ ! -f "$dev/fleetmq.toml" ]; then
  "$build/tests/support/fleetmq-test-pki" "$dev" --port 8883 --devices 3
fi

# The device agent's and the controller's configurations (the seed's format), once.
if [ ! -f "$dev/device-a-0001.conf" ]; then
  # A device presents its certificate with its vendor's CA, as generate-certs.sh writes it.
  cat "$dev/device-a-0001.pem" "$dev/vendor-a.pem" >"$dev/device-a-0001-chain.pem"
  cat >"$dev/device-a-0001.conf" <<CONF
# fleetmq-device configuration of the development device a-0001
broker_address: localhost
broker_port: 8883
protocol_version: 5.0
transport: TLS
ca_cert: root.pem
client_cert: device-a-0001-chain.pem
client_key: device-a-0001.key
keep_alive: 60
connect_retry_time: 1
connect_retry_max_interval: 30
command_topic: device/{id}/commands
response_topic: device/{id}/responses
CONF
  cat >"$dev/controller.conf" <<CONF
# fleetmq-ctl configuration of the development controller
broker_address: localhost
broker_port: 8883
ca_cert: root.pem
client_cert: controller.pem
client_key: controller.key
CONF
fi

tls="-h 127.0.0.1 -p 8883 --cafile $dev/root.pem"
device="$tls --cert $dev/device-a-0001.pem --key $dev/device-a-0001.key"
controller="$tls --cert $dev/controller.pem --key $dev/controller.key"
cat <<MSG

fleetmq development broker on 127.0.0.1:8883 (PKI and configuration in $dev/).
In other terminals:

  # the device agent a-0001, and a command for it (prints "pong")
  $build/tools/device/fleetmq-device --config $dev/device-a-0001.conf
  $build/tools/ctl/fleetmq-ctl --config $dev/controller.conf send a-0001 ping

  # check the device's files and connection step by step
  $build/tools/doctor/fleetmq-doctor --config $dev/device-a-0001.conf --device-id a-0001

Or with mosquitto's clients:

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
