#!/usr/bin/env bash
# Build IncidentDesk as a one-folder application with PyInstaller, then check the result by
# running the built binary (outside the source tree): --version, the demo, and an offscreen
# screenshot of it.
#
#   . .venv/bin/activate && pip install -e . && packaging/build-pyinstaller.sh
#
# The application lands in build/pyinstaller/dist/incidentdesk/ (run ./incidentdesk there;
# ship the whole folder), the check's screenshot in build/pyinstaller/screenshot.png.
# PyInstaller is installed into the active virtual environment if it is missing.
# CI does not run this (it takes a few minutes); run it before a release.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

python=${PYTHON:-python}
if ! "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
  echo "build-pyinstaller: activate the project's virtual environment first" >&2
  exit 2
fi
if ! "$python" -c 'import incidentdesk' 2>/dev/null; then
  echo "build-pyinstaller: incidentdesk is not installed here; run pip install -e . first" >&2
  exit 2
fi
if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
  echo "build-pyinstaller: installing PyInstaller"
  "$python" -m pip install -q --disable-pip-version-check 'pyinstaller>=6.10'
fi

out=$root/build/pyinstaller
started=$(date +%s)
echo "build-pyinstaller: building with PyInstaller $("$python" -m PyInstaller --version)"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$out/dist" --workpath "$out/work" packaging/incidentdesk.spec
built=$(date +%s)
app=$out/dist/incidentdesk/incidentdesk
echo "build-pyinstaller: built $app in $((built - started)) s ($(du -sh "$out/dist/incidentdesk" | cut -f1))"

# The check runs in an empty folder, with nothing from Python's environment, so everything
# must come from the frozen folder.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cd "$check"
run() { env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV QT_QPA_PLATFORM=offscreen "$app" "$@"; }

expected="incidentdesk $("$python" -c 'import incidentdesk; print(incidentdesk.__version__)')"
version=$(run --version)
if [ "$version" != "$expected" ]; then
  echo "build-pyinstaller: --version printed '$version', not '$expected'" >&2
  exit 1
fi
echo "build-pyinstaller: --version: $version"

mkdir profile
incident=$(run --data-dir profile demo | tail -n 1)
echo "build-pyinstaller: demo incident $incident (the migrations ran)"
run --data-dir profile screenshot shot.png --incident "$incident" --size 1200x800
"$python" - shot.png <<'PY'
import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QGuiApplication, QImage

app = QGuiApplication([])
image = QImage(sys.argv[1])
if image.isNull() or (image.width(), image.height()) != (1200, 800):
    sys.exit("build-pyinstaller: the screenshot is not a 1200x800 PNG")
colours = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 800, 7)}
if len(colours) <= 20:
    sys.exit(f"build-pyinstaller: the screenshot has only {len(colours)} colours")
print(f"build-pyinstaller: screenshot 1200x800, {len(colours)} colours")
PY
cp shot.png "$out/screenshot.png"
echo "build-pyinstaller: ok in $(($(date +%s) - started)) s; screenshot in $out/screenshot.png"
