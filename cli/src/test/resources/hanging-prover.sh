#!/usr/bin/env bash
# A native prover for the end-to-end tests. While $HANG_MARKER does not exist it says ready, and on
# its first contribute starts a grandchild in a session of its own (setsid sleep), writes
# "its pid, the grandchild's pid" to $HANG_MARKER and ignores everything from then on, cancel
# included. Once the marker exists it runs the command given as its arguments instead.
if [ -e "$HANG_MARKER" ]; then
  exec "$@"
fi
printf '{"type":"ready","protocol":1,"name":"hanging-prover","version":"1","soft_cancel":true}\n'
while IFS= read -r line; do
  case "$line" in
    *'"type":"contribute"'*)
      setsid sleep 1000 </dev/null >/dev/null 2>&1 &
      echo "$$ $!" > "$HANG_MARKER.tmp"
      mv "$HANG_MARKER.tmp" "$HANG_MARKER"
      echo "hanging; ignoring every request from now on" >&2
      while IFS= read -r ignored; do :; done
      sleep 1000
      ;;
  esac
done
