#!/usr/bin/env bash
# Shows disk usage on a Linux host: filesystems, the largest directories under a path,
# and optionally deletes files older than N days under a cleanup directory.
set -euo pipefail

TARGET_PATH='/'
TOP_COUNT=15
CLEAN_DIR=''
CLEAN_DAYS=14
ASSUME_YES=0

usage() {
  cat <<'USAGE'
Usage: linux-disk-usage.sh [-p PATH] [-n COUNT] [-c CLEAN_DIR] [-d DAYS] [--yes]
  -p PATH       where to look for large directories (default /)
  -n COUNT      how many of the largest directories to list (default 15)
  -c CLEAN_DIR  delete files older than DAYS in this directory (preview unless --yes)
  -d DAYS       age in days for the cleanup (default 14)
  --yes         really delete; without it the script only prints what it would do
USAGE
}

args=()
for arg in "$@"; do
  case "$arg" in
    --yes) ASSUME_YES=1 ;;
    --help) usage; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done
set -- ${args[@]+"${args[@]}"}

while getopts ':p:n:c:d:h' opt; do
  case "$opt" in
    p) TARGET_PATH="$OPTARG" ;;
    n) TOP_COUNT="$OPTARG" ;;
    c) CLEAN_DIR="$OPTARG" ;;
    d) CLEAN_DAYS="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

run() {
  if [[ "$ASSUME_YES" -eq 1 ]]; then
    "$@"
  else
    printf 'Would run:'
    printf ' %q' "$@"
    printf '\n'
  fi
}

echo "--- Filesystems ---"
df -hT -x tmpfs -x devtmpfs -x squashfs -x overlay

echo "--- Inodes ---"
df -i -x tmpfs -x devtmpfs -x squashfs -x overlay

echo "--- Largest directories under $TARGET_PATH ---"
du -xh --max-depth=2 "$TARGET_PATH" 2>/dev/null | sort -rh | head -n "$TOP_COUNT"

if [[ -n "$CLEAN_DIR" ]]; then
  if [[ ! -d "$CLEAN_DIR" ]]; then
    echo "Cleanup directory $CLEAN_DIR does not exist." >&2
    exit 1
  fi
  count=$(find "$CLEAN_DIR" -xdev -type f -mtime +"$CLEAN_DAYS" | wc -l)
  echo "$count file(s) in $CLEAN_DIR are older than $CLEAN_DAYS days."
  run find "$CLEAN_DIR" -xdev -type f -mtime +"$CLEAN_DAYS" -delete
fi
