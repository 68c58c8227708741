# The two commands of README.md: `make run` and `make test`. Each sets itself up first.
PY := .venv/bin/python

.PHONY: run test bench dist desktop-install clean
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

clean:
	rm -rf .venv build dist *.egg-info .pytest_cache
