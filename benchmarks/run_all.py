"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same run."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_parse.py", "bench_incremental.py", "bench_backfill.py", "bench_site.py", "bench_digest.py", "bench_poll.py",
           "bench_entity_list.py"]

if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for name in BENCHES:
        print(f"\n==== {name} ====", flush=True)
        try:
            runpy.run_path(str(HERE / name), run_name="__main__")
        except SystemExit as exc:   # a benchmark that ends with sys.exit(main()) must not end the others
            if exc.code not in (0, None):
                print(f"{name} exited with {exc.code}")
