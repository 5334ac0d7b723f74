# kam: `make demo` builds a sample company's dashboards, `make test` runs every test.
GO      ?= go
BIN     := bin/kam
ASSET   := dashboards/assets/echarts.min.js
GOFILES := $(shell find . -name '*.go' -not -path './dashboards/node_modules/*') $(wildcard sql/*/*.sql)

.PHONY: all build assets demo demo-en test test-short bench bench-forecast lint clean

all: build

build: $(BIN)

# ECharts comes from the npm registry, pinned by dashboards/package-lock.json,
# and is embedded into the binary; it is never committed. esbuild (pinned
# there too) bundles only the chart types and components the dashboards use
# (dashboards/echarts.entry.js): half the size of dist/echarts.min.js.
assets: $(ASSET)
$(ASSET): dashboards/package.json dashboards/package-lock.json dashboards/echarts.entry.js
	cd dashboards && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p dashboards/assets
	cd dashboards && node_modules/.bin/esbuild echarts.entry.js --bundle --minify --format=iife --global-name=echarts \
		--target=es2017 --legal-comments=none --log-level=warning --outfile=assets/echarts.min.js
	cp dashboards/node_modules/echarts/LICENSE dashboards/assets/LICENSE

$(BIN): $(ASSET) $(GOFILES) go.mod go.sum
	$(GO) build -o $(BIN) ./cmd/kam

demo: $(BIN)
	./$(BIN) demo --dir demo

demo-en: $(BIN)
	./$(BIN) demo --dir demo --lang en

test: $(ASSET)
	$(GO) vet ./...
	$(GO) test -timeout 40m ./...

test-short: $(ASSET)
	$(GO) test -short ./...

bench: $(BIN)
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

# The package's own benchmark, then an independent scoring of the kam forecast
# command (CSV in, CSV out, its own Naive2); the second fails if a target is missed.
M3 := ../shared/data/monthly-sales-timeseries/m3_monthly.csv
bench-forecast: $(BIN)
	$(GO) run ./models/forecast/m3bench -data $(M3)
	$(GO) run ./models/forecast/m3score -data $(M3) -kam $(BIN)

lint: $(ASSET)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin demo dashboards/node_modules $(ASSET) dashboards/assets/LICENSE
