"""Corpus shards -> per-utterance arrays the models train on (log-mel per features-v1, lips, phones).

Shards (training/build/corpus*/{train,val,test,real}/*.npz + .json) hold 16 kHz int16 audio, lips-v1
displacements at 50 fps (320 samples per frame) and exact phone intervals. Log-mel comes from
training.features (the numpy twin of the TS runtime), so what the model sees in training is what the
browser computes. Mel frame i covers samples [160 i, 160 i + 400); lips frame j = time 20 j ms = mel frame 2 j.
Features are cached per split in <corpus>/../models-cache/ keyed by the shard list.
"""
from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.features import log_mel_spectrogram
from training.spec import FEATURES

HOP = FEATURES["hopLengthSamples"]
MELS = FEATURES["melBands"]
K = 2  # mel frames per lips frame


@dataclass
class Utterance:
    utt_id: str
    voice: str
    kind: str
    effort: str
    split: str
    tags: list
    mel: np.ndarray  # (T, 80) float32
    lips: np.ndarray  # (U, 63) float32 displacements, U = ceil(T/2) (clipped to what the shard has)
    phones: np.ndarray  # (T,) int16 phone id at each mel frame's centre
    effort_db: np.ndarray  # (U,) float32
    audio: np.ndarray  # (n,) float32 in [-1, 1]


def shard_paths(corpus: Path, split: str) -> list[Path]:
    return sorted((Path(corpus) / split).glob("*.npz"))


def _load_shard(path: Path) -> list[Utterance]:
    meta = json.loads(path.with_suffix(".json").read_text())
    d = np.load(path)
    out = []
    for u, info in enumerate(meta["utterances"]):
        a0, a1 = d["audio_offsets"][u], d["audio_offsets"][u + 1]
        f0, f1 = d["frame_offsets"][u], d["frame_offsets"][u + 1]
        p0, p1 = d["phone_offsets"][u], d["phone_offsets"][u + 1]
        audio = d["audio"][a0:a1].astype(np.float32) / 32768.0
        mel = log_mel_spectrogram(audio).astype(np.float32)
        t = mel.shape[0]
        n_out = min((t + 1) // 2, f1 - f0)
        if n_out < 20:
            continue
        mel = mel[: 2 * n_out]
        lips = d["lips"][f0 : f0 + n_out].reshape(n_out, 63).astype(np.float32)
        centres = (np.arange(mel.shape[0]) * HOP + 200) / 16000.0
        ps, pe, pid = d["phone_start"][p0:p1], d["phone_end"][p0:p1], d["phone_ids"][p0:p1]
        phones = np.zeros(mel.shape[0], np.int16)
        if len(ps):
            idx = np.clip(np.searchsorted(ps, centres, side="right") - 1, 0, len(ps) - 1)
            inside = (centres >= ps[idx]) & (centres < pe[idx])
            phones = np.where(inside, pid[idx], 0).astype(np.int16)
        out.append(
            Utterance(
                utt_id=info["utt_id"], voice=info.get("voice", meta.get("voice", "?")), kind=meta.get("kind", "?"),
                effort=info.get("effort", "normal"), split=meta.get("split", "?"), tags=info.get("tags", []),
                mel=mel, lips=lips, phones=phones, effort_db=d["effort_db"][f0 : f0 + n_out].astype(np.float32),
                audio=audio,
            )
        )
    return out


def load_split(corpus: Path, split: str, cache: bool = True, keep_audio: bool = True) -> list[Utterance]:
    """All utterances of a split; features are cached per shard (keyed by shard size), so a corpus that
    is still growing only costs the new shards. Audio is kept (float32) only when keep_audio."""
    cdir = Path(corpus).parent / "models-cache" / Path(corpus).name / split
    utts = []
    for p in shard_paths(corpus, split):
        cfile = cdir / f"{p.stem}-{p.stat().st_size}.pkl"
        try:
            if cache and cfile.exists():
                part = pickle.loads(cfile.read_bytes())
            elif os.environ.get("MODELS_CACHED_SHARDS_ONLY") == "1" and split == "train":
                continue  # corpus still being built: train on the shards already featurised
            else:
                part = _load_shard(p)
                for u in part:
                    u.audio = np.round(u.audio * 32768.0).clip(-32768, 32767).astype(np.int16)
                if cache:
                    cdir.mkdir(parents=True, exist_ok=True)
                    tmp = cfile.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_bytes(pickle.dumps(part, protocol=4))
                    tmp.replace(cfile)
        except Exception as e:  # a shard still being written by a concurrent corpus build
            print(f"skipping unreadable shard {p}: {e}")
            continue
        for u in part:
            u.audio = u.audio.astype(np.float32) / 32768.0 if keep_audio else np.zeros(0, np.float32)
        utts.extend(part)
    return utts


def mel_stats(utts: list[Utterance]) -> tuple[np.ndarray, np.ndarray]:
    """Global per-band mean/std of log-mel over the training frames (baked into the ONNX graphs)."""
    x = np.concatenate([u.mel for u in utts], axis=0).astype(np.float64)
    return x.mean(0).astype(np.float32), np.maximum(x.std(0), 1e-3).astype(np.float32)


def corpus_card(corpus: Path) -> dict:
    """Data card fields from the corpus manifest/stats (voices, hours, augmentation tags)."""
    # Repo-relative, so the shipped manifest does not carry the path of the machine that trained it.
    root = Path(__file__).resolve().parents[2]
    try:
        where = Path(corpus).resolve().relative_to(root).as_posix()
    except ValueError:
        where = str(corpus)
    card = {"corpus": where}
    st = Path(corpus) / "stats.json"
    if st.exists():
        s = json.loads(st.read_text())
        card["hours"] = {k: s[k].get("hours") for k in ("train", "val", "test", "real") if k in s}
        card["speechHours"] = {k: s[k].get("speech_hours") for k in ("train", "val", "test", "real") if k in s}
        card["voices"] = {k: s[k].get("voices") for k in ("train", "test", "real") if k in s}
        card["heldOutVoices"] = s.get("test_heldout", {}).get("voices_never_in_train")
        card["augmentationTags"] = s.get("tags")
    return card


if __name__ == "__main__":
    import argparse
    import time

    ap = argparse.ArgumentParser(description="Featurise (and cache) every split of a corpus.")
    ap.add_argument("--corpus", required=True)
    a = ap.parse_args()
    t0 = time.time()
    from training.models import data as _module  # pickle Utterance as training.models.data.Utterance, not __main__

    for split in ("train", "val", "test", "real"):
        n = len(_module.load_split(Path(a.corpus), split, keep_audio=False))
        print(f"features: {split} {n} utterances ({time.time() - t0:.0f}s)", flush=True)
