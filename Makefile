# The two set-up commands of the README: `make book` and `make test`.
export HF_HUB_OFFLINE := 1
VENV := .venv

.PHONY: book test

$(VENV)/.installed: pyproject.toml scripts/install.sh
	bash scripts/install.sh
	touch $@

## Execute every chapter at its defaults, then build the HTML site into _build/html.
book: $(VENV)/.installed
	$(VENV)/bin/pft book

## Run the test suite (it builds the book with --quick in a scratch copy and opens it in Chromium).
test: $(VENV)/.installed
	bash scripts/install-browser.sh
	$(VENV)/bin/python -m pytest
