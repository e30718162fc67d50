# The two commands for a fresh machine: `make demo` and `make test`.
.PHONY: demo test check lint deps build release bench reports clean dist

deps:
	@scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release --product mosaic

demo: release
	.build/release/mosaic demo --out demo-output

# The static checks: the layers of the code, and the formatter.
lint:
	python3 scripts/check-layers.py
	swift format lint --strict -r Sources Tests Package.swift Analysis/PrivacyEval Analysis/SamplerBench Analysis/SealBench Analysis/SuppressionEval

# The fast tier for a developer's loop: lint, build, and the unit tests without browsers, process
# kills, the command-line end-to-end suites and the long statistical runs (those are in `make test`).
CHECK_SKIP = MosaicCLITests|MosaicDemoTests|HostileReleaseTests|theHTMLRendersInAHeadlessBrowser|noWithheldValueCanBeNarrowedOnSyntheticCountries|aMoreImportantTableGetsMoreOfTheBudget|theOptimumBeatsRandomSplits|oneMorePersonChangesEveryGroupByAtMostItsSensitivity|theOptimumIsNoWorseThanTheStandardSplitAndSpendsExactlyRho|marginsOfSumsAreCalibrated
check: deps lint
	swift build --build-tests
	swift test --skip-build --skip '$(CHECK_SKIP)'

# Everything, as CI runs it.
test: deps lint
	@scripts/install-deps.sh chromium chromium-driver python3-selenium fonts-dejavu-core poppler-utils strace
	swift build --build-tests
	swift test --skip-build
	/usr/bin/python3 Tests/form/form_test.py .build/debug/mosaic
	/usr/bin/python3 Tests/reports/report_test.py .build/debug/mosaic
	python3 Analysis/intake-fuzz.py --mutants 1000 --seed 1 --mosaic .build/debug/mosaic

# Regenerates the example reports in Reports/ from a fresh demo run.
reports: demo
	rm -rf Reports/examples && mkdir -p Reports/examples/screenshots
	cp demo-output/reports/*.html demo-output/reports/*.md demo-output/reports/*.csv Reports/examples/
	for f in demo-output/reports/*.html; do .build/release/mosaic report $$(ls demo-output/releases/*.sqlite | sed 's/^/--release /') $$(case $$f in *es-ex*) echo --region ES-EX;; esac) --lang $$(case $$f in *-es.html) echo es;; *) echo en;; esac) --format pdf --out Reports/examples/pdf-tmp >/dev/null && mv Reports/examples/pdf-tmp/*.pdf Reports/examples/ && rm -rf Reports/examples/pdf-tmp; done
	/usr/bin/python3 scripts/report-screenshots.py Reports/examples
	.build/release/mosaic demo --scenario authority --out demo-authority
	mkdir -p Reports/examples/authority
	cp demo-authority/reports/*-en.html demo-authority/reports/*-en.md demo-authority/reports/*-en.csv demo-authority/reports/*-es.html Reports/examples/authority/
	.build/release/mosaic report $$(ls demo-authority/releases/*.sqlite | sed 's/^/--release /') --format pdf --out Reports/examples/authority/pdf-tmp >/dev/null && mv Reports/examples/authority/pdf-tmp/*.pdf Reports/examples/authority/ && rm -rf Reports/examples/authority/pdf-tmp

bench: release
	Analysis/ingest-benchmark.sh

# A self-contained Linux tarball (static Swift runtime, bundled C libraries) with the school guide.
dist:
	scripts/make-dist.sh

clean:
	rm -rf .build demo-output demo-authority dist
