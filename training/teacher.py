"""Articulatory teacher: timed ARPAbet phones -> lips-v1 trajectories (see training/TEACHER.md).

Six articulatory parameters are blended over time with Cohen-Massaro dominance functions and then turned
into the 21 lips-v1 points:

  jaw  jaw opening angle (degrees), a rotation of chin and lower lip about the spec's jawPivot (x axis)
  ap   inner lip aperture (mm): vertical gap between innerUpperMid and innerLowerMid beyond neutral
  wid  lip width change per mouth corner (mm); + spread, - rounded
  pro  lip protrusion (mm, +z forward)
  upr  upper-lip raise (mm)
  tuck lower-lip tuck under the upper incisors (mm back and up; f/v)

Timing: each phone's articulatory interval leads its acoustic interval by LEAD_S (visible articulation
precedes the sound); bilabials (p/b/m) are forced fully closed from just before their acoustic onset until
their acoustic end (the release burst), whatever the blend says.

CLI:  /usr/bin/python3 -m training.teacher --phones in.tsv --out track.json [--fps 50] [--wav audio.wav]
"""
from __future__ import annotations

import argparse
import json
import math

import numpy as np

from .phones import SILENCE, VOWELS, normalize, read_tsv, split_stress
from .spec import JAW_PIVOT, LIPS, LIPS_GROUPS, LIPS_NEUTRAL

PARAMS = ("jaw", "ap", "wid", "pro", "upr", "tuck")
FPS = int(LIPS.get("defaultFrameRateHz", 50))

#: Visible articulation leads the acoustic segment by this much (s).
LEAD_S = 0.040
#: Bilabial closure: lips reach full contact this long before the acoustic onset of p/b/m (s) ...
CLOSE_LEAD_S = 0.020
#: ... start closing this long before that (ramp), and open over RELEASE_S after the acoustic end (burst).
CLOSE_RAMP_S = 0.050
RELEASE_S = 0.040

# ---------------------------------------------------------------------------------------------------------
# Per-phone targets: (jaw deg, aperture mm, width mm/corner, protrusion mm, upper-lip raise mm, tuck mm).
# Diphthongs have an onset and an offset target (first and second half of the segment).
# Values and sources: TEACHER.md.
TARGETS: dict[str, tuple[float, ...]] = {
    # vowels
    "aa": (6.0, 13.0, 0.0, 0.0, 1.0, 0.0),
    "ae": (5.5, 12.0, 3.0, -0.5, 1.5, 0.0),
    "ao": (5.5, 11.0, -3.0, 3.0, 0.5, 0.0),
    "ah": (4.5, 9.0, 0.5, 0.0, 0.5, 0.0),
    "eh": (4.0, 8.5, 2.0, -0.5, 1.0, 0.0),
    "er": (2.5, 5.0, -2.0, 2.5, 0.5, 0.0),
    "ih": (2.5, 6.0, 2.5, -0.5, 0.5, 0.0),
    "iy": (1.5, 4.0, 4.0, -1.0, 0.5, 0.0),
    "uh": (2.5, 5.0, -3.0, 3.0, 0.0, 0.0),
    "uw": (1.5, 3.0, -7.0, 5.0, 0.0, 0.0),
    # diphthong halves
    "aw_1": (6.0, 12.5, 0.0, 0.0, 1.0, 0.0), "aw_2": (2.5, 4.5, -6.0, 4.0, 0.0, 0.0),
    "ay_1": (6.0, 12.5, 0.5, 0.0, 1.0, 0.0), "ay_2": (2.5, 5.5, 3.0, -0.5, 0.5, 0.0),
    "ey_1": (3.5, 7.5, 2.5, -0.5, 1.0, 0.0), "ey_2": (2.0, 5.0, 3.5, -0.5, 0.5, 0.0),
    "ow_1": (4.0, 7.5, -4.0, 3.5, 0.0, 0.0), "ow_2": (2.0, 4.0, -6.0, 4.5, 0.0, 0.0),
    "oy_1": (4.5, 9.0, -3.0, 3.0, 0.5, 0.0), "oy_2": (2.0, 5.0, 3.0, -0.5, 0.5, 0.0),
    # bilabials: closed (closure is also enforced geometrically)
    "p": (1.5, 0.0, 0.0, 0.5, 0.0, 0.0), "b": (1.5, 0.0, 0.0, 0.5, 0.0, 0.0), "m": (1.5, 0.0, 0.0, 0.5, 0.0, 0.0),
    # labiodentals: lower lip tucked under the upper incisors, upper lip slightly raised
    "f": (1.5, 2.0, 0.5, 0.0, 1.5, 4.0), "v": (1.5, 2.0, 0.5, 0.0, 1.5, 4.0),
    # dentals: tongue tip between the teeth
    "th": (2.5, 5.0, 1.0, 0.0, 1.0, 0.0), "dh": (2.5, 5.0, 1.0, 0.0, 1.0, 0.0),
    # alveolars: high jaw (sibilants highest), teeth close
    "t": (2.0, 4.0, 1.0, 0.0, 0.5, 0.0), "d": (2.0, 4.0, 1.0, 0.0, 0.5, 0.0), "n": (2.0, 4.0, 1.0, 0.0, 0.5, 0.0),
    "l": (2.5, 5.5, 0.5, 0.0, 0.5, 0.0),
    "s": (1.0, 3.0, 2.0, 0.0, 1.0, 0.0), "z": (1.0, 3.0, 2.0, 0.0, 1.0, 0.0),
    # postalveolars: rounded, protruded, teeth close
    "sh": (1.0, 4.0, -4.0, 4.0, 1.0, 0.0), "zh": (1.0, 4.0, -4.0, 4.0, 1.0, 0.0),
    "ch": (1.0, 4.0, -4.0, 4.0, 1.0, 0.0), "jh": (1.0, 4.0, -4.0, 4.0, 1.0, 0.0),
    # velars and glottal: lips mostly from context
    "k": (2.5, 5.0, 0.5, 0.0, 0.5, 0.0), "g": (2.5, 5.0, 0.5, 0.0, 0.5, 0.0), "ng": (2.5, 5.0, 0.5, 0.0, 0.5, 0.0),
    "hh": (3.0, 6.0, 0.5, 0.0, 0.5, 0.0),
    # approximants
    "w": (1.5, 2.0, -8.0, 6.0, 0.0, 0.0), "r": (2.0, 4.0, -3.0, 3.0, 0.5, 0.0), "y": (1.5, 3.5, 3.0, -0.5, 0.5, 0.0),
    SILENCE: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}

