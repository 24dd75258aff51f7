"""Atomic writes: a file through a temporary sibling and a rename, a folder built aside and swapped in whole.

Used by every writer (snapshots, the report, synthetic datasets, single map pages, and the store until it moves to a
layout of its own): readers see the old version or the new one, never a part, and a failure leaves the old one in
place.

Replacing a folder deletes what is in it, so a folder is replaced only when chainkg can prove by its content that it
wrote it (:func:`check_replaceable`): the folder is absent, or empty, or its *marker* file (``manifest.json`` of a
snapshot, ``report.json`` of a report, ``dataset.json`` of a synthetic dataset) is a JSON object that names chainkg as
its writer and the kind of output, and lists every file written (paths relative to the folder; the marker itself is
implied)::

    {"generator": "chainkg", "kind": "snapshot", ..., "files": {"graph.nq": {...}, "csv/links.csv": {...}}}

and the folder holds nothing else: every file in it is listed, every folder in it leads to a listed file, nothing is a
symbolic link. Anything else is refused with the files chainkg did not write named; nothing is deleted.

Temporary folders: the new folder is built as ``.NAME.new-XXXX/NAME`` beside the target and the old one is moved to
``.NAME.old-XXXX/NAME`` for the swap. Each of these holds a tag file, :data:`TAG`, written before anything else,
naming chainkg, the target, the host and the writing process. An interrupted write (killed, power cut) leaves them
behind; the next write to the same target removes those whose process is gone on this host
(:func:`clean_leftovers`) and nothing else. A crash between the two renames leaves no target and the old copy in
``.NAME.old-XXXX``: the next write finds the target absent, writes it, and removes the old copy; readers never look
into temporary folders.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from kg.errors import ChainKGError, ExportError

log = logging.getLogger(__name__)

#: The writer every marker and temporary-folder tag names.
GENERATOR = "chainkg"
#: The tag file inside each temporary folder (``.NAME.new-XXXX``, ``.NAME.old-XXXX``).
TAG = "chainkg-temporary.json"
TEMPORARY = "temporary folder"
#: How many unknown files a refusal names.
SHOWN = 3

#: Reads a marker written before markers named their writer: the files it lists, or ``None`` when it is not one.
Legacy = Callable[[dict], Collection[str] | None]


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


# --- ownership ---------------------------------------------------------------------------------------------------

def marker_fields(kind: str) -> dict[str, str]:
    """The keys a marker starts with: ``{"generator": "chainkg", "kind": kind}`` (its ``files`` come last)."""
    return {"generator": GENERATOR, "kind": kind}


def legacy_listing(marker: dict) -> Collection[str] | None:
    """The files listed by a snapshot ``manifest.json`` or a ``report.json`` written before markers had a
    ``generator`` (chainkg 0.1.0 before issue 10), or ``None`` when ``marker`` is not one.

    Such a marker is recognised by what those versions always wrote: ``"tool": {"name": "chainkg", ...}``, a string
    ``created_at`` and a ``files`` object. As that proof is weaker, :func:`check_replaceable` also requires the folder
    to hold exactly the listed files, none missing.
    """
    tool = marker.get("tool")
    if ("generator" in marker or not isinstance(tool, dict) or tool.get("name") != GENERATOR
            or not isinstance(marker.get("created_at"), str) or not _is_listing(marker.get("files"))):
        return None
    return set(marker["files"])


def check_replaceable(target: Path, marker: str, error: type[ChainKGError] = ExportError,
                      what: str = "chainkg output", *, kind: str | None = None, legacy: Legacy | None = None) -> None:
    """Refuse to replace ``target`` unless chainkg provably wrote it (see the module docstring).

    Args:
        target: the folder about to be replaced.
        marker: the marker file's name.
        error: the exception class to raise.
        what: how messages name the folder ("chainkg snapshot").
        kind: the ``kind`` the marker must name. ``None`` keeps the old, weaker test (refuse a non-empty folder
            without a ``marker`` file), left for :mod:`kg.store` only until its new layout stops using this module.
        legacy: recognises markers of earlier versions (:func:`legacy_listing`); ``None``: none are accepted.

    Raises:
        ChainKGError: (``error``) ``target`` is a file or a symbolic link, cannot be read, has no valid marker, or
            holds something its marker does not list; the message names the folder and up to three such files.
    """
    target = Path(target)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise error(f"cannot read {target}: {err.strerror or err}; refusing to replace it; choose another folder") \
            from err
    if stat.S_ISLNK(mode):
        raise error(f"{target} is a symbolic link (to {os.readlink(target)}); refusing to replace it; give the folder "
                    "itself or choose an empty or new folder")
    if not stat.S_ISDIR(mode):
        raise error(f"{target} exists and is not a folder; refusing to replace it; choose an empty or new folder")
    if kind is None:
        try:
            foreign = not (target / marker).is_file() and any(target.iterdir())
        except OSError as err:
            raise error(f"cannot read {target}: {err.strerror or err}; refusing to replace it") from err
        if foreign:
            raise error(f"{target} exists and is not a {what} (no {marker}); refusing to replace it")
        return
    try:
        top = sorted(os.listdir(target))
        if not top:
            return
        present = marker in top and stat.S_ISREG(os.lstat(target / marker).st_mode)
        listed, why, exact = _read_marker(target / marker, marker, kind, legacy, present)
        if listed is None:
            raise error(f"{target} is not a {what} ({why}): {_name(target, top)} not written by chainkg; refusing "
                        "to replace it; choose an empty or new folder")
        listed = {str(PurePosixPath(p)) for p in listed}
        ancestors = {str(parent) for p in listed for parent in PurePosixPath(p).parents if str(parent) != "."}
        files, dirs, others = _survey(target, ancestors)
    except OSError as err:
        raise error(f"cannot read {target}: {err.strerror or err} ({err.filename}); refusing to replace it; choose "
                    "an empty or new folder") from err
    unknown = (files - listed - {marker}) | (dirs - ancestors) | others
    unknown = sorted(p for p in unknown if not any(str(a) in unknown for a in PurePosixPath(p).parents))
    if unknown:
        raise error(f"{target} is a {what}, but {_name(target, unknown)} not written by chainkg; refusing to replace "
                    f"it; move {'them' if len(unknown) > 1 else 'it'} away or choose an empty or new folder")
    missing = sorted(listed - files) if exact else []
    if missing:
        raise error(f"{target} looks like a {what} of an earlier chainkg, but {_name(target, missing)} listed in "
                    f"its {marker} and missing; refusing to replace it; remove the folder yourself if nothing in it "
                    "is needed, or choose an empty or new folder")


def _survey(folder: Path, descend: Collection[str]) -> tuple[set[str], set[str], set[str]]:
    """The regular files, folders and other entries (symbolic links, sockets...) under ``folder``, as relative POSIX
    paths, entering only the folders in ``descend`` (those a marker lists files in: another folder is refused whole,
    so a mistaken ``-o ~`` does not walk a home folder); symbolic links are not followed."""
    files, dirs, others = set(), set(), set()
    pending = [(folder, PurePosixPath())]
    while pending:
        path, rel = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = str(rel / entry.name)
                if entry.is_dir(follow_symlinks=False):
                    dirs.add(name)
                    if name in descend:
                        pending.append((Path(entry.path), rel / entry.name))
                elif entry.is_file(follow_symlinks=False):
                    files.add(name)
                else:
                    others.add(name)
    return files, dirs, others


_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


def _read_marker(path: Path, marker: str, kind: str, legacy: Legacy | None,
                 present: bool) -> tuple[Collection[str] | None, str, bool]:
    """``(files listed, "", exact)`` for a valid marker (``exact``: an earlier version's, all files must be there),
    else ``(None, why it is not valid, False)``."""
    if not present:
        return None, f"no {marker}" if not os.path.lexists(path) else f"{marker} is not a regular file", False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        return None, f"cannot read {marker}: {err.strerror or err}", False
    except (UnicodeDecodeError, ValueError) as err:
        return None, f"{marker} is not valid JSON: {err}", False
    if not isinstance(data, dict):
        return None, f"{marker} is {_JSON_TYPES.get(type(data), 'not an object')}, not a JSON object", False
    if data.get("generator") != GENERATOR:
        listed = legacy(data) if legacy is not None else None
        if listed is not None:
            return listed, "", True
        return None, f'{marker} does not name chainkg as its writer ("generator": "chainkg")', False
    if data.get("kind") != kind:
        return None, f"{marker} describes a chainkg {data.get('kind')!r}, not a {kind}", False
    if not _is_listing(data.get("files")):
        return None, f'{marker} has no "files" object listing the files written', False
    return set(data["files"]), "", False


def _is_listing(files) -> bool:
    return isinstance(files, dict) and all(isinstance(name, str) and name for name in files)


def _name(target: Path, names: list[str]) -> str:
    """``"out/a.js was"``, ``"out/a, out/b and 3 more were"``."""
    shown = ", ".join(str(target / name) for name in names[:SHOWN])
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return f"{shown}{more} {'were' if len(names) > 1 else 'was'}"


# --- temporary folders --------------------------------------------------------------------------------------------

def _make_temp(target: Path, role: str) -> Path:
    """A new folder ``.NAME.{role}-XXXX`` beside ``target`` holding only its :data:`TAG`."""
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.{role}-", dir=target.parent))
    tag = {**marker_fields(TEMPORARY), "role": role, "target": target.name, "host": socket.gethostname(),
           "pid": os.getpid()}
    try:
        (folder / TAG).write_text(json.dumps(tag) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def clean_leftovers(target: Path) -> list[Path]:
    """Remove the temporary folders of earlier writes to ``target`` whose process is gone.

    Only a folder named ``.NAME.new-*`` or ``.NAME.old-*`` beside ``target``, holding nothing but a :data:`TAG` that
    names chainkg, this target and this host, and ``NAME``, is removed, and only when the process the tag names no
    longer exists. Anything else (a live writer's folder, a user's folder of the same name, a folder left by a version
    without tags) is left alone.

    Returns:
        The folders removed.
    """
    target = Path(target)
    try:
        entries = sorted(os.listdir(target.parent))
    except OSError:
        return []
    removed = []
    for name in entries:
        role = next((r for r in ("new", "old") if name.startswith(f".{target.name}.{r}-")), None)
        folder = target.parent / name
        if role and _abandoned(folder, target.name, role):
            shutil.rmtree(folder, ignore_errors=True)
            if not os.path.lexists(folder):
                log.info("removed %s, left by an interrupted write", folder)
                removed.append(folder)
    return removed


def _abandoned(folder: Path, name: str, role: str) -> bool:
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode) or not set(os.listdir(folder)) <= {TAG, name}:
            return False
        if not stat.S_ISREG(os.lstat(folder / TAG).st_mode):
            return False
        tag = json.loads((folder / TAG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(tag, dict) or {k: tag.get(k) for k in ("generator", "kind", "role", "target", "host")} != {
            **marker_fields(TEMPORARY), "role": role, "target": name, "host": socket.gethostname()}:
        return False
    pid = tag.get("pid")
    return type(pid) is int and pid > 0 and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: a process of another user
        return True
    return True


# --- folders swapped in whole ---------------------------------------------------------------------------------------

def replace_dir(new: Path, target: Path, marker: str, error: type[ChainKGError] = ExportError,
                what: str = "chainkg output", *, kind: str | None = None, legacy: Legacy | None = None) -> None:
    """Put the folder ``new`` in place of ``target`` by renames; the old folder is removed once the new one is in.

    ``target`` is checked again (:func:`check_replaceable`) right before it is moved aside, then moved into a tagged
    ``.NAME.old-XXXX`` folder, so that a crash between the renames leaves a folder the next write removes.

    Raises:
        ChainKGError: (``error``) ``target`` is not ours to replace.
        OSError: a rename failed (``target`` is put back).
    """
    check_replaceable(target, marker, error, what, kind=kind, legacy=legacy)
    old = None
    if os.path.lexists(target):
        old = _make_temp(target, "old")
        target.rename(old / target.name)
    try:
        new.rename(target)
    except OSError:
        if old is not None:
            (old / target.name).rename(target)
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _cannot_write(what: str, target: Path, err: OSError) -> str:
    where = f" ({err.filename})" if err.filename else ""
    return (f"cannot write the {what} {target}: {err.strerror or err}{where}; choose a folder you can write to, on a "
            "writable disk")


@contextmanager
def folder_in_place(target: Path, marker: str, error: type[ChainKGError] = ExportError,
                    what: str = "chainkg output", readable: bool = True, *, kind: str | None = None,
                    legacy: Legacy | None = None) -> Iterator[Path]:
    """Build a folder aside and put it in place of ``target`` when the ``with`` block ends without an error.

    Yields a fresh folder (``.NAME.new-XXXX/NAME`` beside ``target``); the block writes everything into it, the
    marker included. On success it replaces ``target`` by renames (:func:`replace_dir`); on any failure it is removed
    and ``target`` is left as it was. Temporary folders of earlier, interrupted writes are removed first
    (:func:`clean_leftovers`). An ``OSError`` becomes ``error`` with the target named.

    Args:
        target: the folder to create or replace (refused early if it is not ours: see :func:`check_replaceable`).
        marker: the marker file's name.
        error: the exception class for failures.
        what: how to name the folder in messages.
        readable: give files and folders the permissions a plain write would (else the folder is private).
        kind: the kind the marker must name (see :func:`check_replaceable`).
        legacy: recognises markers of earlier versions.
    """
    target = Path(target)
    check_replaceable(target, marker, error, what, kind=kind, legacy=legacy)
    wrapper = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target)
        wrapper = _make_temp(target, "new")
        tmp = wrapper / target.name
        tmp.mkdir(mode=0o700)
    except OSError as err:
        if wrapper is not None:
            shutil.rmtree(wrapper, ignore_errors=True)
        raise error(f"cannot write the {what} {target}: cannot create a folder in {target.parent}: "
                    f"{err.strerror or err}; choose a folder you can write to") from err
    try:
        yield tmp
        if readable:
            for path in [tmp, *tmp.rglob("*")]:
                os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~UMASK)
        replace_dir(tmp, target, marker, error, what, kind=kind, legacy=legacy)
    except OSError as err:
        raise error(_cannot_write(what, target, err)) from err
    finally:
        shutil.rmtree(wrapper, ignore_errors=True)
