"""Generator evaluation on lips-v1 (paper §4 via training/reference/metrics_reference.py).

- MTM: reference DDTW/extrema matching on the inner-lip opening (points 15/19 of absolute positions),
  in frames at 50 fps, reported in ms (x 20).
- LVE: frame-weighted mean of the max over the 21 lip points of the squared error, reported in mm^2.
- Aperture r: Pearson r of the inner-lip opening, predicted vs teacher, over all frames concatenated.
- SLCC: Pearson r of per-voice z-scored speech RMS vs lip intensity, per utterance; dSLCC = |SLCC - SLCC_teacher|.
- Jitter: mean |second difference| of the lip points, mm per frame^2 (teacher's value for reference).
- PLRS: mean cosine similarity of the metric-copy encoders over non-overlapping 10-frame windows.
"""
from __future__ import annotations

import numpy as np
import torch

from training.reference.metrics_reference import lip_intensity, lve, mtm, slcc, speech_intensity
from training.spec import LIPS_GROUPS, LIPS_NEUTRAL

UP, LO = LIPS_GROUPS["innerUpperMid"], LIPS_GROUPS["innerLowerMid"]
FRAME_MS = 20.0
ALL_POINTS = list(range(21))


def absolute(disp: np.ndarray) -> np.ndarray:
    return LIPS_NEUTRAL[None] + np.asarray(disp, dtype=np.float64).reshape(-1, 21, 3)


def aperture(disp: np.ndarray) -> np.ndarray:
    a = absolute(disp)
    return np.linalg.norm(a[:, UP] - a[:, LO], axis=1)


@torch.no_grad()
def predict(model, utts) -> list[np.ndarray]:
    """Offline prediction per utterance (equal to streaming by construction), (U, 63) metres."""
    model.eval()
    out = []
    for u in utts:
        y = model(torch.from_numpy(u.mel)[None])[0].numpy()
        out.append(y[: u.lips.shape[0]])
    return out


def plrs_scores(speech_enc, mesh_enc, utts, lips_list, window: int = 10) -> list[float]:
    from training.models.encoders import SPEECH_WINDOW

    scores = []
    with torch.no_grad():
        for u, lips in zip(utts, lips_list):
            n = min((lips.shape[0]) // window, (u.mel.shape[0] - SPEECH_WINDOW) // (2 * window) + 1)
            if n < 1:
                continue
            ks = np.arange(n) * window
            mel = torch.from_numpy(np.stack([u.mel[2 * k : 2 * k + SPEECH_WINDOW] for k in ks]))
            ms = torch.from_numpy(np.stack([lips[k : k + window] for k in ks]).astype(np.float32))
            scores.append(float((speech_enc(mel) * mesh_enc(ms)).sum(-1).mean()))
    return scores


def closure_apertures(utts, gts, preds) -> dict:
    """Median inner-lip aperture (mm) at the centre frame of every bilabial (p/b/m) and open-vowel phone:
    lip readability's most visible cue is the lips meeting on p/b/m (the teacher closes them to 0.33 mm)."""
    from training.phones import PHONE_ID

    bil = {PHONE_ID[p] for p in ("p", "b", "m")}
    vow = {PHONE_ID[p] for p in ("aa", "ae", "ah", "ao", "aw", "ay")}
    cols = {"bilabial_mm": [], "bilabial_teacher_mm": [], "open_vowel_mm": [], "open_vowel_teacher_mm": []}
    for u, g, p in zip(utts, gts, preds):
        at, apr = aperture(g), aperture(p[: len(g)])
        ph = u.phones[::2][: len(at)]
        i = 0
        while i < len(ph):
            j = i
            while j < len(ph) and ph[j] == ph[i]:
                j += 1
            c = (i + j - 1) // 2
            key = "bilabial" if ph[i] in bil else "open_vowel" if ph[i] in vow else None
            if key:
                cols[f"{key}_mm"].append(apr[c])
                cols[f"{key}_teacher_mm"].append(at[c])
            i = j
    return {k: float(np.median(v) * 1e3) if v else None for k, v in cols.items()}


def evaluate(utts, preds, encoders=None, mtm_max_clips: int | None = None) -> dict:
    """Metrics of predictions vs the teacher lips of the same utterances."""
    gts = [u.lips for u in utts]
    res = {"utterances": len(utts)}
    mt = []
    for k, (g, p) in enumerate(zip(gts, preds)):
        if mtm_max_clips is not None and k >= mtm_max_clips:
            break
        r = mtm(aperture(g), aperture(p))
        if r.get("mtm_frames") is not None:
            mt.append(r["mtm_frames"])
    res["mtm_ms"] = float(np.mean(mt) * FRAME_MS) if mt else None
    res["mtm_clips"] = len(mt)
    res["lve_mm2"] = lve([absolute(g) for g in gts], [absolute(p) for p in preds], ALL_POINTS) * 1e6
    ag = np.concatenate([aperture(g) for g in gts])
    ap = np.concatenate([aperture(p) for p in preds])
    res["aperture_r"] = float(np.corrcoef(ag, ap)[0, 1])
    res.update(closure_apertures(utts, gts, preds))
    res["jitter_mm"] = float(np.mean([np.abs(np.diff(p.reshape(-1, 63), 2, axis=0)).mean() for p in preds]) * 1e3)
    res["jitter_teacher_mm"] = float(np.mean([np.abs(np.diff(g.reshape(-1, 63), 2, axis=0)).mean() for g in gts]) * 1e3)
    rows_p, rows_g = [], []
    for u, g, p in zip(utts, gts, preds):
        if u.audio.size == 0:
            continue
        si = speech_intensity(u.audio)
        rows_p.append({"speaker": u.voice, "level": u.effort, "si": si, "li": lip_intensity(absolute(p), ALL_POINTS)})
        rows_g.append({"speaker": u.voice, "level": u.effort, "si": si, "li": lip_intensity(absolute(g), ALL_POINTS)})
    if rows_p:
        sp, sg = slcc(rows_p)["overall"], slcc(rows_g)["overall"]
        res["slcc"], res["slcc_teacher"] = sp, sg
        res["dslcc"] = abs(sp - sg) if sp is not None and sg is not None else None
    if encoders is not None:
        s = plrs_scores(encoders[0], encoders[1], utts, preds)
        t = plrs_scores(encoders[0], encoders[1], utts, gts)
        res["plrs"] = float(np.mean(s)) if s else None
        res["plrs_teacher"] = float(np.mean(t)) if t else None
    return res
