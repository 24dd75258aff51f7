"""The store folder on disk: who owns it, which version is live, and the locks that let processes share it.

Layout (3) of a store folder ``S``::

    S/chainkg-store.json   {"generator": "chainkg", "kind": "store", "layout": 3}: proves the folder is ours
    S/.lock                writers hold an exclusive flock on it (its text: the holder's pid)
    S/current -> v-…       a relative symlink to the live version, replaced atomically (symlink + rename)
    S/v-…/                 one version: oxigraph/ (the database), build.json (its record, written last), graph.nq

Readers resolve ``current``, take a shared flock on that version's ``build.json`` for as long as they use it, and
check that ``current`` still points there (else retry). Writers serialise on ``S/.lock``, write a new version beside
the live one, swap ``current``, and delete a version only when they can take its lock without waiting (no reader
has it open); whatever they cannot delete yet, the next writer does. A kill at any point leaves either the old or
the new version live: the swap is one rename.

A folder written by earlier versions (``build.json`` and ``oxigraph/`` at the top, layout 2) is read as it is and
replaced by the first write; its leftovers from an interrupted replace (``.S.new-…``/``.S.old-…`` beside it) are
adopted or removed by that write. Nothing else in a folder is ever deleted: a non-empty folder that is not ours is
refused.

Locks are ``fcntl.flock`` (Linux and macOS), released by the kernel when a process dies: no stale lock files.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import StoreError

log = logging.getLogger(__name__)

LAYOUT = 3
OWNER_FILE = "chainkg-store.json"
OWNER = {"generator": "chainkg", "kind": "store", "layout": LAYOUT}
INFO_FILE = "build.json"
DATABASE = "oxigraph"
CURRENT = "current"
LOCK_FILE = ".lock"
VERSION_PREFIX = "v-"
#: What a layout-2 store holds at its top (a version folder holds the same).
LEGACY = frozenset({INFO_FILE, DATABASE, "graph.nq"})
#: Names this module creates inside a store folder (anything else is the user's and is never touched).
_OURS = re.compile(r"^(chainkg-store\.json|\.lock|current|v-[\w.-]+|\.trash-[\w.-]+|\.current-[\w]+|"
                   r"\.chainkg-store\.json\.[\w]+\.tmp)$")
#: How long a writer waits for another writer before giving up (seconds); ``CHAINKG_STORE_WAIT`` overrides it.
WAIT_SECONDS = 600.0
_POLL = 0.05

_local = threading.local()  # .held: resolved store path -> [lock file, depth]: a thread re-enters its own lock


def wait_seconds() -> float:
    """How long a writer waits for the store's lock: ``CHAINKG_STORE_WAIT`` (seconds, 0 = fail at once) or 10 min."""
    try:
        return max(0.0, float(os.environ.get("CHAINKG_STORE_WAIT", WAIT_SECONDS)))
    except ValueError:
        return WAIT_SECONDS


def live_folder(path: Path) -> Path | None:
    """The folder of the live version: ``S/current``'s target, ``S`` itself for a layout-2 store, else ``None``."""
    link = path / CURRENT
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        target = None
    except OSError as err:
        if err.errno == errno.EINVAL:  # `current` is not a symlink: not something we wrote
            return None
        if err.errno in (errno.ENOTDIR, errno.ENOENT):
            return None
        raise StoreError(f"cannot read the store at {path}: {err}") from err
    if target is not None:
        return path / target if _is_version_name(target) else None
    return path if (path / INFO_FILE).is_file() and (path / DATABASE).is_dir() else None


def _is_version_name(name: str) -> bool:
    return name.startswith(VERSION_PREFIX) and "/" not in name and name not in (".", "..")


def attach_reader(path: Path, deadline: float) -> tuple[Path, IO[bytes], dict]:
    """Find the live version and hold a shared lock on it: returns its folder, the open lock file and its record.

    The lock lasts until the returned file is closed; a writer then cannot delete the version.

    Raises:
        StoreError: there is no store, its record is unreadable, or the version kept changing until ``deadline``.
    """
    while True:
        folder = live_folder(path)
        if folder is None:
            raise StoreError(f"no chainkg store at {path} (build one with `chainkg build`)")
        try:
            handle = open(folder / INFO_FILE, "rb")  # noqa: SIM115 - held for the life of the Store
        except FileNotFoundError:
            if live_folder(path) == folder:  # not a swap: the link names a version that is gone
                raise damaged(path, f"{CURRENT} names {folder.name}, which is missing or incomplete") from None
            handle = None  # swapped and removed between the two steps: look again
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}") from err
        if handle is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                locked = True
            except BlockingIOError:
                locked = False  # a writer is deleting this version
            if locked and live_folder(path) == folder:
                try:
                    info = json.loads(handle.read().decode("utf-8"))
                except (OSError, ValueError) as err:
                    handle.close()
                    raise damaged(path, f"{INFO_FILE}: {err}") from err
                if not isinstance(info, dict):
                    handle.close()
                    raise damaged(path, f"{INFO_FILE} is not a JSON object")
                return folder, handle, info
            handle.close()
        if time.monotonic() > deadline:
            raise StoreError(f"the store at {path} kept changing while it was opened; try again")
        time.sleep(_POLL)


