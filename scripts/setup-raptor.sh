#!/usr/bin/env bash
# Raptor's `rapper` (Debian package raptor2-utils): the third, independent RDF
# parser the reliability tests check every output against (issue 5, item 2).
# CI runs this as root before the tests; running it again does nothing.
set -euo pipefail
if command -v rapper >/dev/null 2>&1; then
    echo "rapper already installed: $(rapper --version)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-raptor.sh: run as root (apt-get install raptor2-utils)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends raptor2-utils >/dev/null
echo "rapper installed: $(rapper --version)"
