#!/usr/bin/env bash
# Installs the Debian packages dutygraph needs when they are missing (run by `make`).
#   java (default-jre-headless): HermiT consistency and the OWL 2 DL profile check
#   chromium: the browser tests (Playwright drives Debian's /usr/bin/chromium; nothing is downloaded)
#   fonts-noto-cjk: Chinese glyphs in the browser tests' screenshots
#   virtuoso-opensource-7-bin: the external SPARQL engine the service tests also run against
#     (virtuoso-t, isql-vt; tests/virtuoso_engine.py starts one on loopback ports; docs/external-engine.md)
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-noto-cjk)
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource-7-bin)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "dutygraph needs these Debian packages: ${missing[*]} (run as root, or install them)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
