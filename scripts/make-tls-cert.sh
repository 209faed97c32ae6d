#!/usr/bin/env bash
# Makes a key and a self-signed certificate, as the tutorial's `openssl req -x509` does, but
# with fixed validity dates, so what podhop prints about it (curl -v's subject, start and
# expire dates; verdicts at a simulated time) is the same on every run.
#
#   scripts/make-tls-cert.sh OUTDIR HOST [HOST...]
#
# Writes OUTDIR/tls.key (RSA 2048, PKCS#8) and OUTDIR/tls.crt: CN=the first HOST, a
# subjectAltName DNS (or IP) entry for every HOST, valid from NOT_BEFORE to NOT_AFTER
# (environment, YYYYMMDDHHMMSSZ; default 20241201000000Z to 20251201000000Z, around podhop's
# simulated clock, which starts at 2025-01-01T00:00:00Z). The key is random: the files
# differ on each run, so make them at test time rather than checking them in.
# Needs the openssl command (OpenSSL 3.0: `openssl ca` is the only way there to fix dates).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 OUTDIR HOST [HOST...]" >&2
  exit 2
fi
out=$1
shift
cn=$1
not_before=${NOT_BEFORE:-20241201000000Z}
not_after=${NOT_AFTER:-20251201000000Z}

sans=""
for h in "$@"; do
  if [[ $h =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then entry="IP:$h"; else entry="DNS:$h"; fi
  sans=${sans:+$sans,}$entry
done

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/index.txt"
echo 01 >"$tmp/serial"
cat >"$tmp/ca.cnf" <<EOF
[ ca ]
default_ca = podhop
[ podhop ]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = any_name
unique_subject = no
x509_extensions = server
[ any_name ]
commonName = supplied
[ server ]
basicConstraints = critical,CA:TRUE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $sans
EOF

openssl req -new -newkey rsa:2048 -nodes -keyout "$out/tls.key" -subj "/CN=$cn" \
  -out "$tmp/req.csr" 2>/dev/null
openssl ca -batch -notext -config "$tmp/ca.cnf" -selfsign -keyfile "$out/tls.key" \
  -in "$tmp/req.csr" -out "$out/tls.crt" -startdate "$not_before" -enddate "$not_after" \
  2>/dev/null
echo "wrote $out/tls.crt ($cn, $sans, $not_before to $not_after) and $out/tls.key"