# Dominance magnitude per parameter (jaw, ap, wid, pro, upr, tuck) by phone class.
_ALPHA_VOWEL = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
_ALPHA = {
    "bilabial": (0.6, 1.0, 0.3, 0.3, 0.5, 1.0),
    "labiodental": (0.6, 1.0, 0.3, 0.3, 1.0, 1.0),
    "dental": (0.6, 0.6, 0.2, 0.2, 0.4, 1.0),
    "alveolar": (0.7, 0.5, 0.2, 0.1, 0.3, 1.0),
    "sibilant": (1.0, 0.7, 0.3, 0.2, 0.4, 1.0),
    "postalveolar": (1.0, 0.7, 0.8, 0.8, 0.4, 1.0),
    "velar": (0.4, 0.3, 0.15, 0.1, 0.2, 1.0),
    "glottal": (0.05, 0.05, 0.05, 0.05, 0.05, 0.3),
    "rounded_approx": (0.6, 0.8, 1.0, 1.0, 0.5, 1.0),
    "spread_approx": (0.6, 0.6, 0.8, 0.5, 0.4, 1.0),
    "silence": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
}
_CLASS = {
    **{p: "bilabial" for p in ("p", "b", "m")}, **{p: "labiodental" for p in ("f", "v")},
    **{p: "dental" for p in ("th", "dh")}, **{p: "alveolar" for p in ("t", "d", "n", "l")},
    **{p: "sibilant" for p in ("s", "z")}, **{p: "postalveolar" for p in ("sh", "zh", "ch", "jh")},
    **{p: "velar" for p in ("k", "g", "ng")}, "hh": "glottal", "w": "rounded_approx", "r": "rounded_approx",
    "y": "spread_approx", SILENCE: "silence",
}
# Time constants (s) of the dominance decay before (anticipation) and after (carry-over) a segment.
# Lip rounding/protrusion/width anticipate further than jaw and aperture.
TAU_ANT = np.array([0.060, 0.050, 0.120, 0.140, 0.050, 0.040])
TAU_CAR = np.array([0.050, 0.040, 0.070, 0.080, 0.040, 0.030])
TAU_SIL = 0.060  # silence decays fast: the mouth starts moving ~100-150 ms before speech
DOM_EXP = 1.5
UNSTRESSED = 0.85  # amplitude of stress-0 vowels (jaw, aperture)

EFFORT_GAIN = {"soft": 0.8, "normal": 1.0, "loud": 1.25}

