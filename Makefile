# hotline-terminal — the entry point. `make bench` runs the unit on this machine; `make test` checks it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEB_PACKAGES := portaudio19-dev libasound2-plugins alsa-utils tmux sqlite3 systemd mosquitto openssl libhamlib-utils g++ libexpat1-dev chromium stress-ng
PYTEST_ARGS ?=

.PHONY: all setup lock arm64-check bench test lint perf fuzz soak clean install lab i18n i18n-compile

all: test

# Debian packages the Python ones need to build or test against (PortAudio headers, ALSA null plugins,
# tmux for the console end-to-end test, systemd-analyze for the unit).
.deb-packages.stamp:
	@bash scripts/ensure-deb.sh $(DEB_PACKAGES)
	@touch $@

# The venv holds exactly the versions in uv.lock (--frozen: the lock is used as it is, never
# re-resolved; --inexact: pip and uv themselves stay). uv is pinned too.
UV_VERSION := 0.13.10
$(STAMP): pyproject.toml uv.lock .deb-packages.stamp
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip uv==$(UV_VERSION) >/dev/null
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync -q --frozen --inexact --extra test
	@# libasterix's tables are 6 MB of Python: compiled once here, not on every start-up
	@$(PY) -m compileall -q -j 2 $(VENV)/lib/python3*/site-packages/asterix >/dev/null
	@# and its generic parser compiled with mypyc (docs/tracks.md); the pure one stays if that fails
	@$(PY) -m hw.sim.tracks.asterix_compile
	@touch $@

setup: $(STAMP)

# After a change to the dependencies in pyproject.toml: re-resolve uv.lock and export the install
# sets from it (requirements/desk.txt for a desk, requirements/coproc.txt with the co-processor's
# SciPy), which `make install` uses. A test checks that the exports match the lock.
lock: $(STAMP)
	$(VENV)/bin/uv lock
	@bash scripts/export-requirements.sh

# The Pi's dependencies, checked on arm64 (Debian bookworm under qemu-user; root, ~10 min).
arm64-check:
	bash scripts/check-arm64.sh

bench: $(STAMP)
	@$(VENV)/bin/hotline bench $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check terminal hw tests bench
	$(VENV)/bin/mypy

test: $(STAMP) lint
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

perf: $(STAMP)
	$(PY) -m bench

# The long runs: fuzz every target for FUZZ_SECONDS (default 600) in all; a compressed month at the
# desk (SOAK_SCALE=0.1 for a tenth of it). Each prints its figures and exits non-zero on a failure.
fuzz: $(STAMP)
	$(PY) -m bench.fuzz

soak: $(STAMP)
	$(PY) -m bench.soak

# Install on a Raspberry Pi OS system (root); DESTDIR=/some/dir stages it for packaging or tests.
install:
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/install.sh

# The deployment lab (root): a Debian bookworm VM with systemd as PID 1, gpio-sim pins, serial ports to
# the simulators on this machine, MQTT to a Mosquitto on loopback; the project installed by the
# README's route and the unit's scenarios run against it. Image cached in LAB_CACHE (.lab-cache).
# docs/deploy.md says what it shows. LAB_ARGS go to the scenario runner (e.g. LAB_ARGS="-k ring").
lab: $(STAMP)
	@bash lab/run.sh $(LAB_ARGS)

clean:
	rm -rf $(VENV) .deb-packages.stamp .hotline-bench

# The Russian catalogue (docs/console.md, "Languages"): extract every _("...") and N_("...") of
# terminal/ (babel.cfg), merge them into terminal/i18n/locale/ru/LC_MESSAGES/hotline.po, and
# compile the .mo the desk reads. Translate the new (empty) entries of the .po, then
# `make i18n-compile`; commit the .po and the .mo (a test fails on a missing or stale one).
I18N_DIR := terminal/i18n/locale
i18n: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F babel.cfg --no-location --sort-output -k N_ \
		--project hotline-terminal -o $(VENV)/hotline.pot terminal
	$(VENV)/bin/pybabel -q update -i $(VENV)/hotline.pot -d $(I18N_DIR) -D hotline -l ru \
		--no-fuzzy-matching --ignore-obsolete -w 100
	@$(MAKE) --no-print-directory i18n-compile

i18n-compile: $(STAMP)
	$(VENV)/bin/pybabel compile -d $(I18N_DIR) -D hotline -l ru --statistics
