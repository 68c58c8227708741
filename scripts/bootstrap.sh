#!/usr/bin/env bash
# Set up everything Costscape needs on a fresh Debian/Ubuntu machine, then get out of the way.
# Idempotent and quick when nothing changed: the virtual environment is rebuilt only when
# pyproject.toml changes. Usage: scripts/bootstrap.sh [extras], e.g. "test" or "test,dist".
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

# Shared libraries Qt's xcb platform plugin and OpenGL need, plus Xvfb for the headless tests
# (see docs/headless-qt.md for why each is here).
apt_packages=(libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 libxkbcommon-x11-0 fontconfig-config fonts-dejavu-core python3-venv)
case ",$extras," in *,test,*) apt_packages+=(xvfb xauth) ;; esac
case ",$extras," in *,dist,*) apt_packages+=(binutils) ;; esac

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${apt_packages[@]}"; do
    # python3-venv is only needed when the interpreter cannot make a venv on its own.
    if [ "$p" = python3-venv ] && python3 -c 'import ensurepip' 2>/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
    else
      echo "Costscape needs these system packages; please run: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "Not a Debian/Ubuntu system: skipping system packages (Qt needs OpenGL and xcb libraries)." >&2
fi

python=${PYTHON:-python3}
stamp=".venv/.costscape-installed"
hash="$(sha256sum < pyproject.toml | cut -c1-16)"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# The stamp holds the pyproject hash and the extras installed so far. Asking for fewer extras
# than are installed ("test" after "test,dist") is a no-op; asking for more installs the union,
# so `make test` and `make dist` do not reinstall each other's packages in turn.
have_hash="" have_extras=""
[ -f "$stamp" ] && { read -r have_hash have_extras < "$stamp" || true; }
union="$(printf '%s\n' ${have_extras//,/ } ${extras//,/ } | sort -u | paste -sd, -)"
if [ "$have_hash" != "$hash" ] || [ "$union" != "$have_extras" ]; then
  echo "Installing Python packages into .venv ..."
  .venv/bin/python -m pip install -q --upgrade pip
  spec="."
  [ -n "$union" ] && spec=".[$union]"
  .venv/bin/python -m pip install -q -e "$spec"
  echo "$hash $union" > "$stamp"
fi
