# Healing Together: `make run` to try it, `make test` to check it. Nothing else is needed but
# Python 3.11+ (and root, for the Debian packages the browser tests and CI need).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py

.PHONY: run serve test setup dev-tools data messages lint check-migrations check-messages clean backup restore

# The virtualenv gets what the site needs to run (requirements.lock) whenever that lock changes;
# the test and benchmark tools (requirements-dev.lock) are added only by the targets that use them.
$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

dev-tools: $(VENV)/.installed-dev

setup: $(VENV)/.installed
	@mkdir -p var/static
	$(MANAGE) compile_translations

data: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) load_places
	$(MANAGE) load_resources
	$(MANAGE) load_groups
	$(MANAGE) load_articles
	$(MANAGE) refresh_next_sessions
	$(MANAGE) export_hsds --dumps

run: data
	$(MANAGE) runserver 127.0.0.1:$(PORT)

var/secret-key: | $(VENV)/.installed
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Production settings on this machine: a secret key made once and kept in var/, loopback hosts.
# gunicorn.conf.py keeps query strings and client addresses out of the access log, and starts
# WEB_CONCURRENCY workers (one per core by default).
serve: export DEBUG = False
serve: export SECRET_KEY_FILE ?= var/secret-key
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: var/secret-key data
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn healingtogether.wsgi --bind 127.0.0.1:$(PORT)

# Debian's Chromium drives the browser tests; gettext's msgfmt checks the catalogues.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi

# One test process per core (pytest-xdist), each with its own test database; TEST_WORKERS=0 runs
# them in this process.
TEST_WORKERS ?= auto
test: setup dev-tools /usr/bin/chromium
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup dev-tools
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: setup
	$(MANAGE) makemigrations --check --dry-run

# Every catalogue compiles, and none has an untranslated or fuzzy string (needs gettext's msgfmt).
check-messages: setup
	$(MANAGE) compilemessages --ignore=.venv >/dev/null
	@for po in locale/*/LC_MESSAGES/django.po; do \
		stats=$$(msgfmt --check --statistics -o /dev/null "$$po" 2>&1) \
			|| { echo "$$po: $$stats" >&2; exit 1; }; \
		echo "$$po: $$stats"; \
		case "$$stats" in *untranslated*|*fuzzy*) echo "incomplete catalogue: $$po" >&2; exit 1;; esac; \
	done

# Refresh the English source catalogue after changing strings; translators work in the .po files.
messages: setup
	$(MANAGE) makemessages --all --no-location --no-obsolete --ignore=.venv --ignore=var

# A consistent snapshot of the database in var/backups/ (SQLite's online backup API, or
# pg_dump for PostgreSQL); prints the file's name. `make restore FILE=…` brings one back.
backup: $(VENV)/.installed
	@$(PY) scripts/backup.py backup

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/…" >&2; exit 2; }
	@$(PY) scripts/backup.py restore "$(FILE)"

clean:
	rm -rf $(VENV) var
