"""Atomic writes: a file through a temporary sibling and a rename, a folder built aside and swapped in whole.

Used by every writer (store builds, snapshots, the report, single map pages): readers see the old version or the
new one, never a part, and a failure leaves the old one in place and no temporary file behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import ChainKGError, ExportError


def umask() -> int:
    """The process umask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = umask()


def write_atomic(path: Path | str, data: bytes | str) -> Path:
    """Write a file through a temporary sibling and a rename: readers see the old file or the new one, never a part.

    Args:
        path: the file to write (its folder is created if needed).
        data: the content; text is written as UTF-8.

    Returns:
        The path written.

    Raises:
        ExportError: the file cannot be written (the old file, if any, is unchanged and no temporary file is left).
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~UMASK)
        os.replace(tmp, path)
    except BaseException as err:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise ExportError(f"cannot write {path}: {err}") from err
        raise
    return path


def replace_dir(new: Path, target: Path, marker: str, error: type[ChainKGError] = ExportError,
                what: str = "chainkg output") -> None:
    """Put the folder ``new`` in place of ``target`` by renames; the old folder is removed once the new one is in.

    Raises:
        ExportError (or ``error``): ``target`` exists, is not empty and has no ``marker`` file (not ours to replace).
    """
    check_replaceable(target, marker, error, what)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_replaceable(target: Path, marker: str, error: type[ChainKGError] = ExportError,
                      what: str = "chainkg output") -> None:
    """Refuse early to replace a folder that is not ours: it exists, is not empty and has no ``marker`` file."""
    if target.exists() and (not target.is_dir() or (not (target / marker).is_file() and any(target.iterdir()))):
        raise error(f"{target} exists and is not a {what} (no {marker}); refusing to replace it")


@contextmanager
def folder_in_place(target: Path, marker: str, error: type[ChainKGError] = ExportError,
                    what: str = "chainkg output", readable: bool = True) -> Iterator[Path]:
    """Build a folder aside and put it in place of ``target`` when the ``with`` block ends without an error.

    Yields a fresh temporary folder beside ``target``; the block writes everything into it, ``marker`` included. On
    success the folder replaces ``target`` by renames (:func:`replace_dir`); on any failure it is removed and
    ``target`` is left as it was. An ``OSError`` becomes ``error`` with the target named.

    Args:
        target: the folder to create or replace (refused early if it is not ours: see :func:`check_replaceable`).
        marker: the file that marks a folder as ours.
        error: the exception class for failures.
        what: how to name the folder in messages.
        readable: give files and folders the permissions a plain write would (mkdtemp makes a private folder).
    """
    check_replaceable(target, marker, error, what)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield tmp
        if readable:
            for path in [tmp, *tmp.rglob("*")]:
                os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~UMASK)
        replace_dir(tmp, target, marker, error, what)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise error(f"cannot write the {what} {target}: {err}") from err
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
