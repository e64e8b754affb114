#!/usr/bin/env bash
# Fails, naming the file and line, if protocol/, auth/ or acl/ include Asio, Beast or OpenSSL.
set -euo pipefail
root=${1:?usage: pure_libraries.sh PROJECT_ROOT}
status=0
for library in protocol auth acl; do
  [ -d "$root/$library" ] || continue
  if hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](boost/asio|boost/beast|asio|openssl/)' \
      "$root/$library"); then
    echo "$library/ must not include Asio, Beast or OpenSSL headers:" >&2
    echo "$hits" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "protocol/, auth/, acl/: no Asio, Beast or OpenSSL includes"
exit $status
