# Human entry points. `make demo` and `make test` work on a fresh machine with Python 3.11.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export OGI_WAREHOUSE ?= $(CURDIR)/warehouse/ogi.duckdb

.PHONY: install lock sysdeps demo test lint eval dev docs bench clean

# Debian packages the tests need: LibreOffice reads legacy .doc/.wps/.xls/.et reports and turns
# generated DOCX into PDF (with a CJK font); headless Chromium renders the data-quality page.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-zenhei chromium

# requirements.lock pins every package (pip-compile of pyproject.toml with the dev extra): a fresh
# machine installs exactly the set the tests passed with
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m expectations.docs_assets  # Data Docs' scripts and styles, served beside the pages
	touch $@

install: $(BIN)/.installed

lock:  ## re-pin requirements.lock after a change of the dependencies in pyproject.toml
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml

sysdeps:
	@command -v soffice >/dev/null && command -v chromium >/dev/null && fc-list | grep -qi wqy && \
	  dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	   --no-install-recommends $(SYSTEM_PACKAGES))

demo: install  ## refresh the warehouse from the bundled sample reports and print a summary
	$(BIN)/ogi refresh --landing data/samples --warehouse $(OGI_WAREHOUSE)

test: install sysdeps
	$(BIN)/pytest -q -n auto --dist loadfile  # one test file per worker, a worker per core

eval: install  ## extraction accuracy on the bundled truth files
	$(BIN)/ogi eval data/truth data/samples

lint: install
	$(BIN)/ruff check extract acquire alerting runtime ogi dagster_project expectations tests bench
	$(BIN)/ruff format --check extract acquire alerting runtime ogi dagster_project expectations tests bench
	cd dbt && ../$(BIN)/sqlfluff lint models

dev: install  ## the Dagster UI on http://localhost:3000
	mkdir -p .dagster_home && cp config/dagster.yaml .dagster_home/dagster.yaml
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev

docs: install  ## dbt docs (catalog from the warehouse)
	cd dbt && PATH=$(CURDIR)/$(BIN):$$PATH dbt docs generate --profiles-dir .

bench: install sysdeps  ## extraction throughput and refresh at scale; writes docs/benchmarks.md
	$(BIN)/python -m bench.throughput --out docs/benchmarks.md
	$(BIN)/python -m bench.refresh_scale --out docs/benchmarks.md
	$(BIN)/python -m bench.ui_refresh --out docs/benchmarks.md

clean:
	rm -rf warehouse dbt/target dbt/logs .dagster_home
