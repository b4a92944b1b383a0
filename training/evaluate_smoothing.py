"""What the runtime's playout smoothing does to the shipped generator's lips, against the teacher.

Simulates src/playout: the 50 fps generator frames are linearly interpolated at 60 Hz render ticks,
sampled `smoothingLagSec` ahead (as the behavior does for played sources), and passed through the
critically damped spring of src/playout/smoothing.ts (exact step, target held over the step); the shown
lips are resampled at the 50 fps frame times and scored like the generator (training/models/metrics.py).

Rule for the default time constant, fixed before any test number was seen: the smallest LVE on the
validation split. Writes <run>/smoothing.json.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see evaluate_models.py

import argparse
import json
from pathlib import Path

import numpy as np

from training.evaluate_models import load_generator
from training.models.calibration import ApertureCalibration, Calibrated
from training.models.common import log, setup_threads, speech_only, write_json
from training.models.data import load_split
from training.models.metrics import evaluate, predict

RENDER_HZ = 60.0
FPS = 50.0
TIME_CONSTANTS_MS = (0, 5, 8, 10, 12, 15, 20)
KEYS = ("mtm_ms", "lve_mm2", "aperture_r", "bilabial_mm", "open_vowel_mm", "jitter_mm", "jitter_teacher_mm")


def smoothing_lag_sec(tc_ms: float, dt: float) -> float:
    return 0.0 if tc_ms <= 0 else max(0.0, 2 * tc_ms / 1000 - dt / 2)


def shown(frames: np.ndarray, tc_ms: float) -> np.ndarray:
    """(T, 63) frames at 50 fps -> what the playout shows, resampled at the frame times (T, 63)."""
    T = frames.shape[0]
    ft = np.arange(T) / FPS
    dt = 1.0 / RENDER_HZ
    ticks = np.arange(0.0, (T - 1) / FPS + 1e-9, dt)
    lead = smoothing_lag_sec(tc_ms, dt)
    target = np.stack([np.interp(np.minimum(ticks + lead, ft[-1]), ft, frames[:, c]) for c in range(frames.shape[1])], 1)
    if tc_ms <= 0:
        out = target
    else:
        w, e = 1000.0 / tc_ms, np.exp(-1000.0 / tc_ms * dt)
        x, v = target[0].copy(), np.zeros(frames.shape[1])
        out = np.empty_like(target)
        out[0] = x
        for k in range(1, len(ticks)):
            y = x - target[k]
            c = v + w * y
            x = target[k] + (y + c * dt) * e
            v = (v - w * c * dt) * e
            out[k] = x
    return np.stack([np.interp(ft, ticks, out[:, c]) for c in range(frames.shape[1])], 1).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--generator", default="gen-geo/generator.pt")
    ap.add_argument("--calibration", default="calibration.json", help="in --run; '' for none")
    ap.add_argument("--mtm-clips", type=int, default=200)
    args = ap.parse_args()
    setup_threads()
    run, corpus = Path(args.run), Path(args.corpus)
    g = load_generator(run / args.generator)
    cal = ApertureCalibration.load(run / args.calibration) if args.calibration else None
    if cal:
        g = Calibrated(g, cal)
    rows: dict = {}
    splits = {"val": speech_only(load_split(corpus, "val")), "test": speech_only(load_split(corpus, "test"))}
    preds = {s: predict(g, u) for s, u in splits.items()}
    for tc in TIME_CONSTANTS_MS:
        r = evaluate(splits["val"], [shown(p, tc) for p in preds["val"]], mtm_max_clips=args.mtm_clips)
        rows.setdefault("val", {})[tc] = {k: r.get(k) for k in KEYS}
        log(f"val tc={tc} ms: " + json.dumps(rows["val"][tc]))
    best = min(TIME_CONSTANTS_MS, key=lambda tc: rows["val"][tc]["lve_mm2"])
    log(f"smallest validation LVE: {best} ms")
    for tc in sorted({0, best, 20}):
        r = evaluate(splits["test"], [shown(p, tc) for p in preds["test"]], mtm_max_clips=args.mtm_clips)
        rows.setdefault("test", {})[tc] = {k: r.get(k) for k in KEYS}
        log(f"test tc={tc} ms: " + json.dumps(rows["test"][tc]))
    write_json(run / "smoothing.json", {"rule": "smallest validation LVE", "chosen_ms": best, "metrics": rows})


if __name__ == "__main__":
    main()