_G = LIPS_GROUPS
_UPPER_INNER = [14, 15, 16]
_LOWER_INNER = [18, 19, 20]
_UPPER_OUTER = [2, 3, 4, 5, 6]
_LOWER_OUTER = [8, 9, 10, 11, 12]
_CORNERS = [1, 7, 13, 17]
# Inner upper point paired with each inner lower point (for closure): 18<->16, 19<->15, 20<->14.
_CLOSE_PAIR = {18: 16, 19: 15, 20: 14}


def _expand(phones):
    """(start, end, phone) -> list of (start, end, target_key, class, stress_gain) with diphthongs split."""
    out = []
    for s, e, p in phones:
        base, stress = split_stress(p)
        n = normalize(p)
        g = UNSTRESSED if (n in VOWELS and stress == 0) else 1.0
        if n in ("aw", "ay", "ey", "ow", "oy"):
            m = s + 0.5 * (e - s)
            out.append((s, m, n + "_1", "vowel", g))
            out.append((m, e, n + "_2", "vowel", g))
        else:
            out.append((s, e, n, "vowel" if n in VOWELS else _CLASS[n], g))
    return out


def _dominance(t, s, e, alpha, tau_a, tau_c):
    """alpha inside [s, e], alpha*exp(-(d/tau)^c) outside (tau_a before s, tau_c after e)."""
    d_before = np.clip(s - t, 0.0, None)
    d_after = np.clip(t - e, 0.0, None)
    return alpha * np.exp(-((d_before / tau_a) ** DOM_EXP) - ((d_after / tau_c) ** DOM_EXP))


def articulatory_params(phones, fps: int = FPS, n_frames: int | None = None):
    """Blend per-phone targets into a (T, 6) parameter track (columns PARAMS) and a (T,) closure gate."""
    phones = [(float(s), float(e), p) for s, e, p in phones]
    if n_frames is None:
        end = max((e for _, e, _ in phones), default=0.0)
        n_frames = max(1, int(math.ceil(end * fps - 1e-6)))
    t = np.arange(n_frames, dtype=np.float64) / fps
    segs = _expand(phones)
    num = np.zeros((n_frames, 6))
    den = np.full((n_frames, 6), 1e-6)  # background: a faint pull to neutral where nothing is defined
    for s, e, key, cls, g in segs:
        tgt = np.array(TARGETS[key], dtype=np.float64)
        if cls == "silence":
            dur = e - s
            # short pauses inside speech barely pull the mouth to rest; long ones fully do
            alpha = np.full(6, min(1.0, (dur / 0.25) ** 2))
            dom = _dominance(t[:, None], s + 0.5 * LEAD_S, e - LEAD_S, alpha, TAU_SIL, TAU_SIL)
        else:
            tgt[:2] *= g
            alpha = np.array(_ALPHA_VOWEL if cls == "vowel" else _ALPHA[cls])
            dom = _dominance(t[:, None], s - LEAD_S, e - LEAD_S, alpha, TAU_ANT, TAU_CAR)
        num += dom * tgt
        den += dom
    par = num / den
    # closure gate for bilabials: 1 from (start - CLOSE_LEAD_S) to end (the burst), smooth ramps outside
    gate = np.zeros(n_frames)
    for s, e, p in phones:
        if normalize(p) in ("p", "b", "m"):
            a = s - CLOSE_LEAD_S
            up = np.clip((t - (a - CLOSE_RAMP_S)) / CLOSE_RAMP_S, 0, 1)
            down = np.clip(1 - (t - e) / RELEASE_S, 0, 1)
            gi = np.minimum(up, down)
            gi = 0.5 - 0.5 * np.cos(np.pi * gi)  # smooth ramps
            gi[(t >= a) & (t <= e)] = 1.0
            gate = np.maximum(gate, gi)
    return par, gate


def _jaw_rotate(points, theta_rad):
    """Rotate (..., 3) points about the jawPivot's x axis; positive opens (chin down and back)."""
    r = points - JAW_PIVOT
    c, s = np.cos(theta_rad), np.sin(theta_rad)
    out = points.copy()
    out[..., 1] = JAW_PIVOT[1] + r[..., 1] * c - r[..., 2] * s
    out[..., 2] = JAW_PIVOT[2] + r[..., 1] * s + r[..., 2] * c
    return out


