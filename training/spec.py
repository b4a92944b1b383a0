"""The shared specs in ../spec, read exactly as src/ reads them (one source of truth)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"


def _load(name: str) -> dict:
    return json.loads((SPEC_DIR / name).read_text())


FEATURES = _load("features-v1.json")
LIPS = _load("lips-v1.json")

#: lips-v1 neutral positions, shape (21, 3), metres, head frame.
LIPS_NEUTRAL = np.array([p["neutral"] for p in LIPS["points"]], dtype=np.float64)
LIPS_POINT_COUNT = int(LIPS["pointCount"])
LIPS_GROUPS = LIPS["groups"]
JAW_PIVOT = np.array(LIPS["jawPivot"], dtype=np.float64)


def spec_hash(name: str) -> str:
    """sha256 of the spec file's canonical JSON (sorted keys, no whitespace), as src/ computes it."""
    canonical = json.dumps(_load(name), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
