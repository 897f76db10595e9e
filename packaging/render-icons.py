"""Render the scalable application icon to the PNG sizes that desktops and installers want.

    python packaging/render-icons.py

reads ``resources/icons/io.incidentdesk.IncidentDesk.svg`` and writes
``resources/icons/io.incidentdesk.IncidentDesk-<size>.png`` for every size in ``SIZES``,
with Qt's own SVG renderer (QtSvg, part of PySide6-Essentials). The PNGs are committed: run
this again after changing the SVG and commit what it wrote.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "io.incidentdesk.IncidentDesk"
SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, size: int, out: Path) -> None:
    """Draw ``svg`` into a transparent ``size``×``size`` PNG at ``out``."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render-icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"render-icons: cannot write {out}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / f"{APP_ID}.svg"
    for size in SIZES:
        out = ICONS / f"{APP_ID}-{size}.png"
        render(svg, size, out)
        print(f"render-icons: {out.relative_to(ICONS.parent.parent)} ({size}x{size})")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
