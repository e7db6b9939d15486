# The two set-up commands of the README: `make book` and `make test`.
export HF_HUB_OFFLINE := 1
VENV := .venv

.PHONY: book pdf test

$(VENV)/.installed: pyproject.toml constraints.txt scripts/install.sh
	bash scripts/install.sh
	touch $@

## Execute every chapter at its defaults, then build the HTML site into _build/html.
book: $(VENV)/.installed
	$(VENV)/bin/pft book

## Print the built site into one PDF, _build/html/book.pdf (needs Chromium: scripts/install-browser.sh).
pdf: book
	bash scripts/install-browser.sh
	$(VENV)/bin/pft pdf

## Run the test suite (it builds the book with --quick in a scratch copy and opens it in Chromium),
## on two pytest-xdist workers: the tests of the built book on one, the rest shared (tests/conftest.py).
test: $(VENV)/.installed
	bash scripts/install-browser.sh
	$(VENV)/bin/python -m pytest -n 2