def params_to_lips(par, gate=None, gain=None):
    """(T, 6) parameters (+ optional (T,) closure gate and (T,) amplitude gain) -> (T, 21, 3) positions (m)."""
    T = par.shape[0]
    par = par.copy()
    if gain is not None:
        g = np.asarray(gain, dtype=np.float64).reshape(-1, 1) * np.ones((T, 1))
        par[:, 0:2] *= g
        par[:, 2] = np.where(par[:, 2] > 0, par[:, 2] * g[:, 0], par[:, 2] * np.sqrt(g[:, 0]))
        par[:, 3] *= np.sqrt(g[:, 0])
        par[:, 4] *= g[:, 0]
    if gate is None:
        gate = np.zeros(T)
    jaw = np.deg2rad(par[:, 0])
    ap = par[:, 1] * 1e-3 * (1.0 - gate)
    wid, pro, upr, tuck = (par[:, i] * 1e-3 for i in (2, 3, 4, 5))
    N = LIPS_NEUTRAL
    P = np.repeat(N[None], T, axis=0)
    # lateral weight: 0 at the midline, 1 at the corners
    xc = abs(N[_G["cornerLeft"], 0])
    lat = np.clip(np.abs(N[:, 0]) / xc, 0, 1)
    # width: x scaled so corners move by wid
    for i in range(1, 21):
        P[:, i, 0] += np.sign(N[i, 0]) * wid * lat[i]
    # protrusion: midline fully, corners 30 %; rounding also narrows vertically a little (ignored)
    wpro = 1.0 - 0.7 * lat
    for i in range(1, 21):
        P[:, i, 2] += pro * wpro[i]
    # upper-lip raise
    for i in _UPPER_INNER:
        P[:, i, 1] += upr
    for i in _UPPER_OUTER:
        P[:, i, 1] += 0.8 * upr * (1.0 - 0.5 * lat[i])
    # jaw: chin and lower lip rotate with the jaw; corners half
    lower = [0] + _LOWER_OUTER + _LOWER_INNER
    rot = _jaw_rotate(P[:, lower], jaw[:, None] * np.ones((1, len(lower))))
    for k, i in enumerate(lower):
        d = rot[:, k] - P[:, i]
        if i != 0:
            d[:, 2] *= 0.5  # the soft lower lip retracts less than the bony jaw
        P[:, i] += d
    rotc = _jaw_rotate(P[:, _CORNERS], 0.4 * jaw[:, None] * np.ones((1, len(_CORNERS))))
    P[:, _CORNERS, 1] = rotc[..., 1]
    # lower lip's own vertical movement so the inner mid aperture equals `ap` beyond neutral
    gap0 = N[_G["innerUpperMid"], 1] - N[_G["innerLowerMid"], 1]
    want_y = P[:, _G["innerUpperMid"], 1] - gap0 - ap
    dy = want_y - P[:, _G["innerLowerMid"], 1]
    for i in _LOWER_INNER:
        P[:, i, 1] += dy * (1.0 if i == 19 else 0.95)
    for i in _LOWER_OUTER:
        P[:, i, 1] += dy * (0.9 - 0.2 * lat[i])
    # labiodental tuck: lower lip back (and its inner edge up under the incisors)
    for i in _LOWER_INNER + _LOWER_OUTER:
        P[:, i, 2] -= tuck * (1.0 - 0.5 * lat[i])
        P[:, i, 1] += 0.3 * tuck * (1.0 - 0.5 * lat[i])
    # bilabial closure: inner lower lip meets the inner upper lip at its neutral offset (gate = 1)
    g = gate[:, None]
    for lo, hi in _CLOSE_PAIR.items():
        want = P[:, hi] + (N[lo] - N[hi])
        corr = g * (want - P[:, lo])
        P[:, lo] += corr
        # the outer lower lip follows its inner neighbour
    mid_corr = g * (P[:, 15] + (N[19] - N[15]) - P[:, 19])  # ~0 after the loop; kept for clarity
    del mid_corr
    for i in _LOWER_OUTER:
        j = 18 if N[i, 0] > 0.003 else (20 if N[i, 0] < -0.003 else 19)
        hi = _CLOSE_PAIR[j]
        want = P[:, hi] + (N[i] - N[hi])
        P[:, i] += g * (want - P[:, i]) * 0.9
    return P


