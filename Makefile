# keytrail: `make test` is the one test command (CI runs it through .ci/run). It runs two tiers:
# the hermetic one (`make hermetic`: go test -race ./..., needing only Go and gcc, no network) and
# the end-to-end one (`make e2e`: the tests built with the e2e tag, which drive real clients — the
# AWS CLIs, boto3, sops — and read botocore's service models; their dependencies are installed
# first).
GO ?= go

.PHONY: test hermetic e2e deps check coverage build bench fuzz run

# The policy engine's statement coverage, by its own tests, must stay at or above this.
ENGINE_COVERAGE_MIN ?= 95

test: check hermetic coverage e2e

hermetic:
	$(GO) test -race -count=1 -timeout 20m ./...

# The packages with tests behind the e2e build tag (test/e2e; test/browser, the web console in
# headless chromium; the checks against botocore's models in internal/app and internal/model;
# python3's reading of log files in internal/app), run with the tag: their untagged tests run
# again beside them.
E2E_PACKAGES ?= $(sort $(patsubst %/,./%,$(dir $(shell grep -rl --include='*_test.go' '^//go:build e2e' cmd internal test))))

# The tier reports as it runs: go test -json, which go test streams even while it tests several
# packages at once (-v output waits for each package's end), through test/progress, which prints
# each test as it starts, each result with its duration, what the tests log (the Terraform
# tests' phases with theirs), and which tests are still running after 30 s of silence.
# pipefail keeps go test's exit status.
e2e: deps
	bash -o pipefail -c '$(GO) test -json -race -count=1 -timeout 30m -tags e2e $(E2E_PACKAGES) | $(GO) run ./test/progress'

deps:
	bash scripts/install-test-deps.sh

# The systems keytrail must build on besides this one, without cgo: a Linux-only call in shared
# code (rather than in a _linux.go file) fails the check.
CROSS_TARGETS ?= darwin/arm64 darwin/amd64 windows/amd64 linux/arm64 freebsd/amd64

check:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	@# golangci-lint for this system only, with the e2e tests: the cross targets were clean when
	@# checked, but each costs ~30 s more from a cold cache (GOOS=windows bash
	@# scripts/golangci-lint.sh run --build-tags e2e ./...).
	bash scripts/golangci-lint.sh run --build-tags e2e ./...
	@for target in $(CROSS_TARGETS); do \
		echo "GOOS=$${target%/*} GOARCH=$${target#*/} CGO_ENABLED=0: go build ./... && go vet -tags e2e ./..."; \
		GOOS=$${target%/*} GOARCH=$${target#*/} CGO_ENABLED=0 $(GO) build ./... || exit 1; \
		GOOS=$${target%/*} GOARCH=$${target#*/} CGO_ENABLED=0 $(GO) vet -tags e2e ./... || exit 1; \
	done

coverage:
	@$(GO) test -count=1 -coverpkg=./internal/policy,./internal/authz -coverprofile=.engine-coverage.out ./internal/policy/ ./internal/authz/ >/dev/null
	@total="$$($(GO) tool cover -func=.engine-coverage.out | awk '/^total:/ {sub("%", "", $$3); print $$3}')"; rm -f .engine-coverage.out; \
	echo "policy engine (internal/policy, internal/authz) statement coverage: $$total% (minimum $(ENGINE_COVERAGE_MIN)%)"; \
	awk -v t="$$total" -v m="$(ENGINE_COVERAGE_MIN)" 'BEGIN { exit !(t + 0 >= m + 0) }'

build:
	$(GO) build -o keytrail ./cmd/keytrail

run:
	$(GO) run ./cmd/keytrail serve

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/sigv4/ ./internal/app/ ./internal/authz/ ./internal/events/
	$(GO) test -run '^$$' -bench Deliver -benchtime 5x ./internal/cloudtrail/
	$(GO) test -run '^$$' -bench Encrypted -benchtime 3x ./internal/lake/
	$(GO) test -run '^$$' -bench . -benchtime 10x ./internal/lake/engine/
	@# CloudTrail Lake over a KMS-encrypted store of 1M events (LAKE_BENCH_EVENTS): the slow steps
	@# (ingest, first-query: over 2 s) run once, the others about 2 s; see docs/performance.md.
	$(GO) test -run '^$$' -bench '^BenchmarkLake$$' -benchtime 2s -timeout 30m ./internal/lake/

# Each fuzz target for a while (go test runs only their seed corpora).
fuzz:
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzParseAuthorization$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzParsePresigned$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzChunked$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzCanonicalQuery$$' -fuzztime 30s
	$(GO) test ./internal/protocol/awsquery/ -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s
	$(GO) test ./internal/policy/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 60s
	$(GO) test ./internal/policy/ -run '^$$' -fuzz '^FuzzGlob$$' -fuzztime 30s
	$(GO) test ./internal/kms/ -run '^$$' -fuzz '^FuzzParseBlob$$' -fuzztime 30s
	$(GO) test ./internal/protocol/awsjson/ -run '^$$' -fuzz '^FuzzScanner$$' -fuzztime 30s
	$(GO) test ./internal/s3/ -run '^$$' -fuzz '^FuzzRequestDecoders$$' -fuzztime 30s
	$(GO) test ./internal/events/ -run '^$$' -fuzz '^FuzzRewrite$$' -fuzztime 30s
	$(GO) test ./internal/events/ -run '^$$' -fuzz '^FuzzEventDecoding$$' -fuzztime 30s
	$(GO) test ./internal/events/ -run '^$$' -fuzz '^FuzzProject$$' -fuzztime 30s
	$(GO) test ./internal/events/ -run '^$$' -fuzz '^FuzzFormParams$$' -fuzztime 30s
	$(GO) test ./internal/s3/ -run '^$$' -fuzz '^FuzzXMLBodies$$' -fuzztime 30s
	$(GO) test ./internal/s3/ -run '^$$' -fuzz '^FuzzRequestChecks$$' -fuzztime 30s
	$(GO) test ./internal/model/ -run '^$$' -fuzz '^FuzzValidateJSON$$' -fuzztime 30s
