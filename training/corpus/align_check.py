"""How accurate is the pocketsphinx phone alignment? Align TTS utterances whose exact phone timings are known
(the synthesiser's own), with the synthesiser's phone sequence, at 16 kHz and telephone band (8 kHz, like the
Asterisk prompts), and report boundary errors.

    /usr/bin/python3 -m training.corpus.align_check [--n 40]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile

import numpy as np

from ..phones import SILENCE, normalize
from . import augment, real, text, tts


def _words(phones):
    words, cur = [], []
    for s, e, p in phones:
        n = normalize(p)
        if n == SILENCE:
            if cur:
                words.append(cur)
                cur = []
        else:
            cur.append(n)
    if cur:
        words.append(cur)
    return words


def boundary_errors(ref, hyp):
    """|start error| of each non-silence phone (same phone sequence required), seconds."""
    r = [(s, normalize(p)) for s, e, p in ref if normalize(p) != SILENCE]
    h = [(s, normalize(p)) for s, e, p in hyp if normalize(p) != SILENCE]
    if [p for _, p in r] != [p for _, p in h]:
        return None
    return [abs(a[0] - b[0]) for a, b in zip(r, h)]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    a = ap.parse_args(argv)
    rng = random.Random(7)
    sents = rng.sample([s for s in text.all_sentences() if 4 <= len(s["text"].split()) <= 14], a.n)
    voices = ["flite:slt", "flite:awb", "festival:kal", "espeak:en-us+m1"]
    res = {"16k": [], "tel8k": []}
    fails = {"16k": 0, "tel8k": 0}
    with tempfile.TemporaryDirectory() as d:
        for i, s in enumerate(sents):
            v = voices[i % len(voices)]
            x, ph, _ = tts.synth(v, s["text"], d)
            words = _words(ph)
            for cond in res:
                y = x if cond == "16k" else augment.sox(x, ["sinc", "300-3400", "rate", "8000", "rate", "16000"])
                hyp = real.align(y, "", d, words=words)
                err = boundary_errors(ph, hyp) if hyp else None
                if err is None:
                    fails[cond] += 1
                else:
                    res[cond] += err
    out = {}
    for cond, e in res.items():
        e = np.array(e) * 1000
        out[cond] = {"utterances": a.n, "failed": fails[cond], "boundaries": int(e.size),
                     "median_ms": round(float(np.median(e)), 1), "mean_ms": round(float(e.mean()), 1),
                     "p90_ms": round(float(np.percentile(e, 90)), 1),
                     "within_20ms": round(float(np.mean(e <= 20)), 3), "within_50ms": round(float(np.mean(e <= 50)), 3)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
