// Package e2e holds the end-to-end tests: a real `keytrail serve` driven by real clients (the AWS
// CLI v1 and v2, boto3, sops). They need those clients installed, so they are built only with the
// e2e build tag: `make e2e`, or `go test -tags e2e ./test/e2e/...` after
// scripts/install-test-deps.sh. `go test ./...` leaves them out and needs only Go.
package e2e
