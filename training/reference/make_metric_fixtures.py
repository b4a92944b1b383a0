"""Writes the metric fixtures the TypeScript tests check against (test/fixtures/metrics/*.json).

Usage: /usr/bin/python3 -m training.reference.make_metric_fixtures [out_dir]
All inputs are seeded; training/tests/test_metrics_reference.py regenerates them in a temp dir and
asserts they equal the committed files, so the fixtures cannot rot.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from scipy.signal import find_peaks

from training.reference import metrics_reference as ref

ROOT = Path(__file__).resolve().parents[2]


def smooth_random(rng: np.random.Generator, n: int) -> np.ndarray:
    """A lip-opening-like signal in metres: a few random sinusoids (periods 6-30 frames) plus noise."""
    t = np.arange(n)
    s = 0.010 + sum(
        rng.uniform(0.0005, 0.003) * np.sin(2 * np.pi * t / rng.uniform(6, 30) + rng.uniform(0, 2 * np.pi))
        for _ in range(3)
    )
    return s + rng.normal(0, 0.0002, n)


def paper_signal(n: int = 90) -> np.ndarray:
    t = np.arange(n)
    return 0.010 + 0.004 * np.sin(2 * np.pi * t / 15) + 0.002 * np.sin(2 * np.pi * t / 7)


def delayed(x: np.ndarray, k: int) -> np.ndarray:
    return np.concatenate([np.full(k, x[0]), x[: len(x) - k]]) if k else x.copy()


def mtm_cases() -> list[dict]:
    rng = np.random.default_rng(20250325)
    cases = []
    gt = paper_signal()
    for k in range(7):
        cases.append({"name": f"paper_shift_{k}", "gt": gt, "pred": delayed(gt, k), "shift": k})
    for c in range(6):
        n = int(rng.integers(60, 140))
        g = smooth_random(rng, n)
        m = n + int(rng.integers(-10, 11))
        warp = np.clip(np.arange(m) * (n - 1) / max(m - 1, 1) - rng.uniform(0, 3), 0, n - 1)
        p = np.interp(warp, np.arange(n), g) * rng.uniform(0.7, 1.3) + rng.normal(0, 0.0003, m)
        cases.append({"name": f"random_{c}", "gt": g, "pred": p})
    plateau = np.array([0, 1, 2, 2, 2, 1, 0, 0, 0, 1, 3, 3, 1, 0, 2, 2, 2, 2, 1, 0], dtype=np.float64)
    cases.append({"name": "plateaus", "gt": plateau, "pred": np.roll(plateau, 1), "sigma": 0.5})
    cases.append({"name": "constant", "gt": np.full(40, 0.01), "pred": np.full(40, 0.01)})
    # Curved, not linear: a linear ramp has exactly tied DTW costs that 1-ulp exp differences flip.
    cases.append({"name": "monotonic_no_extrema", "gt": np.linspace(0, 1, 30) ** 2, "pred": np.sqrt(np.linspace(0, 2, 35))})
    cases.append({"name": "different_lengths", "gt": paper_signal(90), "pred": delayed(paper_signal(75), 3)})
    for n in (1, 2, 3, 5):
        cases.append({"name": f"short_{n}", "gt": rng.uniform(0, 1, n), "pred": rng.uniform(0, 1, n + 1)})
    out = []
    for case in cases:
        sigma = case.get("sigma", 2.0)
        gt = np.asarray(case["gt"], dtype=np.float64)
        pred = np.asarray(case["pred"], dtype=np.float64)
        entry = {"name": case["name"], "sigma": sigma, "gt": gt.tolist(), "pred": pred.tolist()}
        if "shift" in case:
            entry["shift"] = case["shift"]
        entry["expected"] = ref.mtm(gt, pred, sigma)
        out.append(entry)
    return out


def mesh_cases() -> dict:
    rng = np.random.default_rng(7)
    points, lips = 12, [1, 3, 4, 4, 7, 10]
    gts, preds, templates = [], [], []
    for t in (20, 15):
        tpl = rng.normal(0, 0.05, (points, 3))
        motion = np.cumsum(rng.normal(0, 0.002, (t, points, 3)), axis=0)
        g = tpl[None] + motion
        p = g + rng.normal(0, 0.001, g.shape)
        gts.append(g)
        preds.append(p[: t - 2] if t == 15 else p)
        templates.append(tpl)
    upper = [0, 2, 5, 6, 8]
    return {
        "points": points,
        "lipIndices": lips,
        "upperIndices": upper,
        "gt": [g.ravel().tolist() for g in gts],
        "pred": [p.ravel().tolist() for p in preds],
        "templates": [tpl.ravel().tolist() for tpl in templates],
        "expected": {
            "lve": ref.lve(gts, preds, lips),
            "fdd": ref.fdd(gts, preds, templates, upper),
            "lipIntensity": [ref.lip_intensity(g, lips) for g in gts],
            "lipDistance": ref.lip_distance(gts[0], 3, 10, stride=2).tolist(),
        },
    }


def slcc_case() -> dict:
    rng = np.random.default_rng(11)
    rows = []
    for s in ("M003", "M005", "W009", "W011"):
        for lvl in ("level_1", "level_2", "level_3"):
            for _ in range(4):
                si = rng.uniform(500, 3000) * {"level_1": 0.6, "level_2": 1.0, "level_3": 1.5}[lvl]
                rows.append({"speaker": s, "level": lvl, "si": si, "li": 1e-4 * si * rng.uniform(0.5, 1.5) + rng.uniform(0, 0.05)})
    rows.append({"speaker": "single", "level": "level_1", "si": 1000.0, "li": 0.1})  # dropped: one clip
    rows += [{"speaker": "flat", "level": "level_2", "si": 800.0, "li": 0.05 * k} for k in range(3)]  # dropped: SI constant
    return {"rows": rows, "expected": ref.slcc(rows)}


def plrs_case() -> dict:
    rng = np.random.default_rng(3)
    # 64 samples per frame (not 640) keeps the fixture small; the windowing rule is the same.
    spf = 64
    speech = rng.normal(0, 0.1, 5 * spf * 3 + 90).astype(np.float32)
    mesh = rng.normal(0, 0.01, (17, 4, 3)).astype(np.float32)
    return {
        "samplesPerFrame": spf,
        "speech": speech.astype(np.float64).tolist(),
        "points": 4,
        "mesh": mesh.astype(np.float64).ravel().tolist(),
        "expected": ref.plrs(speech, mesh, samples_per_frame=spf),
    }


def find_peaks_cases() -> list[dict]:
    """Raw (unsmoothed) series with plateaus and edge peaks, and scipy.signal.find_peaks on them."""
    series = [
        [0, 1, 2, 2, 2, 1, 0, 0, 0, 1, 3, 3, 1, 0, 2, 2, 2, 2, 1, 0],
        [5, 1, 1, 4, 4, 4, 4, 0, 2, 2],  # edge value and a trailing plateau are never peaks
        [1, 2, 2, 3, 1, 1, 0, 4],
        [0, 0, 0],
        [1],
        [],
    ]
    return [{"x": s, "peaks": find_peaks(np.asarray(s, dtype=np.float64))[0].tolist()} for s in series]


def cli_files() -> dict[str, bytes]:
    """Small inputs for the CLI tests and the README example: a lips-v1 clip at 25 fps, a prediction
    2 frames late, their lip-distance signals (JSON and .npy) and 8 kHz PCM16 speech whose loudness
    follows the mouth speed (what SLCC-style coupling measures)."""
    import io
    import wave

    from training.spec import LIPS_NEUTRAL

    rng = np.random.default_rng(5)
    fps, frames = 25, 60
    t = np.arange(frames) / fps
    opening = 0.004 * (1 + np.sin(2 * np.pi * t / 0.44)) * (0.6 + 0.4 * np.sin(2 * np.pi * t / 1.7) ** 2)
    weights = np.zeros(21)
    weights[[8, 9, 10, 11, 12]] = 0.8
    weights[[18, 19, 20]] = 1.0
    weights[0] = 1.2

    def clip(open_mm):
        pts = np.repeat(LIPS_NEUTRAL[None], len(open_mm), axis=0)
        pts[:, :, 1] -= open_mm[:, None] * weights[None, :]
        return np.round(pts, 6)

    gt = clip(opening)
    pred = clip(np.concatenate([np.full(2, opening[0]), opening[:-2]]) + rng.normal(0, 1e-4, frames))

    def track(p):
        return (json.dumps({"layout": "lips-v1", "fps": fps, "frames": p.tolist()}, separators=(",", ":")) + "\n").encode()

    def dist(p):
        return np.linalg.norm(p[:, 15] - p[:, 19], axis=1)

    sr = 8000
    ts = np.arange(int(sr * frames / fps)) / sr
    speed = np.abs(np.gradient(opening))
    loud = np.interp(ts, t, speed / speed.max())
    audio = np.clip(np.round(rng.normal(0, 0.25, ts.size) * loud * 32767), -32768, 32767).astype("<i2")
    wav = io.BytesIO()
    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(audio.tobytes())
    npy = io.BytesIO()
    np.save(npy, dist(pred).astype("<f4"))
    return {
        "cli_gt_lips.json": track(gt),
        "cli_pred_lips.json": track(pred),
        "cli_gt_lip_distance.json": (json.dumps([round(float(v), 9) for v in dist(gt)]) + "\n").encode(),
        "cli_pred_lip_distance.npy": npy.getvalue(),
        "cli_speech.wav": wav.getvalue(),
    }


def write_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    header = "Generated by training/reference/make_metric_fixtures.py; do not edit."
    files = {
        "mtm_cases.json": {"$comment": header, "cases": mtm_cases()},
        "mesh_metrics.json": {"$comment": header, **mesh_cases()},
        "slcc.json": {"$comment": header, **slcc_case()},
        "plrs.json": {"$comment": header, **plrs_case()},
        "find_peaks.json": {"$comment": header, "cases": find_peaks_cases()},
    }
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.write_text(json.dumps(content, separators=(",", ":")) + "\n")
        written.append(path)
    for name, data in cli_files().items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "test" / "fixtures" / "metrics"
    for p in write_all(target):
        print(p)
