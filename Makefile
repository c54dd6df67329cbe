# The two commands of the README: `make demo` and `make test`. Both set themselves up on a fresh
# Debian 12 machine: virtual environment, Python packages, missing Debian packages.
PYTHON ?= python3
VENV ?= .venv
DEMO_DEBS := espeak-ng sox
TEST_DEBS := redis-server postgresql espeak-ng sox festival festvox-ru chromium fonts-dejavu-core docker-compose prometheus

.PHONY: demo test venv clean
.DEFAULT_GOAL := test

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/ensure-debs.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

demo: venv
	@scripts/ensure-debs.sh $(DEMO_DEBS)
	$(VENV)/bin/callcenter demo

test: venv
	@scripts/ensure-debs.sh $(TEST_DEBS)
	@VENV=$(VENV) scripts/run-tests.sh

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
