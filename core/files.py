"""Files that are never seen half-written, and files read as if they were hostile.

:func:`atomic_write` creates or replaces a file through a temporary file in the same folder,
flushed, fsynced and renamed over the target, so a crash or a full disk in the middle of a save
leaves the previous file intact; the temporary files of saves that were killed are removed at
the next save to that folder. :func:`open_regular` opens a file for reading without ever
blocking: a named pipe, a device or a folder is refused at once. :func:`read_zip` opens an
uncompressed ``.npz``/zip archive and :func:`read_array` reads one ``.npy`` member of it
without unpickling, only after checking every size it claims against the file's own: a
damaged, cut-off or crafted file is a :class:`BadFile` saying what is wrong, never a crash, a
hang or an allocation larger than the file. :mod:`core.experiment` and :mod:`core.datasets.csv` read and write
their files with them.
"""
from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import stat
import struct
import time
import zipfile

import numpy as np

try:  # POSIX: a save in progress holds a lock on its temporary file (see atomic_write)
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it as well
    fcntl = None

ZIP_MAGIC = b"PK\x03\x04"
#: Compression methods by number, to name them in messages. Costscape's files (``np.savez``)
#: are uncompressed, and only uncompressed members are read: a member's memory is then at most
#: its own bytes in the file, while a compressed one can inflate a thousand times (deflate) or
#: more (zipfile hands bzip2 and LZMA all of a member at once, with no bound on the output).
ZIP_METHOD_NAMES = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                    zipfile.ZIP_LZMA: "LZMA"}
#: Most members, and most bytes of zip directory, an archive may have: zipfile reads the whole
#: directory into memory before anything else, so a crafted one could list millions of members.
MAX_MEMBERS = 64
MAX_DIRECTORY_BYTES = 64 * 1024
#: Bytes read at a time into an array: the most :func:`read_array` holds beyond the array.
READ_CHUNK = 1 << 20
# Everything zipfile and numpy's .npy reader raise for a damaged or foreign file. They are
# caught only around the reading code, where any of them means "this file cannot be read".
UNREADABLE = (OSError, EOFError, ValueError, OverflowError, struct.error, zipfile.BadZipFile,
              zipfile.LargeZipFile, NotImplementedError, RuntimeError, KeyError, MemoryError)
_EOCD = struct.Struct("<4s4H2LH")  # the zip "end of central directory" record
_ZIP64_LOCATOR = b"PK\x06\x07"


class BadFile(Exception):
    """Why a file cannot be used, in words a learner can act on (without the file's name).

    Not a ValueError, so that it is never mistaken for one of the ValueErrors that numpy and
    zipfile raise while reading; the caller turns it into its own error naming the file.
    """


class NotRegularFile(OSError):
    """:func:`open_regular` was given something that is not a regular file.

    ``kind`` says what it is instead, e.g. ``"a named pipe (FIFO)"`` or ``"a folder"``.
    """

    def __init__(self, kind):
        self.kind = kind
        super().__init__(f"it is {kind}, not an ordinary file")


def describe_error(err) -> str:
    """An exception's message for a learner's eyes: at most 120 characters."""
    text = str(err) or type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


# --------------------------------------------------------------------------- opening

