#!/usr/bin/env bash
# Installs every Debian package that building, testing and running fleetmq needs.
# Idempotent and quick when everything is present: apt-get runs only for what is missing,
# and `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libssl-dev openssl libfmt-dev libspdlog-dev libtomlplusplus-dev
  # tests, fuzzing, micro-benchmarks
  catch2 clang libclang-rt-14-dev clang-format libbenchmark-dev
  # integration-test peers and checks (real clients, promtool)
  mosquitto mosquitto-clients python3-paho-mqtt prometheus
  # systemd-analyze verifies the shipped unit
  systemd
)

missing=()
for package in "${packages[@]}"; do
  # dpkg-query, not `dpkg -s | grep -q`: under pipefail grep's early exit made a package with
  # a long description (prometheus) look missing, and apt-get ran every time.
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run this script as root (or install them with apt-get) and try again" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The mosquitto package starts a system broker on port 1883; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
