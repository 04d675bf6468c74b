#!/usr/bin/env bash
# kustomize, pinned, built with `go install` from the Go module proxy into $TOOLS_HOME/bin (no
# prebuilt download). GOPATH, GOMODCACHE and GOCACHE live under $TOOLS_HOME, so a second build reuses
# the downloads. A no-op when $TOOLS_HOME/bin/kustomize already reports the pinned version.
# kustomize needs Go >= 1.22. A go >= 1.21 fetches what it lacks itself (GOTOOLCHAIN=auto); an older
# one (Debian 12's golang-go is 1.19, installed here when there is no go at all) first downloads the
# Go toolchain module golang.org/toolchain from the module proxy, exactly what GOTOOLCHAIN=auto does.
#   TOOLS_HOME [~/.cache/collections-tools]
set -euo pipefail
KUSTOMIZE_VERSION=v5.7.1
GO_TOOLCHAIN=1.24.6   # only used to bootstrap from a go older than 1.21
TOOLS_HOME=${TOOLS_HOME:-$HOME/.cache/collections-tools}
BIN="$TOOLS_HOME/bin"
mkdir -p "$BIN"

if [[ -x $BIN/kustomize ]] && "$BIN/kustomize" version 2>/dev/null | grep -qx "$KUSTOMIZE_VERSION"; then
  exit 0
fi

export GOPATH="$TOOLS_HOME/go" GOMODCACHE="$TOOLS_HOME/go/pkg/mod" GOCACHE="$TOOLS_HOME/go/cache"
export GOFLAGS=-modcacherw CGO_ENABLED=0 GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [[ -x $candidate ]]; then PATH="$(dirname "$candidate"):$PATH"; break; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "kustomize.sh: installing Go from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
fi
minor=$(go version | sed -n 's/.* go1\.\([0-9][0-9]*\).*/\1/p')
if (( ${minor:-0} < 21 )); then
  module="golang.org/toolchain@v0.0.1-go$GO_TOOLCHAIN.$(go env GOOS)-$(go env GOARCH)"
  echo "kustomize.sh: $(go version) is too old; fetching $module" >&2
  dir=$(cd "$(mktemp -d)" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  chmod -R u+x "$dir/bin" "$dir/pkg/tool"  # module zips carry no file modes
  PATH="$dir/bin:$PATH"
  unset GOROOT  # the new go finds its own (and its go.env)
fi

echo "kustomize.sh: building kustomize $KUSTOMIZE_VERSION with $(go version)" >&2
GOBIN="$BIN" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
"$BIN/kustomize" version
