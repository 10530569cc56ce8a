# The two commands of the README's quick start, and what they need.
# Everything is installed into .venv by `make setup`, which both targets run.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: example test setup clean

example: $(STAMP)
	$(VENV)/bin/assemble packs/lga-iib-2017-01-24/pack.yaml -o out/lga-iib-2017-01-24
	$(VENV)/bin/assemble packs/harbourside-audit-2025-10-15/pack.yaml -o out/harbourside-audit-2025-10-15

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out
