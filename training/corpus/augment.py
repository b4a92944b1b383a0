"""Augmentation: sox effects (tempo, pitch, vocal effort with spectral tilt, EQ / telephone band, reverb)
plus numpy effects (additive noise at an SNR, DC offset, clipping) and non-speech inserts.

Timing rule: only `tempo` changes durations; phone times are rescaled by the exact output/input length ratio.
Every other effect is length-preserving (the output is cropped / padded to the input length; reverb adds a
tail and no pre-delay, so onsets do not move).
"""
from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np

from .tts import SR, read_wav, write_wav

# vocal effort: (gain dB, sox tilt effects). Louder voices have flatter spectra (more high-frequency energy),
# softer ones steeper (Traunmueller & Eriksson 2000; Liénard & Di Benedetto 1999).
EFFORT = {
    "soft": (-10.0, ["bass", "+2", "treble", "-6", "3000"]),
    "normal": (0.0, []),
    "loud": (+6.0, ["bass", "-2", "treble", "+5", "3000", "equalizer", "1500", "1.5q", "+2"]),
}


def sox(x, args, sr=SR):
    """Run `sox in.wav out.wav <args>` on float audio; returns float audio at sr."""
    with tempfile.TemporaryDirectory() as d:
        i, o = os.path.join(d, "i.wav"), os.path.join(d, "o.wav")
        write_wav(i, x, sr)
        subprocess.run(["sox", "-V1", i, "-b", "16", o, *args], check=True, capture_output=True)
        y, sr2 = read_wav(o)
    assert sr2 == sr
    return y


def _fit(y, n):
    return y[:n] if len(y) >= n else np.concatenate([y, np.zeros(n - len(y), np.float32)])


def rms_db(x):
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-12)


def colored_noise(rng, n, kind):
    w = rng.standard_normal(n)
    if kind == "white":
        y = w
    else:
        f = np.fft.rfftfreq(n, 1 / SR)
        f[0] = f[1] if n > 1 else 1.0
        spec = np.fft.rfft(w) / (np.sqrt(f) if kind == "pink" else f)
        y = np.fft.irfft(spec, n)
    if kind == "babble":  # speech-shaped: pink noise band-limited to 200-4000 Hz, amplitude-modulated
        y = sox(y.astype(np.float32) / (np.abs(y).max() + 1e-9), ["sinc", "200-4000"])
        env = 0.5 + 0.5 * np.abs(np.sin(np.arange(n) / SR * 2 * np.pi * rng.uniform(2, 5)))
        y = y * env
    y = y / (np.sqrt(np.mean(y**2)) + 1e-12)
    return y.astype(np.float32)


def breath(rng, dur):
    n = int(dur * SR)
    y = sox(rng.standard_normal(n).astype(np.float32) * 0.3, ["sinc", "500-3500"])
    env = np.sin(np.linspace(0, np.pi, n)) ** 2
    return (y * env).astype(np.float32)


def click(rng, dur):
    y = np.zeros(int(dur * SR), np.float32)
    for _ in range(rng.integers(1, 4)):
        k = rng.integers(0, max(1, len(y) - 80))
        y[k: k + 40] += (rng.uniform(0.1, 0.5) * np.exp(-np.arange(40) / 6) * rng.choice([-1, 1])).astype(np.float32)
    return y


def nonspeech(rng, dur):
    """A non-speech clip (mouth at rest): silence, noise, clicks or breaths; returns (audio, tag)."""
    kind = rng.choice(["silence", "noise", "clicks", "breaths"])
    n = int(dur * SR)
    if kind == "silence":
        y = colored_noise(rng, n, "white") * 10 ** (rng.uniform(-80, -60) / 20)
    elif kind == "noise":
        y = colored_noise(rng, n, rng.choice(["white", "pink", "brown", "babble"])) * 10 ** (rng.uniform(-45, -20) / 20)
    elif kind == "clicks":
        y = click(rng, dur) + colored_noise(rng, n, "pink") * 1e-3
    else:
        y = np.zeros(n, np.float32)
        t = 0.1
        while t < dur - 0.5:
            b = breath(rng, rng.uniform(0.25, 0.5)) * 10 ** (rng.uniform(-35, -22) / 20) / 0.1
            k = int(t * SR)
            y[k: k + len(b)] += b[: n - k]
            t += rng.uniform(0.8, 2.0)
    return y.astype(np.float32), f"nonspeech-{kind}"


