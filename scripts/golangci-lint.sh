#!/usr/bin/env bash
# Runs golangci-lint (as `make check` does) with the given arguments, first installing it when
# missing or not the pinned version: built into $(go env GOPATH)/bin (or GOBIN), and kept out of
# go.mod so the module graph stays small. With no arguments it only installs.
set -euo pipefail
GOLANGCI_LINT_VERSION=v2.15.0
gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if ! go version -m "$gobin/golangci-lint" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/golangci/golangci-lint/v2\s+$GOLANGCI_LINT_VERSION(\s|$)"; then
  echo "installing golangci-lint $GOLANGCI_LINT_VERSION"
  GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
fi
if [ $# -gt 0 ]; then
  exec "$gobin/golangci-lint" "$@"
fi
