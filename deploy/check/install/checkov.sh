#!/usr/bin/env bash
# checkov (the Kubernetes security lint), pinned, from PyPI into its own virtualenv under
# $TOOLS_HOME (its dependencies would clash with the application's pins), exposed as
# $TOOLS_HOME/bin/checkov. A no-op when that already reports the pinned version.
set -euo pipefail
CHECKOV_VERSION=3.3.30
TOOLS_HOME=${TOOLS_HOME:-$HOME/.cache/collections-tools}
BIN="$TOOLS_HOME/bin"
VENV="$TOOLS_HOME/checkov-$CHECKOV_VERSION"
mkdir -p "$BIN"

if [[ -x $BIN/checkov ]] && "$BIN/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  exit 0
fi

usable() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' >/dev/null 2>&1; }
PYTHON=${CHECKOV_PYTHON:-}
if [[ -z $PYTHON ]]; then
  for candidate in python3 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && usable "$candidate"; then PYTHON=$(command -v "$candidate"); break; fi
  done
fi
if [[ -z $PYTHON ]]; then
  echo "checkov.sh: installing python3-venv from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  PYTHON=$(command -v python3)
fi

echo "checkov.sh: installing checkov $CHECKOV_VERSION into $VENV" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
ln -sfn "$VENV/bin/checkov" "$BIN/checkov"
"$BIN/checkov" --version