def special_kind(mode) -> str | None:
    """What a file of ``st_mode`` ``mode`` is, when it is not a regular file (else None)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path):
    """``path`` opened for binary reading, without blocking, if it is a regular file.

    Reading a named pipe waits for a writer, and a device may never end; both would hang
    whoever reads them. So the file is looked at (``os.stat``, which never blocks) and opened
    with ``O_NONBLOCK``, and anything but a regular file raises :class:`NotRegularFile` at once.
    The type is checked again on the open descriptor, in case the path changed in between.

    Raises
    ------
    NotRegularFile
        A folder, named pipe, device or socket.
    OSError, ValueError, TypeError
        As ``os.open`` raises them (missing file, no permission, a NUL in the name, ...).
    """
    kind = special_kind(os.stat(path).st_mode)
    if kind is not None:
        raise NotRegularFile(kind)
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_BINARY", 0))
    fd = os.open(path, flags)
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegularFile(kind)
        with contextlib.suppress(OSError, AttributeError):
            os.set_blocking(fd, True)  # no effect on regular files; plain reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def open_or_explain(path):
    """:func:`open_regular`, with every reason it cannot be opened as a :class:`BadFile`."""
    if not isinstance(path, (str, os.PathLike)):
        raise BadFile(f"a file path must be text or a path, not {type(path).__name__}")
    try:
        return open_regular(path)
    except NotRegularFile as err:
        raise BadFile(f"{err}: Costscape opens only ordinary files") from None
    except FileNotFoundError:
        raise BadFile("the file does not exist") from None
    except PermissionError:
        raise BadFile("you do not have permission to read it") from None
    except (OSError, ValueError, TypeError) as err:  # ValueError/TypeError: NUL or bytes in path
        raise BadFile(f"it cannot be read ({describe_error(err)})") from None


# --------------------------------------------------------------------------- writing

#: Temporary files of :func:`atomic_write`: ``.<name>.costscape-<8 hex digits>.tmp``.
TEMP_PATTERN = re.compile(r"\..+\.costscape-[0-9a-f]{8}\.tmp\Z", re.DOTALL)
#: An empty temporary file younger than this may be a save that has only just begun (see
#: :func:`remove_stale_temps`).
FRESH_TEMP_SECONDS = 10.0


def atomic_write(path, write):
    """Create or replace file ``path`` so that it is never seen half-written.

    ``write(f)`` writes the content to ``f``, a binary file opened on a new temporary file in
    the same folder (the same file system, so the rename below is atomic). The temporary file
    is flushed and fsynced and then renamed over ``path`` with :func:`os.replace`: readers, and
    a crash at any moment, see either the old file or the complete new one. On any error the
    temporary file is removed and the error re-raised, and ``path`` is untouched. A process
    killed mid-save cannot remove its temporary file; the next save to the folder does (see
    :func:`remove_stale_temps`).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temps(folder)
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
    """A new hidden temporary file in ``folder`` (:data:`TEMP_PATTERN`), locked as in use:
    (path, open descriptor)."""
    # os.open with mode 0o666 (not tempfile.mkstemp's 0o600) gives the saved file the user's
    # usual permissions; O_EXCL makes sure it is a new file of ours.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(folder, f".{name}.costscape-{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            # Held until the descriptor closes, or the process dies: the lock tells a save in
            # progress (in this or another process) from one that was killed.
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return temp, fd


def remove_stale_temps(folder) -> int:
    """Remove the temporary files that killed saves left in ``folder``; return how many.

    Only names of :data:`TEMP_PATTERN` are touched, and only when no process is writing them:
    on POSIX a save holds an exclusive lock on its temporary file, which ends with the process;
    on Windows a file open in another process cannot be deleted. An empty file younger than
    :data:`FRESH_TEMP_SECONDS` is left alone too: it may be a save that has not yet taken its
    lock. Problems (a folder that cannot be listed, a file gone meanwhile) are ignored: this
    is housekeeping, and never stops a save.
    """
    removed = 0
    try:
        entries = [e for e in os.scandir(folder) if TEMP_PATTERN.match(e.name)]
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            if info.st_size == 0 and time.time() - info.st_mtime < FRESH_TEMP_SECONDS:
                continue
            if _unlink_if_unused(entry.path):
                removed += 1
    return removed


def _unlink_if_unused(path) -> bool:
    if fcntl is None:
        os.unlink(path)  # fails (PermissionError) while another process has it open
        return True
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a save in progress
        os.unlink(path)
        return True
    finally:
        os.close(fd)


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


# --------------------------------------------------------------------------- reading zips

def read_zip(path, read, not_zip):
    """``read(archive, limit)`` on the zip file at ``path``, any sign of damage a BadFile.

    Before ``read`` runs, the file is checked to be a regular, non-empty zip file (``not_zip``
    is the reason given when it is not one at all) whose directory lists at most
    :data:`MAX_MEMBERS` members, all of them uncompressed and within the file. So no member
    can claim more bytes than the file has: ``limit``, the file's size, is the most any member
    may hold (for :func:`read_array`). Everything zipfile and numpy raise while ``read`` runs
    (:data:`UNREADABLE`) becomes a BadFile.
    """
    with open_or_explain(path) as f:
        try:
            size = os.fstat(f.fileno()).st_size
            magic = f.read(len(ZIP_MAGIC))
        except OSError as err:
            raise BadFile(f"it cannot be read ({describe_error(err)})") from None
        if size == 0:
            raise BadFile("the file is empty (0 bytes)")
        if magic != ZIP_MAGIC:
            raise BadFile(not_zip)
        try:
            _check_directory(f, size)
            with zipfile.ZipFile(f) as archive:
                _check_members(archive, size)
                return read(archive, size)
        except BadFile:
            raise
        except UNREADABLE as err:
            raise BadFile(f"the file is damaged or incomplete; it may have been cut off while "
                          f"saving or copying (details: {describe_error(err)})") from None


