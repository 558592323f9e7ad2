# The two commands of the README:
#   make lab    set everything up and start JupyterLab on examples/
#   make test   set everything up and run lint, unit/integration and UI tests
#
# Set-up steps are stamped in .make/ so a second run reuses what is built.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
SYNAPSE_VENV := .venv-synapse
HUB_VENV := .venv-hub
IPK6_VENV := .venv-ipykernel6
STAMPS := .make
CHROMIUM ?= /usr/bin/chromium

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CHROMIUM
# Keep jupyter's user-level config and data out of the tests' way.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: lab test test-setup setup build dist lint unit ui install-envs install-check chromium bench bench-faults pictures clean

lab: setup ## Start JupyterLab with the extension on the example notebooks
	jupyter lab --notebook-dir=examples $(if $(filter 0,$(shell id -u)),--allow-root)

test: test-setup lint unit ui install-check ## Lint, jest (real server and kernel), pytest, Galata (headless Chromium), the wheel in clean environments
	@echo "make test: all suites passed"

# Everything make test fetches from the package indexes (and Chromium), so
# that the test run itself needs none: where tests run without network, run
# this first with it, then make test.
test-setup: setup chromium $(STAMPS)/synapse $(STAMPS)/jupyterhub $(STAMPS)/ipykernel6 $(STAMPS)/ui-node install-envs ## What make test installs, without running tests

setup: $(STAMPS)/develop

$(STAMPS):
	mkdir -p $(STAMPS)

$(STAMPS)/venv: requirements-dev.txt | $(STAMPS)
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMPS)/node: package.json yarn.lock .yarnrc.yml $(STAMPS)/venv
	jlpm install --immutable
	touch $@

build: $(STAMPS)/node
	jlpm build

# What users install: the wheel and the sdist, with the production build of
# the extension inside. The wheel is built from the sdist with no Node on
# PATH, which proves that the sdist builds without Node.
dist: $(STAMPS)/node ## The wheel and sdist in dist/
	rm -rf dist jupyterlab_lmk/labextension
	jlpm build:prod
	$(VENV)/bin/python -m hatchling build -t sdist -d dist
	@if PATH=$(CURDIR)/$(VENV)/bin command -v node >/dev/null; then \
	  echo "node is in $(VENV)/bin: the sdist check needs a PATH without it"; exit 1; fi
	env PATH=$(CURDIR)/$(VENV)/bin $(VENV)/bin/python -m pip wheel --quiet \
	  --no-deps --no-build-isolation --wheel-dir dist dist/jupyterlab_lmk-*.tar.gz
	@ls -l dist

$(STAMPS)/develop: pyproject.toml jupyter-config/server-config/jupyterlab_lmk.json $(STAMPS)/venv build
	@if [ ! -f $@ ] || [ pyproject.toml -nt $@ ] || \
	    [ jupyter-config/server-config/jupyterlab_lmk.json -nt $@ ]; then \
	  $(VENV)/bin/python -m pip install --quiet --no-build-isolation --no-deps -e . && \
	  jupyter labextension develop --overwrite . ; \
	fi
	touch $@

# Synapse (Matrix homeserver) for the Matrix tests, in its own venv so its
# pins never meet JupyterLab's.
$(STAMPS)/synapse: testing/synapse/requirements.txt | $(STAMPS)
	test -x $(SYNAPSE_VENV)/bin/python || python3 -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SYNAPSE_VENV)/bin/python -m pip install --quiet -r testing/synapse/requirements.txt
	touch $@

# JupyterHub for the remote-sessions tests, in its own venv as well
# (configurable-http-proxy comes from node_modules).
$(STAMPS)/jupyterhub: testing/jupyterhub/requirements.txt | $(STAMPS)
	test -x $(HUB_VENV)/bin/python || python3 -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(HUB_VENV)/bin/python -m pip install --quiet -r testing/jupyterhub/requirements.txt
	touch $@

