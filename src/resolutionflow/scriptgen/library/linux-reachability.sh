#!/usr/bin/env bash
# Tests whether a host can be reached from this Linux box: ping, the route taken, and
# whether a TCP port answers. Read-only.
set -euo pipefail

TARGET=''
PORT=443
COUNT=4

usage() {
  cat <<'USAGE'
Usage: linux-reachability.sh -t TARGET [-p PORT] [-c COUNT]
  -t TARGET  host name or address to test
  -p PORT    TCP port to test (default 443; 0 to skip)
  -c COUNT   ping count (default 4)
USAGE
}

while getopts ':t:p:c:h' opt; do
  case "$opt" in
    t) TARGET="$OPTARG" ;;
    p) PORT="$OPTARG" ;;
    c) COUNT="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -z "$TARGET" ]]; then
  echo "A target is required (-t)." >&2
  usage >&2
  exit 2
fi

echo "--- Resolving $TARGET ---"
getent ahosts "$TARGET" | head -n 3 || echo "$TARGET does not resolve."

echo "--- Ping ---"
ping -c "$COUNT" -W 2 "$TARGET" || echo "No ping reply (ICMP may be blocked)."

echo "--- Route ---"
if command -v traceroute >/dev/null 2>&1; then
  traceroute -n -w 2 -q 1 -m 20 "$TARGET" || true
elif command -v tracepath >/dev/null 2>&1; then
  tracepath -n -m 20 "$TARGET" || true
else
  echo "Neither traceroute nor tracepath is installed."
fi

if [[ "$PORT" != "0" ]]; then
  echo "--- TCP port $PORT ---"
  # shellcheck disable=SC2016  # $1 and $2 are meant to expand in the child shell
  if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$TARGET" "$PORT" 2>/dev/null; then
    echo "Port $PORT on $TARGET is open."
  else
    echo "Port $PORT on $TARGET did not answer within 5 seconds."
  fi
fi