def damaged(path: Path, why: object) -> StoreError:
    """The error for a store whose files are broken (truncated, deleted, garbled)."""
    return StoreError(f"the store at {path} is damaged ({why}); run `chainkg build` to rebuild it")


def check_ours(path: Path) -> None:
    """Refuse a folder that chainkg may not write into: it exists, is not empty, and is not a chainkg store.

    A store is ours when it holds ``chainkg-store.json`` naming chainkg, or when it looks exactly like a layout-2
    store (``build.json`` with a ``quads`` count, ``oxigraph/``, and nothing else but names this module writes).

    Raises:
        StoreError: the folder is someone else's (nothing in it is touched).
    """
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir():
        raise StoreError(f"{path} exists and is not a folder; choose another store folder with --store")
    try:
        owner = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        owner = None
    if isinstance(owner, dict) and owner.get("generator") == "chainkg" and owner.get("kind") == "store":
        if isinstance(owner.get("layout"), int) and owner["layout"] > LAYOUT:
            raise StoreError(f"the store at {path} was written by a newer chainkg (layout {owner['layout']}); "
                             "use that version or another --store folder")
        return
    try:
        names = {p.name for p in path.iterdir()}
    except OSError as err:
        raise StoreError(f"cannot read the store folder {path}: {err}") from err
    if all(_OURS.match(name) for name in names) or _is_legacy(path, names):
        return  # empty, or only what a write killed before it wrote the owner file leaves
    raise StoreError(f"{path} is not empty and is not a chainkg store (no {OWNER_FILE}); refusing to write into "
                     "it: choose a new or empty folder with --store")


def _is_legacy(path: Path, names: set[str]) -> bool:
    """``path`` looks exactly like a store written by layout 2 (perhaps with our own lock or versions beside)."""
    if not {INFO_FILE, DATABASE} <= names or not (path / DATABASE).is_dir():
        return False
    if any(name not in LEGACY and not _OURS.match(name) for name in names):
        return False
    try:
        info = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and "quads" in info


@contextmanager
def writer_lock(path: Path, wait: float | None = None, purpose: str = "write") -> Iterator[float]:
    """Hold the store's writer lock: wait for another writer up to ``wait`` seconds (:func:`wait_seconds`); yields
    the seconds waited. ``purpose`` names the write in messages ("cannot rebuild the store at …").

    Creates the folder (and its owner file) when needed, and on entry removes what dead writers left. Re-entrant
    within a process. When the folder was created here and no version was published, it is removed again.

    Raises:
        StoreError: the folder is not ours, cannot be created or written, or another writer held the lock too long.
    """
    key = str(path.resolve())
    _held = _local.__dict__.setdefault("held", {})
    if key in _held:
        _held[key][1] += 1
        try:
            yield 0.0
        finally:
            _held[key][1] -= 1
        return
    check_ours(path)
    created = not path.exists()
    asked = time.perf_counter()
    handle = _acquire(path, wait_seconds() if wait is None else wait, purpose)
    waited = time.perf_counter() - asked
    _held[key] = [handle, 1]
    try:
        _claim(path)
        sweep(path)
        yield waited
    finally:
        del _held[key]
        if created and live_folder(path) is None:
            _remove_empty_store(path)
        handle.close()


def _acquire(path: Path, wait: float, purpose: str) -> IO[bytes]:
    deadline = time.monotonic() + wait
    lock = path / LOCK_FILE
    while True:
        try:
            path.mkdir(parents=True, exist_ok=True)
            handle = open(lock, "a+b")  # noqa: SIM115 - held until the write ends
        except OSError as err:
            if isinstance(err, FileNotFoundError) and path.parent.is_dir() and time.monotonic() < deadline:
                continue  # the folder was removed by a writer whose first build failed: create it again
            raise StoreError(f"cannot {purpose} the store at {path}: {err.strerror or err} "
                             f"({err.filename or path}); choose a writable folder with --store") from err
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            if time.monotonic() >= deadline:
                raise StoreError(f"another chainkg build is running on {path} (pid {holder}); try again when it "
                                 "ends") from None
            time.sleep(_POLL * 4)
            continue
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the file was unlinked by the writer we waited for: lock the one now at the path
            handle.truncate(0)
            handle.write(str(os.getpid()).encode())
            handle.flush()
            return handle
        handle.close()


