# Everything CI runs is `make test`; `make conformance` is the main job.
GO ?= go
PKGS := ./...

.PHONY: build test vet fmt-check fmt unit allocs bench loadbench conformance fuzz soak soak-short cassettes serve help mutants

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build the smcct binary into bin/
	$(GO) build -o bin/smcct ./cmd/smcct

test: vet fmt-check unit allocs soak-short ## what CI runs: vet, gofmt check, race tests, allocation bounds, a short attack round

vet: ## go vet
	$(GO) vet $(PKGS)

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt: ## gofmt -w
	gofmt -w $$(git ls-files '*.go')

unit: ## go test -race over every package
	$(GO) test -race -count=1 -timeout 25m $(PKGS)

allocs: ## allocation bounds of the wire path, which the race detector would distort
	$(GO) test -count=1 -run 'Allocations' ./rpc ./reference

bench: ## benchmarks with allocations
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	./scripts/fuzz.sh $${FUZZTIME:-30s}

soak-short: ## the short attack round of make test (built without -race: the attackers sign megabytes per request)
	$(GO) test -count=1 -run 'TestAttacks|TestControlPlane' ./soak

soak: ## attack a built smcct serve on loopback at full size and report its peak memory (make test runs a smaller round)
	$(GO) test -count=1 -v -run 'TestAttacks|TestControlPlane' ./soak -args -soak.full

mutants: ## one smcct check per annotated parameter against a target that ignores it: every generated semantic spec must fail
	SMCCT_MUTANTS=all $(GO) test -count=1 -timeout 60m -run TestEveryAnnotatedParameterIsCaught ./suites/deviation

cassettes: ## record the whole default suite against a fresh reference into cassettes/ (make test replays them)
	rm -rf cassettes
	$(GO) run ./cmd/smcct check --record cassettes

conformance: ## the main job: the conformance suites against the built-in reference
	$(GO) run ./cmd/smcct check

loadbench: ## load figures (docs/performance.md): smcct bench; BENCHFLAGS="--groups reads --rounds 3" to narrow
	$(GO) build -o bin/smcct ./cmd/smcct
	bin/smcct bench $(BENCHFLAGS)