def effort_from_audio(audio, sr: int, n_frames: int, fps: int = FPS, speech_mask=None):
    """Local vocal effort (dB) relative to the utterance: smoothed frame RMS minus the median over speech."""
    audio = np.asarray(audio, dtype=np.float64)
    if audio.dtype.kind == "i" or np.abs(audio).max(initial=0) > 2.0:
        audio = audio / 32768.0
    hop = sr / fps
    win = int(round(0.040 * sr))
    db = np.empty(n_frames)
    for k in range(n_frames):
        c = int(round(k * hop))
        seg = audio[max(0, c - win // 2): c + win // 2]
        db[k] = 10 * np.log10(np.mean(seg**2) + 1e-10) if seg.size else -100.0
    # 100 ms moving average in the dB domain
    kern = np.ones(5) / 5
    db = np.convolve(np.pad(db, 2, mode="edge"), kern, mode="valid")
    ref_frames = db[speech_mask] if speech_mask is not None and np.any(speech_mask) else db[db > db.max() - 40]
    ref = np.median(ref_frames) if ref_frames.size else 0.0
    return np.clip(db - ref, -15.0, 12.0)


def effort_gain(rel_db):
    """Lip amplitude gain from relative level (dB): +6 dB -> x1.26, -6 dB -> x0.79, clipped to [0.6, 1.4]."""
    return np.clip(10.0 ** (0.8 * np.asarray(rel_db) / 20.0), 0.6, 1.4)


def speech_mask(phones, n_frames: int, fps: int = FPS):
    t = np.arange(n_frames) / fps
    m = np.zeros(n_frames, dtype=bool)
    for s, e, p in phones:
        if normalize(p) != SILENCE:
            m |= (t >= s) & (t < e)
    return m


def teacher_track(phones, fps: int = FPS, effort=None, n_frames: int | None = None) -> np.ndarray:
    """Timed phones [(start_s, end_s, phone), ...] -> (T, 21, 3) absolute lips-v1 positions (m).

    Frame k is at time k / fps. ``effort``: None (gain 1), a scalar amplitude gain, a level name
    ('soft'/'normal'/'loud'), or a (T,) array of local level in dB relative to the utterance
    (see effort_from_audio), which is converted with effort_gain()."""
    par, gate = articulatory_params(phones, fps=fps, n_frames=n_frames)
    T = par.shape[0]
    if effort is None:
        gain = None
    elif isinstance(effort, str):
        gain = np.full(T, EFFORT_GAIN[effort])
    elif np.ndim(effort) == 0:
        gain = np.full(T, float(effort))
    else:
        eff = np.asarray(effort, dtype=np.float64)
        if eff.shape[0] != T:
            raise ValueError(f"effort has {eff.shape[0]} frames, track has {T}")
        gain = effort_gain(eff)
    # light smoothing of the gain so it never adds jitter
    if gain is not None and T > 3:
        k = np.array([0.25, 0.5, 0.25])
        gain = np.convolve(np.pad(gain, 1, mode="edge"), k, mode="valid")
    return params_to_lips(par, gate, gain)


def inner_aperture(track) -> np.ndarray:
    """Distance between innerUpperMid and innerLowerMid per frame (m)."""
    return np.linalg.norm(track[:, _G["innerUpperMid"]] - track[:, _G["innerLowerMid"]], axis=-1)


def lip_width(track) -> np.ndarray:
    return np.linalg.norm(track[:, _G["cornerLeft"]] - track[:, _G["cornerRight"]], axis=-1)


def protrusion(track) -> np.ndarray:
    """Mean forward (z) displacement of the four mid-lip points from neutral (m)."""
    idx = [_G["outerUpperMid"], _G["outerLowerMid"], _G["innerUpperMid"], _G["innerLowerMid"]]
    return (track[:, idx, 2] - LIPS_NEUTRAL[idx, 2]).mean(axis=1)


def track_json(track, fps: int = FPS) -> dict:
    return {"layout": LIPS["version"], "fps": fps,
            "frames": [[[round(float(v), 6) for v in pt] for pt in fr] for fr in track]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m training.teacher", description=__doc__.split("\n")[0])
    ap.add_argument("--phones", required=True, help="TSV: start_s end_s phone (ARPAbet; sil/sp/pau = silence)")
    ap.add_argument("--out", required=True, help="output track JSON")
    ap.add_argument("--fps", type=int, default=FPS)
    ap.add_argument("--wav", help="optional audio: scale amplitude by local vocal effort relative to the utterance")
    ap.add_argument("--effort", choices=sorted(EFFORT_GAIN), help="global vocal-effort level")
    a = ap.parse_args(argv)
    phones = read_tsv(a.phones)
    effort = a.effort
    n_frames = None
    if a.wav:
        import wave

        with wave.open(a.wav) as w:
            sr, n = w.getframerate(), w.getnframes()
            x = np.frombuffer(w.readframes(n), dtype="<i2")
            if w.getnchannels() > 1:
                x = x.reshape(-1, w.getnchannels())[:, 0]
        n_frames = max(1, int(math.ceil(n / sr * a.fps - 1e-6)))
        eff = effort_from_audio(x, sr, n_frames, a.fps, speech_mask(phones, n_frames, a.fps))
        g = EFFORT_GAIN[effort] if effort else 1.0
        effort = eff + 20 * np.log10(g) / 0.8
    track = teacher_track(phones, fps=a.fps, effort=effort, n_frames=n_frames)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(track_json(track, a.fps), f, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
