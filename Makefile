# keytrail: `make test` is the one test command (CI runs it through .ci/run).
GO ?= go

.PHONY: test deps check build bench fuzz run

test: deps check
	$(GO) test -race -count=1 ./...

deps:
	bash scripts/install-test-deps.sh

check:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

build:
	$(GO) build -o keytrail ./cmd/keytrail

run:
	$(GO) run ./cmd/keytrail serve

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/sigv4/ ./internal/app/

# Each fuzz target for a while (go test runs only their seed corpora).
fuzz:
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzParseAuthorization$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzParsePresigned$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzChunked$$' -fuzztime 30s
	$(GO) test ./internal/sigv4/ -run '^$$' -fuzz '^FuzzCanonicalQuery$$' -fuzztime 30s
	$(GO) test ./internal/protocol/awsquery/ -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s
