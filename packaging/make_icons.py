"""Draw Costscape's application icon and write it in every format the desktops want.

The picture is the app in one glance: a 3-D error surface (an elongated valley seen from above),
the zig-zag path gradient descent with momentum takes down it, and the ball rolling to the
minimum, in the app's two colours (blue #0877bd, orange #f59322).

Outputs, all in ``assets/`` and committed, so building the app needs none of this:

- ``costscape.svg``: the full-detail vector icon (also the hicolor "scalable" icon);
- ``costscape-small.svg``: a simplified drawing for 16-32 px, where a mesh would be mush;
- ``icons/costscape-<N>.png`` for N in 16 24 32 48 64 128 256 512 (Linux hicolor sizes);
- ``costscape.ico`` (Windows: 16-256 px, PNG-compressed entries);
- ``costscape.icns`` (macOS: 16-512 px and their @2x, up to 1024 px).

Rendering uses Qt's own SVG renderer (QtSvg ships in PySide6-Essentials), and the .ico and .icns
containers are written here byte by byte, so no image library is needed.

Usage: python packaging/make_icons.py   (re-run after changing the drawing; commit the outputs)
"""
import math
import os
import pathlib
import struct
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_MAX = 32          # sizes up to this use the simplified drawing
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (several types can share one size).
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
              (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256),
              (b"ic14", 512))

BLUE, ORANGE = "#0877bd", "#f59322"
VIEW = 512              # SVG user units of the square canvas


# ----------------------------------------------------------------------------- the surface
# The surface lies over u (along the valley, +1 far from the viewer) and v (across it), both in
# [-1, 1]: a ravine, steep across and gentle along, lowest near the viewer. Plain gradient descent
# bounces from wall to wall down it, which is the picture every optimisation course draws.
ALONG, ACROSS, U_MIN = 0.14, 0.85, -0.55


def cost(u, v):
    return ALONG * (u - U_MIN) ** 2 + ACROSS * v * v


def grad(u, v):
    return 2 * ALONG * (u - U_MIN), 2 * ACROSS * v


def descent_path(start=(0.92, -0.78), steps=14, lr=1.0):
    """Points plain gradient descent visits from ``start``: the zig-zag of a ravine."""
    u, v = start
    points = [(u, v)]
    for _ in range(steps):
        gu, gv = grad(u, v)
        u, v = u - lr * gu, v - lr * gv
        points.append((u, v))
    return points