def sample_plan(rng, voice_engine: str) -> dict:
    """Random augmentation plan for one utterance (deterministic given rng)."""
    plan = {}
    r = rng.random()
    plan["tempo"] = 1.0 if r < 0.45 else float(rng.uniform(0.8, 1.25))
    plan["pitch"] = 0 if rng.random() < 0.5 else int(rng.integers(-300, 301))  # cents
    plan["effort"] = str(rng.choice(["soft", "normal", "loud"], p=[0.25, 0.5, 0.25]))
    plan["band"] = str(rng.choice(["full", "telephone", "eq", "lowpass"], p=[0.6, 0.15, 0.15, 0.1]))
    plan["reverb"] = int(rng.integers(10, 70)) if rng.random() < 0.2 else 0
    plan["snr"] = None if rng.random() < 0.45 else float(rng.choice([30, 20, 15, 10, 5]))
    plan["noise"] = str(rng.choice(["white", "pink", "brown", "babble"]))
    plan["dc"] = float(rng.uniform(-0.05, 0.05)) if rng.random() < 0.1 else 0.0
    plan["clip"] = bool(rng.random() < 0.05)
    plan["level_db"] = float(rng.uniform(-32, -18))  # speech RMS before effort gain
    plan["lead_sil"] = float(rng.uniform(0.15, 0.8))
    plan["trail_sil"] = float(rng.uniform(0.15, 0.8))
    plan["insert"] = str(rng.choice(["none", "breath", "click", "noise"], p=[0.8, 0.1, 0.05, 0.05]))
    return plan


def tags_of(plan) -> list[str]:
    t = [f"effort-{plan['effort']}"]
    if plan["tempo"] != 1.0:
        t.append("tempo")
    if plan["pitch"]:
        t.append("pitch")
    if plan["band"] != "full":
        t.append(f"band-{plan['band']}")
    if plan["reverb"]:
        t.append("reverb")
    if plan["snr"] is not None:
        t.append(f"noise-{plan['noise']}-snr{int(plan['snr'])}")
    if plan["dc"]:
        t.append("dc")
    if plan["clip"]:
        t.append("clip")
    if plan["insert"] != "none":
        t.append(f"insert-{plan['insert']}")
    return t


def apply(x, phones, plan, rng):
    """Apply a plan. Returns (audio_final, audio_clean_effort, phones) where audio_clean_effort is the
    tempo/pitch/effort-processed speech before channel effects (for local vocal-effort measurement)."""
    x = np.asarray(x, np.float32)
    # level normalisation of the speech, then leading/trailing non-speech padding
    x = x * 10 ** ((plan["level_db"] - rms_db(x[np.abs(x) > 1e-4] if np.any(np.abs(x) > 1e-4) else x)) / 20)
    args = []
    if plan["tempo"] != 1.0:
        args += ["tempo", "-s", f"{plan['tempo']:.4f}"]
    if plan["pitch"]:
        args += ["pitch", str(plan["pitch"])]
    g, tilt = EFFORT[plan["effort"]]
    args += tilt
    if args:
        n0 = len(x)
        y = sox(x, args)
        if plan["tempo"] == 1.0:
            y = _fit(y, n0)
        ratio = len(y) / n0
        phones = [(s * ratio, e * ratio, p) for s, e, p in phones]
        x = y
    x = x * 10 ** (g / 20)
    lead = np.zeros(int(plan["lead_sil"] * SR), np.float32)
    trail = np.zeros(int(plan["trail_sil"] * SR), np.float32)
    if plan["insert"] != "none" and len(lead) > 0.35 * SR:
        ins = {"breath": lambda: breath(rng, 0.3) * 0.05, "click": lambda: click(rng, 0.2),
               "noise": lambda: colored_noise(rng, int(0.3 * SR), "pink") * 0.01}[plan["insert"]]()
        lead[: len(ins)] += ins[: len(lead)]
    dl = len(lead) / SR
    phones = [(0.0, dl, "sil")] + [(s + dl, e + dl, p) for s, e, p in phones]
    end = phones[-1][1]
    x = np.concatenate([lead, x, trail])
    phones.append((end, len(x) / SR, "sil"))
    clean = x.copy()
    n = len(x)
    args = []
    if plan["band"] == "telephone":
        args += ["sinc", "300-3400", "rate", "8000", "rate", "16000"]
    elif plan["band"] == "eq":
        f = int(rng.integers(300, 4000))
        args += ["equalizer", str(f), "1q", f"{rng.uniform(-10, 10):+.1f}"]
    elif plan["band"] == "lowpass":
        args += ["sinc", f"-{int(rng.integers(3000, 6000))}"]
    if plan["reverb"]:
        args += ["reverb", str(plan["reverb"]), "50", str(int(rng.integers(30, 100)))]
    if args:
        x = _fit(sox(x, args), n)
    if plan["snr"] is not None:
        sp = clean[np.abs(clean) > 1e-4]
        p_sig = rms_db(sp) if sp.size else -40
        x = x + colored_noise(rng, n, plan["noise"]) * 10 ** ((p_sig - plan["snr"]) / 20)
    else:
        x = x + colored_noise(rng, n, "white") * 10 ** (rng.uniform(-75, -60) / 20)  # recording floor
    if plan["dc"]:
        x = x + plan["dc"]
    if plan["clip"]:
        lim = np.percentile(np.abs(x), 97)
        x = np.clip(x * 1.5, -lim, lim) / max(lim, 1e-6) * 0.9
    return np.clip(x, -1.0, 1.0).astype(np.float32), clean, phones
