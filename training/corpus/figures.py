"""Figures for TEACHER.md and CORPUS.md: teacher trajectories over phone labels, pocketsphinx alignment
spot checks on real speech. Writes small PNGs to training/figures/.

    /usr/bin/python3 -m training.corpus.figures
"""
from __future__ import annotations

import os
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import teacher as T  # noqa: E402
from ..phones import normalize  # noqa: E402
from ..spec import LIPS_GROUPS, LIPS_NEUTRAL  # noqa: E402
from . import real, tts  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "figures")
SENTENCES = [
    ("flite:slt", "Bob moved the blue boat to the beach."),
    ("festival:slt_hts", "Why would you ever wash a pink spoon?"),
    ("espeak:en-us+m1", "Papa, who knows where the old room is?"),
]
REAL = ["asterisk/all-circuits-busy-now", "asterisk/vm-goodbye", "pstest/librivox/sense_and_sensibility_01_austen_64kb-0880"]


def _labels(ax, phones, ymin, ymax):
    for s, e, p in phones:
        ax.axvline(s, color="0.8", lw=0.5, zorder=0)
        if normalize(p) != "sil":
            ax.text((s + e) / 2, ymax, normalize(p), ha="center", va="bottom", fontsize=6,
                    color="C3" if normalize(p) in ("p", "b", "m") else "k")


def teacher_figure(voice, text, path, audio=None, phones=None):
    if audio is None:
        audio, phones, _ = tts.synth(voice, text)
    n = int(np.ceil(len(audio) / 320))
    eff = T.effort_from_audio(audio, 16000, n, 50, T.speech_mask(phones, n))
    tr = T.teacher_track(phones, effort=eff, n_frames=n)
    t = np.arange(n) / 50
    ap = T.inner_aperture(tr) * 1e3
    w = (T.lip_width(tr) - np.linalg.norm(LIPS_NEUTRAL[LIPS_GROUPS["cornerLeft"]] - LIPS_NEUTRAL[LIPS_GROUPS["cornerRight"]])) * 1e3
    pr = T.protrusion(tr) * 1e3
    fig, axs = plt.subplots(4, 1, figsize=(9, 5.2), sharex=True, gridspec_kw={"height_ratios": [0.8, 1, 1, 1]})
    ta = np.arange(len(audio)) / 16000
    axs[0].plot(ta[::8], audio[::8], lw=0.3, color="0.3")
    axs[0].set_ylabel("audio", fontsize=7)
    _labels(axs[0], phones, -1, np.abs(audio).max())
    for ax, y, lab in ((axs[1], ap, "inner aperture\n(mm)"), (axs[2], w, "width change\n(mm)"), (axs[3], pr, "protrusion\n(mm)")):
        ax.plot(t, y, ".-", ms=2, lw=0.8)
        ax.set_ylabel(lab, fontsize=7)
        ax.tick_params(labelsize=6)
        for s, e, p in phones:
            ax.axvline(s, color="0.85", lw=0.5, zorder=0)
            if normalize(p) in ("p", "b", "m"):
                ax.axvspan(s, e, color="C3", alpha=0.12, lw=0)
    axs[1].axhline(0.5, color="C3", lw=0.5, ls=":")
    axs[3].set_xlabel("time (s); red bands = acoustic p/b/m; labels at acoustic segments", fontsize=7)
    axs[0].set_title(f"{voice}: \"{text}\"", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def align_figure(uid, path):
    items = {i[0]: i for i in real.real_items()}
    _, src, text, wav, _ = items[uid]
    x = real.load_audio(wav)
    with tempfile.TemporaryDirectory() as d:
        ph = real.align(x, text, d)
    fig, axs = plt.subplots(2, 1, figsize=(9, 3.6), sharex=True)
    axs[0].specgram(x, NFFT=256, Fs=16000, noverlap=160, cmap="magma")
    axs[0].set_ylim(0, 5000)
    axs[0].set_ylabel("Hz", fontsize=7)
    for s, e, p in ph:
        for ax in axs:
            ax.axvline(s, color="c", lw=0.6)
        axs[0].text((s + e) / 2, 4600, p, ha="center", fontsize=6, color="w")
    tr = T.teacher_track(ph, n_frames=int(np.ceil(len(x) / 320)))
    axs[1].plot(np.arange(len(tr)) / 50, T.inner_aperture(tr) * 1e3, lw=0.8)
    axs[1].set_ylabel("teacher aperture (mm)", fontsize=7)
    axs[1].set_xlabel("time (s)", fontsize=7)
    axs[0].set_title(f"pocketsphinx alignment: {uid}: \"{text}\"", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return ph


def main():
    os.makedirs(OUT, exist_ok=True)
    for k, (v, s) in enumerate(SENTENCES):
        teacher_figure(v, s, os.path.join(OUT, f"teacher_{k + 1}.png"))
    for k, uid in enumerate(REAL):
        ph = align_figure(uid, os.path.join(OUT, f"align_{k + 1}.png"))
        print(uid, " ".join(f"{p}@{s:.2f}" for s, e, p in ph))
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
