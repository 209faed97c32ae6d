#!/usr/bin/env bash
# Installs what podhop needs to build, from Debian packages, and nothing when it is there.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libyaml-cpp-dev libfmt-dev libspdlog-dev catch2
          libcli11-dev nlohmann-json3-dev libssl-dev libbenchmark-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
