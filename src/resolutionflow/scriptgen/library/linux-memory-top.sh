#!/usr/bin/env bash
# Shows memory pressure on a Linux host: free memory and swap, the processes using the
# most memory and CPU, and recent out-of-memory kills. Read-only.
set -euo pipefail

TOP_COUNT=10

usage() {
  cat <<'USAGE'
Usage: linux-memory-top.sh [-n COUNT]
  -n COUNT  how many processes to list (default 10)
USAGE
}

while getopts ':n:h' opt; do
  case "$opt" in
    n) TOP_COUNT="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

echo "--- Memory ---"
free -h
echo "--- Load ---"
uptime

echo "--- Top $TOP_COUNT processes by memory ---"
ps -eo pid,user,%mem,rss,comm --sort=-%mem | head -n "$(( TOP_COUNT + 1 ))"

echo "--- Top $TOP_COUNT processes by CPU ---"
ps -eo pid,user,%cpu,etime,comm --sort=-%cpu | head -n "$(( TOP_COUNT + 1 ))"

echo "--- Out-of-memory kills (last 7 days) ---"
journalctl -k --since '7 days ago' --no-pager 2>/dev/null \
  | grep -Ei 'out of memory|oom-kill|killed process' | tail -n 10 || echo "None found."
