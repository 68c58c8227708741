"""Movie writers: RGB frames (numpy ``(h, w, 3)`` uint8) in, a GIF, an MP4 or PNG files out.

No Qt here: the encoder thread drives a writer, frame by frame. Each writer writes to a
temporary name beside the target and renames it at :meth:`close`, so a cancelled or failed
recording leaves nothing behind (:meth:`abort`), and an earlier file of that name stays intact.

- :class:`GifWriter`: Pillow; each frame gets its own 256-colour palette (a GIF allows it), so
  the plots' colours stay true. The frames wait, quantized to one byte a pixel, until ``close``.
- :class:`Mp4Writer`: PyAV (FFmpeg in-process), H.264 (libx264) in yuv420p, which every player
  reads; frames are encoded as they come.
- :class:`PngWriter`: one PNG per frame, ``name_0001.png``, ``name_0002.png``, ...
"""
from __future__ import annotations

import contextlib
import os
import secrets

import numpy as np

#: Formats: key -> (what the dialog calls it, file suffix).
FORMATS = {
    "gif": ("Animated GIF", ".gif"),
    "mp4": ("MP4 video (H.264)", ".mp4"),
    "png": ("PNG sequence", ".png"),
}


def even_size(width, height) -> tuple:
    """The largest even width and height not above these (H.264 in yuv420p needs even sides)."""
    return max(2, int(width) // 2 * 2), max(2, int(height) // 2 * 2)


def _temp_beside(path) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{secrets.token_hex(4)}.part")


class _Writer:
    def __init__(self, path, fps, size):
        self.path, self.fps, self.size = os.fspath(path), float(fps), tuple(size)
        self.frames = 0

    def _check(self, frame):
        frame = np.asarray(frame)
        width, height = self.size
        if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"a frame must be ({height}, {width}, 3) uint8; got {frame.shape} "
                             f"{frame.dtype}")
        return frame


class GifWriter(_Writer):
    """An animated GIF that loops forever (Pillow)."""

    def __init__(self, path, fps, size):
        super().__init__(path, fps, size)
        self._images = []
        self._previous = None
        self._tweaked = False

    def add(self, frame):
        from PIL import Image

        frame = self._check(frame)
        image = Image.fromarray(frame, "RGB").quantize(256, method=Image.Quantize.FASTOCTREE,
                                                       dither=Image.Dither.NONE)
        same = self._previous is not None and np.array_equal(frame, self._previous)
        if same and not self._tweaked:
            # Pillow merges a frame identical to the one before into it (one longer frame).
            # Keep every frame, so that a recording of N frames has N: one palette colour of
            # this frame moves by one level of blue, which no eye sees. (The next identical
            # frame, untouched, then differs from this one.)
            palette = image.getpalette()
            palette[3 * image.getpixel((0, 0)) + 2] ^= 1
            image.putpalette(palette)
        self._tweaked = same and not self._tweaked
        self._previous = frame
        self._images.append(image)
        self.frames += 1

    def close(self):
        if not self._images:
            raise ValueError("no frames were recorded")
        temp = _temp_beside(self.path)
        try:
            first, *rest = self._images
            # GIF delays are in hundredths of a second: 15 fps plays at 1/0.07 ≈ 14.3 fps.
            first.save(temp, format="GIF", save_all=True, append_images=rest, loop=0,
                       duration=round(1000 / self.fps), disposal=1, optimize=False)
            os.replace(temp, self.path)
        finally:
            self._images = []
            with contextlib.suppress(OSError):
                os.unlink(temp)

    def abort(self):
        self._images = []


class Mp4Writer(_Writer):
    """An H.264 MP4 (PyAV), encoded frame by frame."""

    def __init__(self, path, fps, size):
        import av

        super().__init__(path, fps, size)
        width, height = self.size
        if (width, height) != even_size(width, height):
            raise ValueError(f"an MP4 frame needs even sides; got {width}×{height}")
        self._temp = _temp_beside(self.path)
        self._container = av.open(self._temp, mode="w", format="mp4")
        from fractions import Fraction

        self._stream = self._container.add_stream(
            "libx264", rate=Fraction(self.fps).limit_denominator(1000),
            options={"crf": "20", "preset": "veryfast"})
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"

    def add(self, frame):
        import av

        video = av.VideoFrame.from_ndarray(self._check(frame), format="rgb24")
        for packet in self._stream.encode(video):
            self._container.mux(packet)
        self.frames += 1

    def close(self):
        try:
            if not self.frames:
                raise ValueError("no frames were recorded")
            for packet in self._stream.encode():  # flush the encoder's delayed frames
                self._container.mux(packet)
            self._container.close()
            os.replace(self._temp, self.path)
        finally:
            self.abort()

    def abort(self):
        with contextlib.suppress(Exception):
            self._container.close()
        with contextlib.suppress(OSError):
            os.unlink(self._temp)


class PngWriter(_Writer):
    """``stem_0001.png``, ``stem_0002.png``, ... beside ``path`` (``stem.png``)."""

    def __init__(self, path, fps, size):
        super().__init__(path, fps, size)
        stem = os.path.splitext(self.path)[0]
        self.pattern = stem + "_{:04d}.png"
        self._written = []

    def add(self, frame):
        from PIL import Image

        target = self.pattern.format(self.frames + 1)
        temp = _temp_beside(target)
        Image.fromarray(self._check(frame), "RGB").save(temp, format="PNG", compress_level=3)
        os.replace(temp, target)
        self._written.append(target)
        self.frames += 1

    def close(self):
        if not self.frames:
            raise ValueError("no frames were recorded")

    def abort(self):
        for name in self._written:
            with contextlib.suppress(OSError):
                os.unlink(name)
        self._written = []

    def first_file(self) -> str:
        return self.pattern.format(1)


WRITERS = {"gif": GifWriter, "mp4": Mp4Writer, "png": PngWriter}


def open_writer(fmt, path, fps, size):
    """The writer of format ``fmt`` (a key of :data:`FORMATS`)."""
    return WRITERS[fmt](path, fps, size)
