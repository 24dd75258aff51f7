"""Soak (issue 10): 8 readers and 2 writers on one store for ``CHAINKG_SOAK_SECONDS`` (60 by default).

One writer rebuilds the store from data A, the other restores a snapshot of data B into it, over and over; the
readers ask ``chainkg stats --format json --data A`` all the while. Every answer must be A's or B's (a restored store
is used as it is; a build of A is fresh), no command may fail except with the clear "busy" message, and the folder
holds no temporary leftovers afterwards.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter

from conftest import BUSY, MINI, add_enterprise, chainkg_process, store_leftovers

SECONDS = float(os.environ.get("CHAINKG_SOAK_SECONDS", "60"))
READERS = 8


def _run(*args, cache) -> tuple[int, str, str]:
    process = chainkg_process(*args, cache=cache)
    out, err = process.communicate(timeout=600)
    return process.returncode, out, err


def test_eight_readers_and_two_writers_see_the_old_or_the_new_store(tmp_path):
    a, b, cache = tmp_path / "a", tmp_path / "b", tmp_path / "cache"
    shutil.copytree(MINI, a)
    shutil.copytree(MINI, b)
    add_enterprise(b)
    store, snap = tmp_path / "store", tmp_path / "snap"
    store_b = tmp_path / "store-b"
    assert _run("export", "-o", snap, "--format", "nq", "--data", b, "--store", store_b, cache=cache)[0] == 0
    expected = {"a": _run("stats", "--format", "json", "--data", a, "--store", store, cache=cache)[1],
                "b": _run("stats", "--format", "json", "--data", b, "--store", store_b, cache=cache)[1]}
    assert expected["a"] != expected["b"]
    answers: Counter[str] = Counter()
    writes: Counter[str] = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def note(kind: str, code: int, out: str, err: str, counter: Counter, answer: str | None = None) -> None:
        with lock:
            if code == 0 and answer is not None:
                counter[answer] += 1
            elif code == 0:
                counter[kind] += 1
            elif code == 1 and err.startswith(f"Error: {BUSY}") and "Traceback" not in err:
                counter["busy"] += 1
            else:
                problems.append(f"{kind} exited {code}: {err.strip()[-500:]}")

    def reader() -> None:
        while time.monotonic() < stop:
            code, out, err = _run("stats", "--format", "json", "--data", a, "--store", store, cache=cache)
            answer = next((name for name, text in expected.items() if out == text), None)
            if code == 0 and answer is None:
                with lock:
                    problems.append(f"an answer that is neither A's nor B's: {out[:300]}")
            note("stats", code, out, err, answers, answer)
            time.sleep(0.2)

    def writer(*args: str) -> None:
        while time.monotonic() < stop:
            note(args[0], *_run(*args, "--store", store, cache=cache), writes)
            time.sleep(0.1)

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    threads += [threading.Thread(target=writer, args=("build", "--data", str(a))),
                threading.Thread(target=writer, args=("restore", str(snap), "--data", str(a)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"soak {SECONDS:g} s: answers {dict(answers)}, writes {dict(writes)}, problems {len(problems)}")
    assert not problems, problems[:5]
    assert answers["a"] and answers["b"], "the readers saw both stores while the writers swapped them"
    assert writes["build"] and writes["restore"]
    left = store_leftovers(store)
    assert all(name.startswith("v-") and (store / name / "build.json").is_file() for name in left), \
        f"only whole versions that a reader still held at the last write may remain: {left}"
    assert _run("build", "--data", a, "--store", store, cache=cache)[0] == 0
    assert store_leftovers(store) == []
