#!/usr/bin/env bash
# generate-certs.sh: one device's files, as the seed system describes them.
#
#   generate-certs.sh --device-id <id> [--org <org>] [--device-type <type>] [--vendor <vendor>]
#                     [--out <dir>] [--server-dns <name>] [--force]
#
# Writes <dir> (default ./output): client.crt (the device's certificate, then its vendor CA),
# client.key (mode 600), ca.crt (the root the device verifies the broker with) and server.crt
# (the broker's certificate, for the broker side). Subject: C=<country>, O=<org>,
# OU=<device type>, CN=<device id>; the id obeys the broker's rules (no + # /, no NUL, at most
# 128 bytes). The CA lives in $FLEETMQ_PKI_DIR (default ./pki); a missing root CA, vendor CA or
# server certificate (for --server-dns, default localhost) is created first.
set -euo pipefail

pki_command="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fleetmq-pki"
id="" org="" type="device" vendor="vendor" out="output" server_dns="localhost" force=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    --device-id) id="$2"; shift 2 ;;
    --org) org="$2"; shift 2 ;;
    --device-type) type="$2"; shift 2 ;;
    --vendor) vendor="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --server-dns) server_dns="$2"; shift 2 ;;
    --force) force=(--force); shift ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "generate-certs.sh: unknown argument $1 (--help)" >&2; exit 2 ;;
    esac
done
[[ -n "$id" ]] || { echo "generate-certs.sh: --device-id is required" >&2; exit 2; }

pki="${FLEETMQ_PKI_DIR:-$PWD/pki}"
export FLEETMQ_PKI_DIR="$pki"
if [[ ! -f "$pki/ca/root/ca.crt" ]]; then
    "$pki_command" init-ca --org "${org:-fleetmq}"
fi
if [[ ! -f "$pki/ca/$vendor/ca.crt" ]]; then
    "$pki_command" add-vendor-ca "$vendor"
fi
if [[ ! -f "$pki/broker/server.pem" ]]; then
    "$pki_command" issue-server --dns "$server_dns"
fi
org_args=()
[[ -n "$org" ]] && org_args=(--org "$org")
"$pki_command" "${force[@]+"${force[@]}"}" issue-device "$id" --vendor "$vendor" \
    --device-type "$type" "${org_args[@]+"${org_args[@]}"}" --out "$out"
install -m 644 "$pki/broker/server.pem" "$out/server.crt"
echo "generate-certs.sh: $out/client.crt, client.key, ca.crt and server.crt for device '$id'"
