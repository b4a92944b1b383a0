"""Fits the aperture calibration (training/models/calibration.py) of a trained generator on the validation split
and evaluates it on test, held-out-voice test and real speech, with and without calibration.

Blend rule (RULE), fixed before any test number was seen. Writes <run>/calibration.json (knots, blend, metrics) for export_onnx.py --calibration.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see evaluate_models.py

import argparse
import json
from pathlib import Path

import numpy as np

from training.evaluate_models import held_out_voices, load_generator
from training.models.calibration import ApertureCalibration, Calibrated, fit_aperture_map
from training.models.common import log, setup_threads, speech_only, write_json
from training.models.data import load_split
from training.models.metrics import aperture, evaluate, predict
from training.train_generator import load_encoders

BLENDS = (0.25, 0.5, 0.75, 1.0)
RULE = ("the largest blend in (0.25, 0.5, 0.75, 1) whose validation MTM is at most 1 ms worse and whose validation "
        "aperture r is at most 0.005 lower than the uncalibrated generator's")
KEYS = ("mtm_ms", "lve_mm2", "aperture_r", "plrs", "bilabial_mm", "open_vowel_mm", "dslcc", "jitter_mm")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--run", required=True, help="training run folder (training/build/models)")
    ap.add_argument("--generator", default="gen-geo/generator.pt")
    ap.add_argument("--mtm-clips", type=int, default=120)
    ap.add_argument("--out", help="where calibration.json goes (default <run>/calibration.json)")
    args = ap.parse_args()
    setup_threads()
    run, corpus = Path(args.run), Path(args.corpus)
    g = load_generator(run / args.generator)
    val = speech_only(load_split(corpus, "val"))
    pv = predict(g, val)
    a_pred = np.concatenate([aperture(p) for p in pv])
    a_teach = np.concatenate([aperture(u.lips) for u in val])
    base = evaluate(val, pv, mtm_max_clips=args.mtm_clips)
    log(f"val uncalibrated: " + json.dumps({k: base.get(k) for k in KEYS}))
    rows = {"val": {"none": {k: base.get(k) for k in KEYS}}}
    chosen, maps = 0.0, {}
    for b in BLENDS:
        x, y = fit_aperture_map(a_pred, a_teach, blend=b)
        cal = ApertureCalibration(x, y)
        maps[b] = cal
        r = evaluate(val, predict(Calibrated(g, cal), val), mtm_max_clips=args.mtm_clips)
        rows["val"][str(b)] = {k: r.get(k) for k in KEYS}
        log(f"val blend {b}: " + json.dumps(rows["val"][str(b)]))
        if r["mtm_ms"] <= base["mtm_ms"] + 1.0 and r["aperture_r"] >= base["aperture_r"] - 0.005:
            chosen = b
    log(f"chosen blend: {chosen}")
    metric = load_encoders(run / "enc-metric" / "encoders.pt")
    test = speech_only(load_split(corpus, "test"))
    real = speech_only(load_split(corpus, "real"))
    held = held_out_voices(corpus, test)
    models = {"none": g, **({str(chosen): Calibrated(g, maps[chosen])} if chosen else {})}
    for split, utts in (("test", test), ("test_heldout", [u for u in test if u.voice in held]), ("real", real)):
        rows[split] = {}
        for name, model in models.items():
            r = evaluate(utts, predict(model, utts), encoders=metric, mtm_max_clips=args.mtm_clips)
            rows[split][name] = r
            log(f"{split} {name}: " + json.dumps({k: r.get(k) for k in KEYS}))
    out = {"generator": args.generator, "blend": chosen, "rule": RULE, "metrics": rows}
    if chosen:
        out["map"] = maps[chosen].manifest()
        out["knots_m"] = maps[chosen].knots_json()
    dest = Path(args.out) if args.out else run / "calibration.json"
    write_json(dest, out)
    log(f"-> {dest}")


if __name__ == "__main__":
    main()
