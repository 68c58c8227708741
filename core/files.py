"""Files that are never seen half-written, and zip archives read as if they were hostile.

:func:`atomic_write` creates or replaces a file through a temporary file in the same folder,
flushed, fsynced and renamed over the target, so a crash or a full disk in the middle of a save
leaves the previous file intact. :func:`read_zip` opens a ``.npz``/zip archive and
:func:`read_array` reads one ``.npy`` member of it without unpickling and only after checking
that its claimed size fits the file: a damaged, cut-off or crafted file is a :class:`BadFile`
saying what is wrong, never a crash or a huge allocation. :mod:`core.experiment` reads and
writes its files with them.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import secrets
import struct
import zipfile
import zlib

import numpy as np

#: A deflated zip member cannot expand more than ~1032 times; a member that claims more is a
#: damaged (or malicious) size field, refused before it is read.
MAX_EXPANSION = 1100
ZIP_MAGIC = b"PK\x03\x04"
# Everything zipfile, zlib and numpy's .npy reader raise for a damaged or foreign file. They are
# caught only around the reading code, where any of them means "this file cannot be read".
UNREADABLE = (OSError, EOFError, ValueError, OverflowError, struct.error, zipfile.BadZipFile,
              zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, KeyError,
              MemoryError)


class BadFile(Exception):
    """Why a file cannot be used, in words a learner can act on (without the file's name).

    Not a ValueError, so that it is never mistaken for one of the ValueErrors that numpy and
    zipfile raise while reading; the caller turns it into its own error naming the file.
    """


def describe_error(err) -> str:
    """An exception's message for a learner's eyes: at most 120 characters."""
    text = str(err) or type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


# --------------------------------------------------------------------------- writing

def atomic_write(path, write):
    """Create or replace file ``path`` so that it is never seen half-written.

    ``write(f)`` writes the content to ``f``, a binary file opened on a new temporary file in
    the same folder (the same file system, so the rename below is atomic). The temporary file
    is flushed and fsynced and then renamed over ``path`` with :func:`os.replace`: readers, and
    a crash at any moment, see either the old file or the complete new one. On any error the
    temporary file is removed and the error re-raised, and ``path`` is untouched.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    temp, fd = _create_temp(folder, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        _copy_mode(path, temp)
        os.replace(temp, path)
    except BaseException:  # KeyboardInterrupt too: never leave a temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def _create_temp(folder, name):
    """A new hidden ``.<name>.<random>.tmp`` in ``folder``: (path, open descriptor)."""
    # os.open with mode 0o666 (not tempfile.mkstemp's 0o600) gives the saved file the user's
    # usual permissions; O_EXCL makes sure it is a new file of ours.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue


def _copy_mode(target, temp):
    # Replacing a file keeps its permissions, as an editor saving in place would.
    with contextlib.suppress(OSError):
        os.chmod(temp, os.stat(target).st_mode & 0o7777)


def _fsync_folder(folder):
    # The rename lives in the folder's entries: without this a power cut right after a save
    # could bring the old file back. Only POSIX can open a folder; elsewhere it is skipped.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- reading

def read_zip(path, read, not_zip):
    """``read(archive, limit)`` on the zip file at ``path``, any sign of damage a BadFile.

    ``limit`` is the most bytes an uncompressed member can honestly hold (the file's size times
    :data:`MAX_EXPANSION`), for :func:`read_array`. Everything zipfile, zlib and numpy raise
    while ``read`` runs (:data:`UNREADABLE`) becomes a BadFile; ``not_zip`` is the reason given
    when the file is not a zip file at all.
    """
    disk_size = check_zip_file(path, not_zip)
    try:
        with zipfile.ZipFile(path) as archive:
            return read(archive, disk_size * MAX_EXPANSION)
    except BadFile:
        raise
    except UNREADABLE as err:
        raise BadFile(f"the file is damaged or incomplete; it may have been cut off while "
                      f"saving or copying (details: {describe_error(err)})") from None


def check_zip_file(path, not_zip) -> int:
    """The file's size, after checking it is a readable, non-empty zip file (``not_zip``: the
    reason given when it is not a zip file at all)."""
    if not isinstance(path, (str, os.PathLike)):
        raise BadFile(f"a file path must be text or a path, not {type(path).__name__}")
    try:
        if os.path.isdir(path):  # before opening: Windows reports a folder as "access denied"
            raise BadFile("it is a folder, not a file")
        with open(path, "rb") as f:
            magic = f.read(len(ZIP_MAGIC))
            size = os.fstat(f.fileno()).st_size
    except FileNotFoundError:
        raise BadFile("the file does not exist") from None
    except PermissionError:
        raise BadFile("you do not have permission to read it") from None
    except (OSError, ValueError, TypeError) as err:  # ValueError/TypeError: NUL or bytes in path
        raise BadFile(f"it cannot be read ({describe_error(err)})") from None
    if size == 0:
        raise BadFile("the file is empty (0 bytes)")
    if magic != ZIP_MAGIC:
        raise BadFile(not_zip)
    return size


def read_array(archive, name, limit) -> np.ndarray:
    """Array ``name`` of the archive, read without pickling and only after checking its size.

    The .npy header is checked against the member's real size before anything is allocated,
    so a damaged shape cannot ask for terabytes; object arrays (pickles) are refused unread.
    ``limit`` is the most bytes the member may claim to hold.
    """
    member = f"{name}.npy"
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise BadFile(f"the file is incomplete: it has no {name!r} array") from None
    if info.file_size > limit:
        raise BadFile(f"the file is damaged (array {name!r} claims an impossible size)")
    raw = archive.read(member)  # also checks the CRC: flipped bits are caught here
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise BadFile(f"the file is damaged (array {name!r} has .npy version {version})")
    if dtype.hasobject:
        raise BadFile(f"array {name!r} holds Python objects, which Costscape never saves; "
                      f"they are refused unread, for safety")
    if dtype.fields is not None or dtype.kind not in "biuf":
        raise BadFile(f"the file is damaged (array {name!r} holds {dtype} values, not "
                      f"numbers)")
    if stream.tell() + math.prod(shape) * dtype.itemsize != len(raw):
        raise BadFile(f"the file is damaged (array {name!r} has the wrong length)")
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)
