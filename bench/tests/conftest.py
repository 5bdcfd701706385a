"""The bench scripts import each other by module name (`benchkit`, `drain`), as
`python bench/bench_x.py` does: put bench/ on the path for their tests."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
