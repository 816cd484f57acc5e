"""benchmarks/bench_firm_study.py runs the study file of the CLI with the generated data as
its ``[data] path`` (every other key as the template has it)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_firm_study.py"


def _bench():
    sys.path.insert(0, str(BENCH.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_firm_study", BENCH)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCH.parent))
    return mod


def test_study_file_sets_the_data_path_and_keeps_the_rest(tmp_path):
    bench = _bench()
    template = tmp_path / "template.toml"
    template.write_text('[data]\n# path = "transactions/"  # unset\ninvalid = "drop"\n\n[shock]\nshock_year = 2010\n'
                        '\n[engine]\nthreads = 1\n', encoding="utf-8")
    data = tmp_path / "tx"
    out = tmp_path / "study.toml"
    bench.study_file(out, data, template)
    parsed = tomllib.loads(out.read_text(encoding="utf-8"))
    assert parsed == {"data": {"path": data.as_posix(), "invalid": "drop"}, "shock": {"shock_year": 2010},
                      "engine": {"threads": 1}}
    # a file without a [data] section gets one
    template.write_text("[shock]\nshock_year = 2009\n", encoding="utf-8")
    bench.study_file(out, data, template)
    assert tomllib.loads(out.read_text(encoding="utf-8"))["data"] == {"path": data.as_posix()}
