# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO ?= demo
export HF_HUB_OFFLINE := 1

.PHONY: setup test demo lint bench clean

setup: $(STAMP)

# torch is pinned to the CPU wheel on this machine kind; a looser pin pulls a multi-GB CUDA build
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[ml,dev]"
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

demo: $(STAMP)
	$(PY) scripts/demo.py --out $(DEMO)

bench: $(STAMP)
	$(PY) benchmarks/catalog_build.py

clean:
	rm -rf $(DEMO) .pytest_cache
