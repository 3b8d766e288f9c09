#!/usr/bin/env bash
# Installs what keytrail's tests drive, when missing: Debian's AWS CLI 2.9.19 (/usr/bin/aws),
# faketime (a client with a stale clock), Debian's chromium (the headless browser the web
# console's tests drive with chromedp) and, if python3 on PATH has no boto3, Debian's
# python3-boto3 (for /usr/bin/python3). The AWS CLI v1 (`aws` on PATH, with botocore, whose
# service models the table test reads) comes with this kind of machine. Terraform and its
# hashicorp/aws provider (test/e2e/terraform_test.go) are checked, not installed: the registry is
# not reachable from the tests, so the provider comes from a filesystem mirror.
set -euo pipefail
missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! python3 -c 'import boto3' 2>/dev/null && ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
  missing+=(python3-boto3)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test dependencies: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v aws >/dev/null || { echo "the AWS CLI v1 (aws on PATH) is required" >&2; exit 1; }
python3 -c 'import botocore' || { echo "python3 with botocore (from the AWS CLI) is required" >&2; exit 1; }
# Terraform on PATH, and the hashicorp/aws provider the test pins in a filesystem mirror
# (KEYTRAIL_TF_MIRROR, else /opt/tf-plugins), laid out as `terraform providers mirror` writes it.
TF_AWS_VERSION=5.100.0
TF_MIRROR="${KEYTRAIL_TF_MIRROR:-/opt/tf-plugins}"
command -v terraform >/dev/null || {
  echo "terraform is required on PATH for test/e2e/terraform_test.go: install Terraform (https://developer.hashicorp.com/terraform/install)" >&2
  exit 1
}
[ -d "$TF_MIRROR/registry.terraform.io/hashicorp/aws/$TF_AWS_VERSION" ] || {
  echo "the hashicorp/aws $TF_AWS_VERSION provider is required in the filesystem mirror $TF_MIRROR (set KEYTRAIL_TF_MIRROR to use another):" >&2
  echo "  with network access, run \`terraform providers mirror $TF_MIRROR\` in a directory whose configuration requires hashicorp/aws = $TF_AWS_VERSION" >&2
  exit 1
}
# sops, for the end-to-end test of a real KMS client: built into $(go env GOPATH)/bin, pinned.
SOPS_VERSION=v3.13.3
gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if ! go version -m "$gobin/sops" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/getsops/sops/v3\s+$SOPS_VERSION"; then
  echo "installing sops $SOPS_VERSION"
  GOFLAGS= go install "github.com/getsops/sops/v3/cmd/sops@$SOPS_VERSION"
fi
# golangci-lint, which `make check` runs: pinned, see the script.
bash "$(dirname "$0")/golangci-lint.sh"
