# Lantern: `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
LANTERN := $(VENV)/bin/lantern
export UV_PYTHON_DOWNLOADS := never
export LANTERN_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(LANTERN_HOME)/dagster

.PHONY: install demo test bench dev docs clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode compiled at install: every pipeline run is a new process, and where PYTHONDONTWRITEBYTECODE is set
# each one compiled dagster and the rest from source again (3.7 s a process, measured).
$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p "$(DAGSTER_HOME)"
	@start=$$(date +%s); \
	$(LANTERN) generate --scale mo --years 3 --seed 7 && \
	$(LANTERN) refresh && \
	$(LANTERN) briefing && \
	echo && echo "Demo ready in $$(( $$(date +%s) - start )) s (pipeline part)." && \
	echo "  Open the dashboard:   $(LANTERN_HOME)/site/index.html  (the latest protected release)" && \
	echo "  Releases, kept:       $(LANTERN_HOME)/releases/" && \
	echo "  Quarterly briefing:   $(LANTERN_HOME)/briefings/ (PDF)" && \
	echo "  Explore the graph:    make dev   (Dagster UI on http://127.0.0.1:3000)" && \
	echo "  What was quarantined: $(LANTERN) status"

test: install
	$(VENV)/bin/python -m pytest

bench: install
	PYTHONPATH=$(CURDIR)/tests $(VENV)/bin/python -m benchmarks.bench

dev: install
	@mkdir -p "$(DAGSTER_HOME)"
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

docs: install
	$(LANTERN) docs

clean:
	rm -rf $(LANTERN_HOME) $(VENV) $(TOOLS)
