# ConvLab tasks. Everything runs from the project's own .venv, created on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The PyTorch CPU index in requirements.txt may be unreachable; don't let pip retry it for minutes.
PIP := PIP_RETRIES=0 $(PY) -m pip

.PHONY: run test bench screenshots lint chromium cloud-check

run: $(VENV)/.installed
	$(VENV)/bin/streamlit run dashboard.py

test: $(VENV)/.installed-dev chromium cloud-check
	$(PY) -m pytest

# What Streamlit Community Cloud installs: requirements.txt alone, in its own virtualenv, then every
# page once. Catches a runtime import that only the dev requirements happen to provide.
CLOUD_VENV := .venv-cloud
cloud-check: $(CLOUD_VENV)/.installed
	$(CLOUD_VENV)/bin/python tests/runtime_smoke.py

$(CLOUD_VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(CLOUD_VENV)
	PIP_RETRIES=0 $(CLOUD_VENV)/bin/python -m pip install --no-compile -r requirements.txt
	touch $@

bench: $(VENV)/.installed
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# One picture per page at 1280×800 into docs/screenshots/, for the README.
screenshots: $(VENV)/.installed-dev chromium
	CONVLAB_SCREENSHOTS=1 $(PY) -m pytest -m screenshots tests/browser

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so this satisfies the runtime stamp too.
# --no-compile (here and for the cloud check): pip would byte-compile every file of torch & co.
# (about 40 s per virtualenv on 2 cores); Python compiles the modules the tests import on first use.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --no-compile -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Browser tests need a Chromium: the system one if present, else Debian's package when we can
# install it (Playwright's own download needs internet access), else Playwright's build.
chromium: $(VENV)/.installed-dev
	@if [ -x /usr/bin/chromium ]; then \
		echo "Chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		$(PY) -m playwright install chromium; \
	fi
