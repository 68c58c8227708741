#!/usr/bin/env bash
# Smoke-run the built app as a user's double-click would, on a virtual screen: check that
# `--version` answers with pyproject's version, then that `--screenshot` exits 0 and writes a
# real (non-blank) PNG. CI runs this after `make dist`; so can you: `make dist-smoke`.
#
#   packaging/smoke_test.sh [APP]      APP defaults to dist/costscape/costscape
# The screenshot is kept as dist/smoke-screenshot.png for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
app="$(realpath -m "${1:-dist/costscape/costscape}")"
py="$root/.venv/bin/python"

if [ ! -x "$app" ]; then
  echo "smoke test: no built app at $app (run 'make dist' first)" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

want="Costscape $("$py" -c 'from gui.version import version; print(version())')"
got="$(cd "$tmp" && "$app" --version)"
if [ "$got" != "$want" ]; then
  echo "smoke test FAILED: '$app --version' printed '$got', expected '$want'" >&2
  exit 1
fi
echo "smoke test: --version OK ($got)"

# Run from an unrelated directory, as a menu launch would, so nothing leans on the repo.
set +e
(cd "$tmp" && timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$app" --screenshot "$tmp/shot.png" --steps 200 >"$tmp/log" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "smoke test FAILED: the built app exited with $rc; its output:" >&2
  tail -n 40 "$tmp/log" >&2
  exit 1
fi
QT_QPA_PLATFORM=offscreen "$py" packaging/check_screenshot.py "$tmp/shot.png"
cp "$tmp/shot.png" dist/smoke-screenshot.png