# ipykernel 6 for the kernel relay's tests (the lab's own venv has ipykernel
# 7), registered as the kernelspec "python3-ipykernel6" in a directory of its
# own: the test servers add $(IPK6_VENV)/kernelspec/share/jupyter to their
# JUPYTER_PATH (and see no other kernelspec from that venv).
$(STAMPS)/ipykernel6: testing/ipykernel6/requirements.txt | $(STAMPS)
	test -x $(IPK6_VENV)/bin/python || python3 -m venv $(IPK6_VENV)
	$(IPK6_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(IPK6_VENV)/bin/python -m pip install --quiet -r testing/ipykernel6/requirements.txt
	$(IPK6_VENV)/bin/python -m ipykernel install --prefix $(IPK6_VENV)/kernelspec \
	  --name python3-ipykernel6 --display-name "Python 3 (ipykernel 6)" > /dev/null
	touch $@

$(STAMPS)/ui-node: ui-tests/package.json ui-tests/yarn.lock $(STAMPS)/venv
	cd ui-tests && jlpm install --immutable
	touch $@

chromium: ## Debian's Chromium for the UI tests (never a downloaded browser)
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  echo "The UI tests need Debian's Chromium at $(CHROMIUM)."; \
	  echo "Install it with: sudo apt-get install chromium"; \
	  echo "(or point CHROMIUM=/path/to/chromium at another build)"; \
	  exit 1; \
	fi

lint: $(STAMPS)/node
	jlpm lint:check

unit: $(STAMPS)/develop $(STAMPS)/synapse $(STAMPS)/jupyterhub $(STAMPS)/ipykernel6
	jlpm test
	$(VENV)/bin/python -m pytest -q -n 2 jupyterlab_lmk/tests src/relay/kernel/tests

ui: $(STAMPS)/develop $(STAMPS)/ui-node $(STAMPS)/synapse $(STAMPS)/jupyterhub $(STAMPS)/ipykernel6 chromium
	cd ui-tests && jlpm playwright test

# Clean environments with the JupyterLab and Notebook versions we support,
# into which install-check installs the built wheel. The stamp is a copy of
# the requirements: an environment is made again when they change, not when
# a checkout or rebase only gives the file a new date (the check then needs
# no package index).
INSTALL_ENVS := lab-4.4 lab-newest notebook-7

$(STAMPS)/install-%: testing/install/%.txt | $(STAMPS)
	@if cmp -s $< $@ && test -x .venv-install/$*/bin/jupyter; then \
	  touch $@; \
	else \
	  set -x; \
	  rm -rf .venv-install/$*; \
	  python3 -m venv .venv-install/$*; \
	  .venv-install/$*/bin/python -m pip install --quiet --upgrade pip; \
	  .venv-install/$*/bin/python -m pip install --quiet -r $<; \
	  cp $< $@; \
	fi

install-envs: $(addprefix $(STAMPS)/install-,$(INSTALL_ENVS))

# The wheel as users get it: its contents and metadata, then installed into
# each clean environment, listed by `jupyter labextension list` and
# `jupyter server extension list`, and loaded in Debian's Chromium
# (ui-tests/install.config.js).
install-check: dist install-envs $(STAMPS)/ui-node chromium ## The built wheel in clean JupyterLab 4.4, newest 4.x and Notebook 7
	$(VENV)/bin/python -m pytest -q testing/install
	for env in $(INSTALL_ENVS); do \
	  .venv-install/$$env/bin/python -m pip install --quiet --no-index --no-deps --force-reinstall \
	    dist/jupyterlab_lmk-*.whl; \
	  .venv-install/$$env/bin/jupyter labextension list 2>&1 | grep -E "jupyterlab-lmk v[^ ]+ .*enabled.*OK"; \
	  server=$$(.venv-install/$$env/bin/jupyter server extension list 2>&1); \
	  grep -E "jupyterlab_lmk .*enabled" <<<"$$server"; \
	  grep -E "jupyterlab_lmk [^ ]+ .*OK" <<<"$$server"; \
	done
	cd ui-tests && jlpm playwright test -c install.config.js

bench: setup $(STAMPS)/ui-node $(STAMPS)/synapse $(STAMPS)/ipykernel6 chromium ## Benchmarks (not part of make test): writes bench/results.*
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/relay.py --update-results

bench-faults: $(STAMPS)/node ## Delivery under faults (not part of make test): tried, delivered, lost, doubled per case
	jlpm jest --config bench/faults.jest.config.js --runInBand

pictures: setup $(STAMPS)/ui-node chromium ## The README's pictures, from the real UI: docs/images/*.png
	node docs/pictures.mjs

clean:
	rm -rf $(STAMPS) lib jupyterlab_lmk/labextension tsconfig.tsbuildinfo dist \
	  ui-tests/test-results ui-tests/playwright-report
