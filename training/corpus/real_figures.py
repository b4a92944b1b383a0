"""Spot-check figures of machine labels on real speech (issue #14; CORPUS.md "More real voices"):
spectrogram with the phone boundaries from the shard, the teacher's inner-lip aperture from those phones and,
when given, a model's aperture from evaluate_real's saved predictions.

  python3 -m training.corpus.real_figures --corpus training/build/corpus \\
      --utt dev:pstest/librivox/... --utt dev:codec2/ve9qrp#01 --utt train_real:fotaq/...
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from training.models.data import load_split
from training.models.metrics import aperture
from training.phones import PHONES

OUT = Path(__file__).resolve().parents[1] / "figures"


def figure(u, meta: dict, path: Path) -> None:
    fig, axs = plt.subplots(2, 1, figsize=(9, 3.6), sharex=True)
    axs[0].specgram(u.audio, NFFT=256, Fs=16000, noverlap=160, cmap="magma")
    axs[0].set_ylim(0, 5000)
    axs[0].set_ylabel("Hz", fontsize=7)
    ph = u.phones  # phone id per 10 ms mel frame
    k = 0
    while k < len(ph):
        j = k
        while j < len(ph) and ph[j] == ph[k]:
            j += 1
        for ax in axs:
            ax.axvline(k / 100, color="c", lw=0.5)
        if ph[k]:
            axs[0].text((k + j) / 200, 4600, PHONES[ph[k]], ha="center", fontsize=6, color="w")
        k = j
    a = aperture(u.lips) * 1e3
    axs[1].plot(np.arange(len(a)) / 50, a, lw=0.9, label="teacher (aligned phones)")
    axs[1].set_ylabel("aperture (mm)", fontsize=7)
    axs[1].set_xlabel("time (s)", fontsize=7)
    axs[1].legend(fontsize=6, loc="upper right")
    lab = meta.get("label", {})
    axs[0].set_title(f"{u.utt_id} ({u.voice}; transcript {lab.get('transcript', 'given')}): \"{meta.get('text', '')[:90]}\"",
                     fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="training/build/corpus")
    ap.add_argument("--utt", action="append", required=True, help="split:utt_id")
    ap.add_argument("--prefix", default="real_label")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    for n, spec in enumerate(a.utt, 1):
        split, uid = spec.split(":", 1)
        utts = {u.utt_id: u for u in load_split(corpus, split, cache=False)}
        metas = {m["utt_id"]: m for p in sorted((corpus / split).glob("*.json")) for m in json.loads(p.read_text())["utterances"]}
        figure(utts[uid], metas[uid], OUT / f"{a.prefix}_{n}.png")
        print(OUT / f"{a.prefix}_{n}.png")


if __name__ == "__main__":
    main()
