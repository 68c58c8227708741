# The two commands of README.md: `make run` and `make test`. Each sets itself up first.
PY := .venv/bin/python

.PHONY: run test bench dist dist-smoke desktop-install desktop-uninstall clean
run:
	@scripts/bootstrap.sh
	$(PY) main.py

test:
	@scripts/bootstrap.sh test
	$(PY) -m pytest -q

bench:
	@scripts/bootstrap.sh test
	$(PY) bench/train_speed.py
	$(PY) bench/surface_speed.py

# The double-click app (PyInstaller onedir) in dist/costscape/; COSTSCAPE_ONEFILE=1 builds the
# single-file dist/costscape-onefile instead. See packaging/README.md.
dist:
	@scripts/bootstrap.sh dist
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/costscape.spec

# Run the built app headless: --version, then --screenshot must exit 0 with a non-blank PNG.
dist-smoke:
	@scripts/bootstrap.sh test
	packaging/smoke_test.sh

# Build, then add Costscape to your applications menu (~/.local/share; no root needed).
desktop-install: dist
	scripts/install_desktop.sh

desktop-uninstall:
	scripts/install_desktop.sh --uninstall

clean:
	rm -rf .venv build dist *.egg-info .pytest_cache