def _check_directory(f, size):
    """Refuse a zip directory larger than any Costscape writes, before zipfile reads it."""
    tail_size = min(size, _EOCD.size + 0xFFFF)  # the record, then a comment of up to 64 KB
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        return  # no directory at all: zipfile says the file is not a zip file
    _, _, _, _, members, directory_size, _, _ = _EOCD.unpack_from(tail, at)
    # A zip64 record replaces these counts with 64-bit ones; Costscape never needs one.
    zip64 = at >= 20 and tail[at - 20:at - 16] == _ZIP64_LOCATOR
    if zip64 or members > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise BadFile(f"the file is damaged or not Costscape's: its zip directory lists more "
                      f"than the {MAX_MEMBERS} members Costscape ever writes")


def _check_members(archive, size):
    stored = 0
    for info in archive.infolist():
        name = info.filename[:40]
        if info.compress_type != zipfile.ZIP_STORED:
            method = ZIP_METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise BadFile(f"it is not a file Costscape wrote: its member {name!r} is compressed "
                          f"({method}), and Costscape's files never are (compressed members "
                          f"are refused unread)")
        stored += info.compress_size
        if info.file_size != info.compress_size or stored > size:
            raise BadFile(f"the file is damaged (member {name!r} claims more bytes than the "
                          f"file has)")


def check_total(archive, names, total, what):
    """Refuse the archive when the ``.npy`` members ``names`` claim more than ``total`` bytes
    together: checked from the zip directory, before anything is inflated. ``what`` names the
    limit in the message. Missing members are left for :func:`read_array` to report."""
    claimed = 0
    for name in names:
        with contextlib.suppress(KeyError):
            claimed += archive.getinfo(f"{name}.npy").file_size
    if claimed > total:
        raise BadFile(f"it is too large to open: its arrays would take {claimed / 1e6:,.0f} MB "
                      f"of memory, more than {what} ({total / 1e6:,.0f} MB)")


def read_array(archive, name, limit) -> np.ndarray:
    """Array ``name`` of the archive, read without pickling and only after checking its size.

    The .npy header is read first and checked against the member's size in the zip directory
    before the array is allocated, so a damaged shape cannot ask for terabytes; object arrays
    (pickles) are refused unread. The member is then read :data:`READ_CHUNK` bytes at a time
    straight into the array (its CRC is checked at the end), so reading takes the array's
    memory and no more. ``limit`` is the most bytes the member may claim to hold.
    """
    member = f"{name}.npy"
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise BadFile(f"the file is incomplete: it has no {name!r} array") from None
    if info.file_size > limit:
        raise BadFile(f"the file is damaged (array {name!r} claims an impossible size)")
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise BadFile(f"the file is damaged (array {name!r} has .npy version {version})")
        if dtype.hasobject:
            raise BadFile(f"array {name!r} holds Python objects, which Costscape never saves; "
                          f"they are refused unread, for safety")
        if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biuf":
            raise BadFile(f"the file is damaged (array {name!r} holds {dtype} values, not "
                          f"numbers)")
        size = math.prod(shape) * dtype.itemsize
        if stream.tell() + size != info.file_size:
            raise BadFile(f"the file is damaged (array {name!r} has the wrong length)")
        raw = np.empty(size, dtype=np.uint8)
        done = 0
        while done < size:
            chunk = stream.read(min(READ_CHUNK, size - done))
            if not chunk:
                raise BadFile(f"the file is damaged (array {name!r} is cut short)")
            raw[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
        stream.read(1)  # at the member's end: zipfile checks its CRC (flipped bits)
    return raw.view(dtype).reshape(shape, order="F" if fortran else "C")
