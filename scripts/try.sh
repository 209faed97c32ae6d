#!/usr/bin/env bash
# One command for a new user: set up, build, and walk the first steps of the tutorial on
# examples/seed with podhop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
podhop=build/src/podhop
seed=examples/seed/manifests
run() { echo; echo "\$ podhop -f $seed $*"; "$podhop" -f "$seed" "$@"; }
run get pods -o wide
run get svc
run exec app1 -- curl -s http://app1-svc.default.svc.cluster.local:8888
run curl -s http://app.test/app1
echo
echo "See examples/seed/README.md for the whole tutorial, and README.md for a short tour."
