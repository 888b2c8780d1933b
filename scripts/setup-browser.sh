#!/usr/bin/env bash
# Debian's headless Chromium (and its WebDriver) for the browser tests of the
# linked-data site (tests/browser/, issue 4 item 6), plus a font to render pages
# with. Playwright's Python package (in the test extras) drives this browser via
# executable_path; it never downloads one. CI runs this as root before the tests;
# running it again does nothing.
set -euo pipefail
packages=(chromium chromium-driver fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "browser already installed: $(chromium --version 2>/dev/null || echo chromium)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-browser.sh: run as root (apt-get install ${missing[*]})" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "browser installed: $(chromium --version 2>/dev/null || echo chromium)"
