#!/usr/bin/env bash
# Installs the offline deploy checkers (kustomize, promtool, checkov, ...) into $TOOLS_HOME/bin,
# from this machine's registries only (Go module proxy, Debian's packages, PyPI), each pinned.
# Every checker has its own script in deploy/check/install/; each is a no-op when its pinned
# version is already there, so `make test` can call this every time.
#   TOOLS_HOME [~/.cache/collections-tools]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TOOLS_HOME=${TOOLS_HOME:-$HOME/.cache/collections-tools}
mkdir -p "$TOOLS_HOME/bin"
for script in "$HERE"/install/*.sh; do
  [[ -e $script ]] || continue
  bash "$script"
done
echo "deploy checkers in $TOOLS_HOME/bin: $(ls "$TOOLS_HOME/bin" | tr '\n' ' ')"
