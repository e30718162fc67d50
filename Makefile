# The two commands for a fresh machine: `make demo` and `make test`.
.PHONY: demo test deps build release bench clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release --product mosaic

demo: release
	.build/release/mosaic demo --out demo-output

test: deps
	swift build --build-tests
	swift test --skip-build

bench: release
	Analysis/ingest-benchmark.sh

clean:
	rm -rf .build demo-output
