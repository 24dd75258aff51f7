"""Benchmark of ``chainkg ingest enterprises``: a generated register of N rows judged against the Jinan data, in a
child process whose peak RSS is read from ``resource.getrusage``. Run from the repository root:
``python -m benchmarks.ingest --rows 100000`` (``--rows 1000000`` for the issue 11 goal: < 3 min, < 2 GB).

The register is plain and valid (a checksum-valid credit code per row, a district column or an address, a GB/T code
drawn from the segments' codes and a few others, a business scope naming a segment for a third of the rows, a few
qualifications, one row in fifty a duplicate of an earlier one); it measures the ingest, not the reader's damage
handling. Prints one line per step (``--apply``: also the merge into a copy of the Jinan data and a build of
it); measures, never asserts.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg import paths
from kg.identifiers import uscc_check_char
from kg.tables import SPECS, iter_table

DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117",
             "370124", "370126")
NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
OTHER_CODES = ("5191", "7212", "4710", "1810", "3311", "5261", "6422")
TAGS = ("", "", "", "专精特新", "高新技术企业", "专精特新;高新技术企业", "专精特新小巨人")


def write_register(path: Path, rows: int, seed: int = 0) -> None:
    """A register of ``rows`` rows (UTF-8 CSV)."""
    rng = random.Random(seed)
    data = paths.default_data_dir()
    segments = list(iter_table(data / "segments.csv", SPECS["segments.csv"]))
    codes = [c for r in segments for c in r.split("industry_codes") if len(c) == 4] + list(OTHER_CODES)
    words = [r.get("name_zh") for r in segments]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("统一社会信用代码", "企业名称", "住所", "所属区县", "行业代码", "经营范围", "资质"))
        for i in range(rows):
            n = rng.randrange(i) if i > 50 and rng.random() < 0.02 else i  # a duplicate now and then
            division = DISTRICTS[n % len(DISTRICTS)]
            first17 = f"91{division}MA{n:07d}"[:17]
            code = first17 + uscc_check_char(first17)
            district = NAMES[division] if n % 3 else ""
            address = f"山东省济南市{NAMES[division]}测试路{n % 997}号"
            scope = f"{rng.choice(words)}；技术开发、技术咨询" if n % 3 == 0 else "技术开发、技术咨询、技术服务"
            out.writerow((code, f"测试企业{n}有限公司", address, district, rng.choice(codes), scope,
                          TAGS[n % len(TAGS)]))


def _child(step: str, register: str, out: str, data: str) -> None:
    from kg.data.review import apply_review, write_review

    started = time.perf_counter()
    result: dict = {}
    if step == "ingest":
        summary = write_review(Path(register), Path(data), Path(out), title="benchmark register")
        result = {"status": summary["status"], "enterprises": summary["enterprises"]}
    elif step == "apply":
        result = apply_review(Path(out), Path(data))
    else:
        from kg.build import build_store

        store = build_store(Path(data), Path(out).with_name("store"))
        result = {"quads": store.info.get("quads")}
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step": step, "seconds": round(seconds, 1), "peak_rss_mb": round(peak), **result},
                     ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--apply", action="store_true", help="Also merge into a copy of the data, then build it.")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "register.csv"
        data = Path(tmp) / "data"
        shutil.copytree(paths.default_data_dir(), data)
        started = time.perf_counter()
        write_register(register, args.rows)
        made = time.perf_counter() - started
        print(f"{args.rows:,} rows ({register.stat().st_size / 1e6:.0f} MB, written in {made:.1f} s)", flush=True)
        for step in ("ingest", "apply", "build") if args.apply else ("ingest",):
            result = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--child", step, str(register),
                                     str(Path(tmp) / "review"), str(data)], capture_output=True, text=True)
            print(result.stdout.strip() or result.stderr.strip()[-2000:], flush=True)


if __name__ == "__main__":
    main()
