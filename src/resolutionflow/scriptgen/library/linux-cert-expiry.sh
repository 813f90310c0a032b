#!/usr/bin/env bash
# Shows when a TLS certificate expires, from a live endpoint (host:port) or a PEM file,
# and warns when fewer than N days are left. Read-only.
set -euo pipefail

HOST=''
PORT=443
CERT_FILE=''
WARN_DAYS=30

usage() {
  cat <<'USAGE'
Usage: linux-cert-expiry.sh (-H HOST [-p PORT] | -f CERT_FILE) [-w DAYS]
  -H HOST       check the certificate served by HOST
  -p PORT       port (default 443)
  -f CERT_FILE  check a PEM certificate file instead
  -w DAYS       warn when fewer days than this are left (default 30)
USAGE
}

while getopts ':H:p:f:w:h' opt; do
  case "$opt" in
    H) HOST="$OPTARG" ;;
    p) PORT="$OPTARG" ;;
    f) CERT_FILE="$OPTARG" ;;
    w) WARN_DAYS="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -n "$HOST" ]]; then
  pem=$(openssl s_client -connect "$HOST:$PORT" -servername "$HOST" </dev/null 2>/dev/null \
    | openssl x509)
elif [[ -n "$CERT_FILE" ]]; then
  pem=$(openssl x509 -in "$CERT_FILE")
else
  usage >&2
  exit 2
fi

subject=$(openssl x509 -noout -subject <<<"$pem")
issuer=$(openssl x509 -noout -issuer <<<"$pem")
end_date=$(openssl x509 -noout -enddate <<<"$pem" | cut -d= -f2)
end_epoch=$(date -d "$end_date" +%s)
days_left=$(( (end_epoch - $(date +%s)) / 86400 ))

echo "$subject"
echo "$issuer"
echo "Expires: $end_date ($days_left days left)"
openssl x509 -noout -ext subjectAltName <<<"$pem" 2>/dev/null || true

if (( days_left < 0 )); then
  echo "EXPIRED" >&2
  exit 1
elif (( days_left < WARN_DAYS )); then
  echo "WARNING: fewer than $WARN_DAYS days left." >&2
fi
