"""Run every benchmark in bench/, one after the other: `make bench`.

    .venv/bin/python bench/run.py                    # all of them
    .venv/bin/python bench/run.py assignment_list    # some of them, by module name

A benchmark is any module in bench/ (except this one and names starting with
"_") with a `main()` that returns an exit code. Each runs in its own process:
settings are read from the environment once per process, every benchmark
prepares that environment itself, and one that crashes must not take the
figures of the others with it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def benchmark_names() -> list[str]:
    return sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in {"run", "__init__"} and not path.stem.startswith("_")
    )


def main(argv: list[str] | None = None) -> int:
    available = benchmark_names()
    names = list(sys.argv[1:] if argv is None else argv) or available
    unknown = [name for name in names if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        print(f"available: {', '.join(available) or 'none'}", file=sys.stderr)
        return 2

    failed = []
    for name in names:
        print(f"=== bench/{name}.py", flush=True)
        started = time.monotonic()
        code = f"import sys\nfrom bench import {name} as bench\nsys.exit(bench.main())"
        returncode = subprocess.call([sys.executable, "-c", code], cwd=ROOT)
        print(f"=== bench/{name}.py: exit {returncode} in {time.monotonic() - started:.0f} s\n")
        if returncode != 0:
            failed.append(name)

    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