class Camera:
    """Turn the surface by ``azimuth`` about the vertical, look down at ``elevation``, then fit
    the projected surface into the square ``box`` (x0, y0, x1, y1) of the canvas."""

    def __init__(self, azimuth=-28.0, elevation=32.0, height=1.0, box=(62, 70, 450, 430)):
        self.a, self.e, self.height = math.radians(azimuth), math.radians(elevation), height
        self.scale, self.offset = 1.0, (0.0, 0.0)
        corners = [self._raw(u, v, cost(u, v)) for u in np.linspace(-1, 1, 21)
                   for v in np.linspace(-1, 1, 21)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        self.scale = min((box[2] - box[0]) / (max(xs) - min(xs)),
                         (box[3] - box[1]) / (max(ys) - min(ys)))
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        self.offset = (cx - self.scale * (max(xs) + min(xs)) / 2,
                       cy - self.scale * (max(ys) + min(ys)) / 2)

    def _raw(self, u, v, z):
        # v runs across the screen (x), u into it (depth); z up.
        x = v * math.cos(self.a) - u * math.sin(self.a)
        y = v * math.sin(self.a) + u * math.cos(self.a)
        z = z * self.height
        up = z * math.cos(self.e) + y * math.sin(self.e)
        depth = y * math.cos(self.e) - z * math.sin(self.e)
        return x, -up, depth

    def project(self, u, v, z):
        """Canvas (sx, sy) and depth (larger is farther) of surface point (u, v, z)."""
        x, y, depth = self._raw(u, v, z)
        return self.offset[0] + self.scale * x, self.offset[1] + self.scale * y, depth


def mix(c0, c1, t):
    a = [int(c0[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b))


def surface_colour(z, shade):
    """Deep blue on the valley floor to pale blue on the rims, darkened where facing away."""
    t = min(max(z / (ACROSS + 0.1), 0.0), 1.0) ** 0.7
    base = mix("#075c93", "#7dbde6", t)
    return mix(base, "#032a44", 0.5 * (1.0 - shade))


# ----------------------------------------------------------------------------- the drawings
def tile(defs, parts):
    """The rounded square every size sits on: near-white, so it reads on dark and light panels."""
    defs.append('<linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">'
                '<stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#dbe7f0"/>'
                '</linearGradient>')
    parts.append('<rect x="20" y="20" width="472" height="472" rx="96" fill="url(#tile)" '
                 'stroke="#9fb6c7" stroke-width="6"/>')


def ball(defs, parts, sx, sy, r):
    defs.append('<radialGradient id="ball" cx="0.36" cy="0.32" r="0.75">'
                '<stop offset="0" stop-color="#ffe2bd"/><stop offset="0.35" '
                f'stop-color="{ORANGE}"/><stop offset="1" stop-color="#b8620a"/>'
                '</radialGradient>')
    parts.append(f'<ellipse cx="{sx + 0.1 * r:.1f}" cy="{sy + 0.9 * r:.1f}" rx="{1.0 * r:.1f}" '
                 f'ry="{0.32 * r:.1f}" fill="#021d30" fill-opacity="0.45"/>')
    parts.append(f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="{r:.1f}" fill="url(#ball)" '
                 f'stroke="#7a3f02" stroke-width="{max(r * 0.08, 2):.1f}"/>')


def mesh(cam, n, stroke):
    """Filled quads of an n x n grid over the surface, far ones first (painter's algorithm)."""
    light = np.array([0.3, -0.25, 0.9])
    light /= np.linalg.norm(light)
    grid = np.linspace(-1, 1, n + 1)
    quads = []
    for i in range(n):
        for j in range(n):
            corners = [(grid[i], grid[j]), (grid[i + 1], grid[j]),
                       (grid[i + 1], grid[j + 1]), (grid[i], grid[j + 1])]
            pts3 = [(u, v, cost(u, v)) for u, v in corners]
            proj = [cam.project(*p) for p in pts3]
            n_vec = np.cross(np.subtract(pts3[2], pts3[0]), np.subtract(pts3[3], pts3[1]))
            n_vec = n_vec / (np.linalg.norm(n_vec) or 1.0)
            if n_vec[2] < 0:
                n_vec = -n_vec
            shade = float(max(np.dot(n_vec, light), 0.0))
            zc = sum(p[2] for p in pts3) / 4
            depth = sum(p[2] for p in proj) / 4
            quads.append((depth, proj, surface_colour(zc, shade)))
    quads.sort(key=lambda q: -q[0])
    out = []
    for _, proj, colour in quads:
        d = "M" + "L".join(f"{sx:.1f},{sy:.1f}" for sx, sy, _ in proj) + "Z"
        # Same-colour hairlines close the seams between quads; the mesh lines sit over them.
        out.append(f'<path d="{d}" fill="{colour}" stroke="{colour}" stroke-width="0.8" '
                   'stroke-linejoin="round"/>')
        if stroke:
            out.append(f'<path d="{d}" fill="none" stroke="{stroke}" stroke-opacity="0.6" '
                       'stroke-width="1.4" stroke-linejoin="round"/>')
    return out


def svg(full=True):
    """The icon as SVG text; ``full=False`` is the bolder, simpler drawing for 16-32 px."""
    cam = Camera()
    defs, parts = [], []
    tile(defs, parts)
    parts += mesh(cam, 14, "#e6f2fa") if full else mesh(cam, 5, None)
    path = descent_path()
    lift = 0.03                       # keep the path just above the surface it lies on
    screen = [cam.project(u, v, cost(u, v) + lift)[:2] for u, v in path]
    if not full:
        screen = screen[:4] + screen[-1:]
    d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in screen)
    casing, line, dot, radius = (16, 8, 8, 38) if full else (40, 22, 0, 70)
    parts.append(f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="{casing}" '
                 'stroke-linejoin="round" stroke-linecap="round"/>')
    parts.append(f'<path d="{d}" fill="none" stroke="{ORANGE}" stroke-width="{line}" '
                 'stroke-linejoin="round" stroke-linecap="round"/>')
    for x, y in screen[:-1] if dot else []:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot}" fill="{ORANGE}" '
                     'stroke="#ffffff" stroke-width="3"/>')
    end_x, end_y = screen[-1]
    ball(defs, parts, end_x, end_y - 0.8 * radius, radius)
    title = "Costscape" + ("" if full else " (small sizes)")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{VIEW}" height="{VIEW}" '
            f'viewBox="0 0 {VIEW} {VIEW}">\n<title>{title}</title>\n'
            f'<defs>{"".join(defs)}</defs>\n' + "\n".join(parts) + "\n</svg>\n")


# ----------------------------------------------------------------------------- rendering
def render_png(svg_text, size):
    """PNG bytes of ``svg_text`` rendered at ``size`` x ``size`` by Qt's SVG renderer."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg_text.encode()))
    if not renderer.isValid():
        raise ValueError("Qt could not parse the icon SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buf, "PNG")
    return bytes(buf.data())


def ico_bytes(pngs):
    """A Windows .ico holding PNG-compressed images (Vista and later read these at every size)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = [], []
    for size, data in pngs:
        dim = 0 if size >= 256 else size          # 0 means 256 in an ICONDIRENTRY
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(elements):
    """A macOS .icns: 'icns', total length, then (type, length incl. 8-byte header, data)."""
    body = b"".join(kind + struct.pack(">I", len(data) + 8) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)

    full, small = svg(full=True), svg(full=False)
    (ASSETS / "icons").mkdir(parents=True, exist_ok=True)
    (ASSETS / "costscape.svg").write_text(full)
    (ASSETS / "costscape-small.svg").write_text(small)
    cache = {}

    def png(size):
        if size not in cache:
            cache[size] = render_png(small if size <= SMALL_MAX else full, size)
        return cache[size]

    for size in PNG_SIZES:
        (ASSETS / "icons" / f"costscape-{size}.png").write_bytes(png(size))
    (ASSETS / "costscape.ico").write_bytes(ico_bytes([(s, png(s)) for s in ICO_SIZES]))
    (ASSETS / "costscape.icns").write_bytes(icns_bytes([(k, png(s)) for k, s in ICNS_TYPES]))
    print(f"wrote {len(PNG_SIZES)} PNGs, costscape.svg, costscape-small.svg, .ico, .icns "
          f"into {ASSETS}")


if __name__ == "__main__":
    main()
