#!/usr/bin/env bash
# Fails, naming the file and line, if protocol/, auth/, acl/ or session/ include Asio, Beast or
# OpenSSL, or if session/ has threads or reads a clock of its own (it is given the time).
set -euo pipefail
root=${1:?usage: pure_libraries.sh PROJECT_ROOT}
status=0
for library in protocol auth acl session; do
  [ -d "$root/$library" ] || continue
  if hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](boost/asio|boost/beast|asio|openssl/)' \
      "$root/$library"); then
    echo "$library/ must not include Asio, Beast or OpenSSL headers:" >&2
    echo "$hits" >&2
    status=1
  fi
done
if [ -d "$root/session" ] && hits=$(grep -rnE \
    '#[[:space:]]*include[[:space:]]*<(thread|mutex|shared_mutex|condition_variable|future)>|_clock::now' \
    "$root/session"); then
  echo "session/ must not start threads, take locks or read clocks (it is given the time):" >&2
  echo "$hits" >&2
  status=1
fi
[ $status -eq 0 ] && echo "protocol/, auth/, acl/, session/: no Asio, Beast or OpenSSL includes; session/ without threads or clocks"
exit $status