def _holder(handle: IO[bytes]) -> str:
    try:
        handle.seek(0)
        return handle.read(32).decode("ascii", "replace").strip() or "unknown"
    except OSError:
        return "unknown"


def _claim(path: Path) -> None:
    """Write the owner file (atomically) if it is missing or older."""
    try:
        owner = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        owner = None
    if owner == OWNER:
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{OWNER_FILE}.", suffix=".tmp", dir=path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(OWNER) + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path / OWNER_FILE)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_empty_store(path: Path) -> None:
    """Undo the creation of a store folder whose first write failed (the lock is still held here)."""
    for name in (OWNER_FILE, LOCK_FILE):
        try:
            (path / name).unlink()
        except OSError:
            pass
    try:
        path.rmdir()
    except OSError:
        pass


def new_version(path: Path) -> Path:
    """A new, empty version folder (the writer lock must be held)."""
    return Path(tempfile.mkdtemp(prefix=f"{VERSION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-", dir=path))


def publish(path: Path, folder: Path) -> None:
    """Make ``folder`` the live version by one rename of a fresh symlink over ``current``."""
    link = path / f".current-{secrets.token_hex(6)}"
    os.symlink(folder.name, link)
    try:
        os.replace(link, path / CURRENT)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    _sync_dir(path)


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep(path: Path) -> None:
    """Remove what is no longer live (the writer lock must be held): versions no reader holds, unfinished ones,
    temporary links, a layout-2 store replaced by a version, and layout-2 leftovers beside the folder."""
    live = live_folder(path)
    if live is None:
        _adopt_legacy_leftover(path)
        live = live_folder(path)
    for entry in sorted(path.iterdir()):
        name = entry.name
        if name.startswith(".trash-") or (name.startswith(".current-") and entry.is_symlink()) \
                or (name.startswith(f".{OWNER_FILE}.") and name.endswith(".tmp")):
            _remove(entry)
        elif name.startswith(VERSION_PREFIX) and entry.is_dir() and not entry.is_symlink() and entry != live:
            _remove_unless_read(entry, entry / INFO_FILE)
    if live is not None and live != path and (path / DATABASE).exists():
        _remove_legacy_top(path)
    for entry in _legacy_siblings(path):
        _remove(entry)


def _remove_unless_read(folder: Path, lock: Path) -> bool:
    """Delete a version unless a reader holds its lock (then leave it for a later writer)."""
    try:
        handle = open(lock, "rb")  # noqa: SIM115
    except FileNotFoundError:
        handle = None  # an unfinished version: no reader can have it
    except OSError:
        return False
    try:
        if handle is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        trash = folder.with_name(f".trash-{folder.name}")
        try:
            folder.rename(trash)
        except OSError:
            return False
    finally:
        if handle is not None:
            handle.close()
    _remove(trash)
    return True


def _remove_legacy_top(path: Path) -> None:
    """Remove a layout-2 store's files from the top of ``path`` once a version is live (unless still read)."""
    trash = Path(tempfile.mkdtemp(prefix=".trash-legacy-", dir=path))
    lock = None
    try:
        if (path / INFO_FILE).exists():
            lock = open(path / INFO_FILE, "rb")  # noqa: SIM115
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
        for name in (INFO_FILE, DATABASE, "graph.nq"):  # the record first: what stays is no longer a store
            if (path / name).exists():
                (path / name).rename(trash / name)
    except OSError as err:
        log.warning("could not remove the old store files in %s: %s", path, err)
    finally:
        if lock is not None:
            lock.close()
        _remove(trash)


def _legacy_siblings(path: Path) -> list[Path]:
    """Folders an interrupted layout-2 replace left beside the store (``.S.new-xxxxxxxx``, ``.S.old-xxxxxxxx``)."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(new|old)-[A-Za-z0-9_]{{8}}$")
    try:
        siblings = [p for p in path.parent.iterdir() if pattern.match(p.name) and p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    out = []
    for folder in siblings:
        try:
            if {p.name for p in folder.iterdir()} <= LEGACY:
                out.append(folder)
        except OSError:
            continue
    return out


def _adopt_legacy_leftover(path: Path) -> None:
    """No live version: a complete layout-2 store left beside the folder by a kill between its two renames becomes
    the live version (so a restored snapshot is not silently rebuilt from the tables)."""
    complete = [p for p in _legacy_siblings(path) if (p / INFO_FILE).is_file() and (p / DATABASE).is_dir()]
    if not complete:
        return
    newest = max(complete, key=lambda p: (p / INFO_FILE).stat().st_mtime_ns)
    folder = new_version(path)
    folder.rmdir()
    newest.rename(folder)
    publish(path, folder)
    log.info("adopted %s, left by an interrupted write, as the store at %s", newest, path)


def _remove(entry: Path) -> None:
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    except FileNotFoundError:
        pass
    except OSError as err:
        log.warning("could not remove %s: %s", entry, err)
