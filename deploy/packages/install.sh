#!/usr/bin/env bash
# Installs the Debian packages listed in the given files (root; Debian 12).
# Usage: deploy/packages/install.sh deploy/packages/build.txt [deploy/packages/test.txt ...]
set -euo pipefail
packages=$(grep -hvE '^\s*(#|$)' "$@" | tr '\n' ' ')
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null | awk '$4 != "installed" {print $1}' || true)
# dpkg-query says nothing about packages it has never heard of: count those as missing too.
known=$(dpkg-query -W -f='${Package}\n' $packages 2>/dev/null || true)
for p in $packages; do
  grep -qx "$p" <<<"$known" || missing="$missing $p"
done
if [ -z "${missing// /}" ]; then
  echo "packages: all installed"
  exit 0
fi
echo "packages: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# RabbitMQ's post-install must not start a system node: tests start their own.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
