"""The numpy/scipy metric reference and the fixtures the TypeScript metrics are checked against."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from training.reference import make_metric_fixtures, metrics_reference as ref

ROOT = Path(__file__).resolve().parents[2]


def assert_same(a, b, where="$"):
    """Equal structure; floats to 1e-12 relative (numpy's SIMD exp may differ by an ulp across CPUs)."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_committed_metric_fixtures_are_what_the_generator_writes(tmp_path):
    for path in make_metric_fixtures.write_all(tmp_path):
        committed = ROOT / "test" / "fixtures" / "metrics" / path.name
        assert committed.exists(), f"missing {committed}: run python -m training.reference.make_metric_fixtures"
        if path.suffix == ".json":
            assert_same(json.loads(path.read_text()), json.loads(committed.read_text()), path.name)
        else:
            assert path.read_bytes() == committed.read_bytes(), f"{path.name} is stale"


def test_fixtures_stay_small():
    total = sum(p.stat().st_size for p in (ROOT / "test" / "fixtures" / "metrics").iterdir())
    assert total < 500_000


@pytest.mark.parametrize("k", range(7))
def test_mtm_of_a_delayed_copy_is_the_delay(k):
    gt = make_metric_fixtures.paper_signal()
    result = ref.mtm(gt, make_metric_fixtures.delayed(gt, k))
    assert result["mtm_frames"] == k
    assert result["matches"] == 11


def test_paper_golden_and_edge_cases():
    flat = np.full(30, 0.01)
    assert ref.mtm(flat, flat)["mtm_frames"] is None
    assert ref.mtm(np.linspace(0, 1, 20) ** 2, np.linspace(0, 1, 25) ** 3)["matches"] == 0
    with pytest.raises(ValueError):
        ref.mtm(np.array([0.0, np.nan, 1.0]), np.zeros(3))


def test_ddtw_of_identical_signals_is_the_diagonal():
    x = make_metric_fixtures.paper_signal(40)
    cost, path = ref.ddtw_path(x, x)
    assert cost == 0.0
    assert path == [(i, i) for i in range(40)]


def test_slcc_drops_single_clip_and_constant_speakers():
    out = json.loads((ROOT / "test" / "fixtures" / "metrics" / "slcc.json").read_text())
    assert out["expected"]["rows"] == len(out["rows"]) - 4
    assert -1.0 <= out["expected"]["overall"] <= 1.0
