.PHONY: help install lint test demo bench

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install:  ## create .venv with everything for development
	python3 -m venv .venv && .venv/bin/pip install -e '.[all,test]' -c constraints.txt

lint:  ## ruff and mypy
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy src/resolutionflow

test:  ## the whole test suite
	.venv/bin/python -m pytest -n 2

demo:  ## a fresh demo database
	.venv/bin/resolutionflow demo

bench:  ## every benchmark (needs PostgreSQL at RESOLUTIONFLOW_BENCH_POSTGRES_URL)
	for b in bench/*.py; do .venv/bin/python $$b || exit 1; done
