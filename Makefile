# Everything CI runs is `make test`; `make conformance` is the main job.
GO ?= go
PKGS := ./...

.PHONY: build test vet fmt-check fmt unit allocs bench conformance fuzz cassettes serve help

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build the smcct binary into bin/
	$(GO) build -o bin/smcct ./cmd/smcct

test: vet fmt-check unit allocs ## what CI runs: vet, gofmt check, race tests, allocation bounds

vet: ## go vet
	$(GO) vet $(PKGS)

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt: ## gofmt -w
	gofmt -w $$(git ls-files '*.go')

unit: ## go test -race over every package
	$(GO) test -race -count=1 $(PKGS)

allocs: ## allocation bounds of the wire path, which the race detector would distort
	$(GO) test -count=1 -run 'Allocations' ./rpc

bench: ## benchmarks with allocations
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	./scripts/fuzz.sh $${FUZZTIME:-30s}

cassettes: ## record the whole default suite against a fresh reference into cassettes/ (make test replays them)
	rm -rf cassettes
	$(GO) run ./cmd/smcct check --record cassettes

conformance: ## the main job: the conformance suites against the built-in reference
	$(GO) run ./cmd/smcct check
