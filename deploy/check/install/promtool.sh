#!/usr/bin/env bash
# promtool (Prometheus 2.42, Debian 12's package): `promtool check rules`, `promtool test rules`
# and `promtool check metrics` for deploy/prometheus and the services' /metrics.
# Takes the pinned .deb from Debian's archive with `apt-get download` (no apt install, no service
# started: the package is only unpacked with dpkg-deb), keeps it in $TOOLS_HOME/cache and copies
# /usr/bin/promtool to $TOOLS_HOME/bin. A no-op when that version is already there.
#   TOOLS_HOME [~/.cache/collections-tools]
set -euo pipefail
VERSION=2.42.0+ds-5+deb12u1
TOOLS_HOME=${TOOLS_HOME:-$HOME/.cache/collections-tools}
BIN=$TOOLS_HOME/bin
CACHE=$TOOLS_HOME/cache
STAMP=$BIN/.promtool.version
ARCH=$(dpkg --print-architecture)
DEB=prometheus_${VERSION//:/%3a}_${ARCH}.deb

if [[ -x $BIN/promtool && -f $STAMP && $(cat "$STAMP") == "$VERSION" ]]; then
  exit 0
fi
mkdir -p "$BIN" "$CACHE"

if [[ ! -s $CACHE/$DEB ]]; then
  # As root, apt's sandbox user (_apt) may not write into $CACHE: download as root instead.
  SANDBOX=()
  [[ $(id -u) == 0 ]] && SANDBOX=(-o APT::Sandbox::User=root)
  download() { (cd "$CACHE" && apt-get "${SANDBOX[@]}" download "prometheus=$VERSION"); }
  if ! download; then
    # A brand-new machine has empty package lists; refresh them and try once more.
    echo "promtool: apt-get download failed; running apt-get update and retrying" >&2
    apt-get update
    download
  fi
fi

UNPACK=$(mktemp -d)
trap 'rm -rf "$UNPACK"' EXIT
dpkg-deb -x "$CACHE/$DEB" "$UNPACK"
install -m 0755 "$UNPACK/usr/bin/promtool" "$BIN/promtool.new"
mv -f "$BIN/promtool.new" "$BIN/promtool"
echo "$VERSION" > "$STAMP"
echo "promtool $VERSION installed in $BIN"
