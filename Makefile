# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO ?= demo
export HF_HUB_OFFLINE := 1

.PHONY: setup system-deps test demo lint bench clean mlflow-ui

setup: $(STAMP)

# torch is pinned to the CPU wheel on this machine kind; a looser pin pulls a multi-GB CUDA build.
# tinysoundfont renders audio with no system library (FluidSynth is used instead when
# libfluidsynth3 is installed). --no-deps: its one dependency, pyaudio, is for live playback
# only and does not build without PortAudio headers, so it cannot be in pyproject.toml.
# The full mlflow wheel, at mlflow-skinny's version and --no-deps, adds only the MLflow UI's
# built JavaScript (`chromatic runs ui`); with its dependencies it would pin pyarrow<26.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[ml,dev,dist]"
	$(PY) -m pip install -q --no-deps "tinysoundfont>=0.3.7,<0.4"
	$(PY) -m pip install -q --no-deps "mlflow==$$($(PY) -c 'import importlib.metadata as m; print(m.version("mlflow-skinny"))')"
	touch $(STAMP)

# Optional system packages, installed with apt-get when run as root (nothing needs them):
# FluidSynth's library (audio renders with tinysoundfont without it) and Chromium with its
# driver (the studio's real-browser tests skip without them).
system-deps:
	@if ldconfig -p 2>/dev/null | grep -q libfluidsynth.so.3; then \
		echo "libfluidsynth3 is installed: audio renders with FluidSynth"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing libfluidsynth3 with apt-get (audio renders with FluidSynth)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libfluidsynth3 >/dev/null \
			|| echo "apt-get failed: audio renders with tinysoundfont"; \
	else \
		echo "libfluidsynth3 not installed (needs root and apt-get): audio renders with tinysoundfont"; \
	fi
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "chromium and chromedriver are installed: the studio's browser tests run"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver with apt-get (the studio's browser tests)"; \
		(DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
			|| echo "apt-get failed: the studio's browser tests will skip"; \
	else \
		echo "chromium not installed (needs root and apt-get): the studio's browser tests skip"; \
	fi
	@if command -v mscore3 >/dev/null || command -v musescore3 >/dev/null; then \
		echo "MuseScore 3 is installed: the MusicXML render test runs"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing musescore3 with apt-get (renders arrangement.musicxml in a test)"; \
		(DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musescore3 >/dev/null) \
			|| echo "apt-get failed: the MusicXML render test will skip"; \
	else \
		echo "musescore3 not installed (needs root and apt-get): the MusicXML render test skips"; \
	fi

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts

demo: $(STAMP)
	$(PY) scripts/demo.py --out $(DEMO)

# The MLflow UI for the demo's training runs on http://127.0.0.1:$(PORT) (DATA=folder to choose).
PORT ?= 5000
DATA ?= $(DEMO)/data
mlflow-ui: $(STAMP)
	$(VENV)/bin/chromatic runs ui $(DATA) --port $(PORT)

bench: $(STAMP)
	$(PY) benchmarks/catalog_build.py

clean:
	rm -rf $(DEMO) .pytest_cache
