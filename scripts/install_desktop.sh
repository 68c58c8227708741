#!/usr/bin/env bash
# Put the built Costscape app into the current user's applications menu (no root needed).
#
#   scripts/install_desktop.sh               # install dist/costscape (build it first: make dist)
#   scripts/install_desktop.sh --uninstall   # remove everything this script installed
#   scripts/install_desktop.sh --app-dir DIR # install another onedir build
#
# What goes where (XDG base directories; DATA is $XDG_DATA_HOME, default ~/.local/share):
#   DATA/costscape/app/                       a copy of the built app, so the repo can go away
#   DATA/applications/costscape.desktop       the menu entry (from packaging/costscape.desktop)
#   DATA/icons/hicolor/NxN/apps/costscape.png the icon at every size, and scalable/apps/costscape.svg
#   DATA/mime/packages/costscape.xml          the .costscape and .costscape-lesson file types, so a
#                                             double-click opens them
set -euo pipefail
cd "$(dirname "$0")/.."

data="${XDG_DATA_HOME:-$HOME/.local/share}"
app_src="dist/costscape"
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) action=uninstall ;;
    --app-dir) app_src="${2:?--app-dir needs a directory}"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

app_dest="$data/costscape/app"
desktop="$data/applications/costscape.desktop"
icons="$data/icons/hicolor"
mime="$data/mime"
sizes=(16 24 32 48 64 128 256 512)

refresh_caches() {
  # Menus pick new entries up by themselves on most desktops; these make it immediate.
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$icons" 2>/dev/null || true
  fi
  if command -v update-mime-database >/dev/null 2>&1 && [ -d "$mime/packages" ]; then
    update-mime-database "$mime" 2>/dev/null || true
  fi
}

if [ "$action" = uninstall ]; then
  rm -rf "$data/costscape"
  rm -f "$desktop" "$icons/scalable/apps/costscape.svg" "$mime/packages/costscape.xml"
  for n in "${sizes[@]}"; do rm -f "$icons/${n}x${n}/apps/costscape.png"; done
  refresh_caches
  echo "Removed Costscape's menu entry, icons and app copy from $data"
  exit 0
fi

if [ ! -x "$app_src/costscape" ]; then
  echo "No built app at $app_src/costscape: run 'make dist' first (or pass --app-dir)." >&2
  exit 1
fi

# Copy to a fresh directory first, then swap, so a failed copy leaves the old install working.
mkdir -p "$data/costscape"
rm -rf "$app_dest.new"
cp -a "$app_src" "$app_dest.new"
rm -rf "$app_dest"
mv "$app_dest.new" "$app_dest"

for n in "${sizes[@]}"; do
  install -D -m 644 "assets/icons/costscape-$n.png" "$icons/${n}x${n}/apps/costscape.png"
done
install -D -m 644 assets/costscape.svg "$icons/scalable/apps/costscape.svg"
install -D -m 644 packaging/costscape-mime.xml "$mime/packages/costscape.xml"

# Exec= takes a quoted path in which the desktop-entry spec wants \ " ` $ escaped, and the
# string-level escape doubles \ once more; TryExec= is a plain string (only \ doubled).
exec_path="$app_dest/costscape"
quoted="\"$(printf '%s' "$exec_path" | sed -e 's/[\\]/\\\\\\\\/g' -e 's/["`$]/\\\\&/g')\""
plain="$(printf '%s' "$exec_path" | sed -e 's/[\\]/\\\\/g')"
for_sed() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }   # escape sed's replacement specials
mkdir -p "$data/applications"
sed -e "s|@EXEC@|$(for_sed "$quoted")|g" -e "s|@TRYEXEC@|$(for_sed "$plain")|g" \
  packaging/costscape.desktop > "$desktop.tmp"
chmod 644 "$desktop.tmp"
mv "$desktop.tmp" "$desktop"
refresh_caches

echo "Installed Costscape for $(id -un):"
echo "  app:   $app_dest/costscape"
echo "  menu:  $desktop"
echo "  icons: $icons/NxN/apps/costscape.png (N = ${sizes[*]}) and scalable/apps/costscape.svg"
echo "  files: $mime/packages/costscape.xml (*.costscape and *.costscape-lesson open with Costscape)"
echo "Remove with: scripts/install_desktop.sh --uninstall"
