"""numpy/scipy reference for the paper's metrics, written from docs/paper-reference.md (§2, §4).

It uses scipy.ndimage.gaussian_filter1d and scipy.signal.find_peaks exactly as the paper's evaluation
code does, so the TypeScript port (src/metrics) is checked against the real scipy conventions
(reflect boundaries, 17-tap kernel, plateau handling) through the fixtures in test/fixtures/metrics.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks


def lip_distance(vertices: np.ndarray, upper: int, lower: int, stride: int = 1) -> np.ndarray:
    """(T, P, 3) -> (ceil(T/stride),) Euclidean distance between the two lip points per frame."""
    v = np.asarray(vertices, dtype=np.float64)[::stride]
    return np.linalg.norm(v[:, upper, :] - v[:, lower, :], axis=1)


def ddtw_path(x: np.ndarray, y: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """DTW on backward differences (first = 0), cost |dx - dy|; backtrack ties: diagonal, up, left."""
    dx = np.diff(x, prepend=x[0])
    dy = np.diff(y, prepend=y[0])
    n, m = len(dx), len(dy)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            acc[i, j] = abs(dx[i - 1] - dy[j - 1]) + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    path = []
    i, j = n, m
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        choice = int(np.argmin([acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]]))
        if choice == 0:
            i, j = i - 1, j - 1
        elif choice == 1:
            i -= 1
        else:
            j -= 1
    path.reverse()
    return float(acc[n, m]), path


def extrema(s: np.ndarray) -> dict[int, str]:
    out = {int(i): "max" for i in find_peaks(s)[0]}
    out.update({int(i): "min" for i in find_peaks(-s)[0]})
    return out


def mtm(gt: np.ndarray, pred: np.ndarray, sigma: float = 2.0) -> dict:
    """One clip's MTM: mean |dt| in frames over matched extrema (None if none match)."""
    gt = np.asarray(gt, dtype=np.float64)
    pred = np.asarray(pred, dtype=np.float64)
    if not (np.all(np.isfinite(gt)) and np.all(np.isfinite(pred))):
        raise ValueError("mtm: NaN input")
    gs = gaussian_filter1d(gt, sigma=sigma)
    ps = gaussian_filter1d(pred, sigma=sigma)
    _, path = ddtw_path(gs, ps)
    eg, ep = extrema(gs), extrema(ps)
    order = sorted(eg)
    deltas, pairs = [], []
    for g, p in path:
        if g in eg and p in ep and eg[g] == ep[p]:
            k = order.index(g)
            left = order[k - 1] if k > 0 else 0
            right = order[k + 1] if k < len(order) - 1 else len(gs) - 1
            if left <= p <= right:
                deltas.append(abs(g - p))
                pairs.append([g, p])
    return {
        "mtm_frames": float(np.mean(deltas)) if deltas else None,
        "matches": len(deltas),
        "deltas": deltas,
        "pairs": pairs,
        "gt_smoothed": gs.tolist(),
        "pred_smoothed": ps.tolist(),
        "gt_extrema": [[i, eg[i]] for i in order],
        "pred_extrema": [[i, ep[i]] for i in sorted(ep)],
        "path": [list(p) for p in path],
    }


def lve(gts: list[np.ndarray], preds: list[np.ndarray], indices: list[int]) -> float:
    """Frame-weighted mean over all frames of max over indices of squared L2 error."""
    per_frame = []
    for g, p in zip(gts, preds):
        t = min(len(g), len(p))
        err = np.sum((p[:t, indices] - g[:t, indices]) ** 2, axis=2)
        per_frame.append(np.max(err, axis=1))
    return float(np.mean(np.concatenate(per_frame)))


def fdd(gts: list[np.ndarray], preds: list[np.ndarray], templates: list[np.ndarray], indices: list[int]) -> float:
    """Mean over sequences of (GT - pred) mean-over-indices temporal std of ||v - template||^2."""
    out = []
    for g, p, tpl in zip(gts, preds, templates):
        t = min(len(g), len(p))

        def dyn(seq):
            motion = seq[:t, indices] - tpl[indices][None]
            return np.mean(np.std(np.sum(motion**2, axis=2), axis=0))

        out.append(dyn(g) - dyn(p))
    return float(np.mean(out))


def lip_intensity(seq: np.ndarray, indices: list[int]) -> float:
    speed = np.linalg.norm(seq[1:, indices] - seq[:-1, indices], axis=2).mean(axis=1)
    return float(np.sqrt(np.mean(speed**2)))


def speech_intensity(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def _pearson(a: np.ndarray, b: np.ndarray):
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def slcc(rows: list[dict]) -> dict:
    """rows: {speaker, level, si, li}. Per-speaker z (ddof=1), drop non-finite, Pearson overall/per level."""
    si = np.array([r["si"] for r in rows], dtype=np.float64)
    li = np.array([r["li"] for r in rows], dtype=np.float64)
    zs = np.full(len(rows), np.nan)
    zl = np.full(len(rows), np.nan)
    speakers = np.array([r["speaker"] for r in rows])
    with np.errstate(invalid="ignore", divide="ignore"):
        for s in np.unique(speakers):
            k = speakers == s
            for src, dst in ((si, zs), (li, zl)):
                vals = src[k]
                std = vals.std(ddof=1) if len(vals) > 1 else np.nan
                dst[k] = (vals - vals.mean()) / std
    keep = np.isfinite(zs) & np.isfinite(zl)
    levels = np.array([r.get("level") for r in rows], dtype=object)
    per_level = {}
    for lvl in sorted({lv for lv in levels[keep] if lv is not None}):
        k = keep & (levels == lvl)
        per_level[lvl] = _pearson(zs[k], zl[k])
    return {"overall": _pearson(zs[keep], zl[keep]), "per_level": per_level, "rows": int(keep.sum())}


def toy_encoder(x: np.ndarray, dims: int = 8) -> np.ndarray:
    """Deterministic stand-in encoder for fixtures: projections on cos(0.01*k*i), k = 0..dims-1."""
    i = np.arange(len(x), dtype=np.float64)
    return np.array([np.sum(np.asarray(x, dtype=np.float64) * np.cos(0.01 * k * i)) for k in range(dims)])


def plrs(speech: np.ndarray, mesh: np.ndarray, window_frames: int = 5, samples_per_frame: int = 640) -> dict:
    """mesh (T, P, 3). Non-overlapping windows as evaluate_PLRS.py, toy encoders, mean cosine."""
    ws = window_frames * samples_per_frame
    audio_windows = 0 if len(speech) < ws else (len(speech) - ws) // samples_per_frame + 1
    clip_num = max(0, min(audio_windows, len(mesh) - window_frames + 1))
    sims = []
    for i in range(clip_num // window_frames):
        a = toy_encoder(np.asarray(speech[i * ws : (i + 1) * ws], dtype=np.float32))
        m = toy_encoder(np.asarray(mesh[i * window_frames : (i + 1) * window_frames], dtype=np.float32).ravel())
        sims.append(float(a @ m / (np.linalg.norm(a) * np.linalg.norm(m))))
    return {"score": float(np.mean(sims)) if sims else None, "similarities": sims}
