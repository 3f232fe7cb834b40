"""Writing reports safely: whole files or none, and output locations checked up front.

Every report file is written to a temporary file in the same folder and then renamed over
the destination (:func:`atomic_writer`): a crash, a full disk or a renderer that fails midway
never leaves half a report.json that a CI job would read as valid; the previous file, if any,
stays as it was. :func:`check_output_dir` and :func:`check_output_file` find an unusable
output location before a run sends its first request.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

__all__ = ["OutputError", "atomic_writer", "check_output_dir", "check_output_file", "write_text"]


class OutputError(Exception):
    """An output location cannot be written: the message is one line that says why."""


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file (UTF-8) that appears at `path` only when the block ends without an error.

    The temporary file gets the permissions a new file gets (0666 less the umask), is flushed
    to disk and then renamed over `path` (``os.replace``: atomic on POSIX and Windows); when
    the block raises, it is removed and `path` is left untouched.
    """
    temporary = _temporary(path)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_text(path: Path, text: str) -> None:
    """`text` as the whole new content of `path`, atomically."""
    with atomic_writer(path) as file:
        file.write(text)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_output_dir(path: Path) -> None:
    """Create the folder `path` if needed and prove that a file can be written into it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write reports to {path}: it is not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot create report folder {path}: {_reason(exc)}") from None
    _probe(path, f"cannot write reports to {path}")


def check_output_file(path: Path) -> None:
    """Prove that `path` can be written: its folder exists and takes a new file, and `path`
    is not a folder itself. Nothing is left behind."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist")
    _probe(folder, f"cannot write {path}")


def _probe(folder: Path, what: str) -> None:
    probe = _temporary(folder / "probe")
    try:
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise OutputError(f"{what}: {_reason(exc)}") from None
    os.close(descriptor)
    with contextlib.suppress(OSError):
        probe.unlink()
