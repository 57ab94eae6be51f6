# Convenience targets; the scripts are the source of truth.
.PHONY: run test bench bench-quick build

build:
	swift build

run:
	scripts/run

test:
	scripts/test

# Release-mode benchmarks (ordo-one/benchmark), in their own package so the main build stays lean.
bench:
	cd Benchmarks && swift package --disable-sandbox benchmark --format markdown --no-progress
	python3 Benchmarks/Scripts/suite.py

# The scenario suite alone, with small counts (a few minutes).
bench-quick:
	python3 Benchmarks/Scripts/suite.py --quick
