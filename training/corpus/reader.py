"""Reading the corpus (format: training/CORPUS.md).

    from training.corpus.reader import load_manifest, iter_utterances
    man = load_manifest("training/build/corpus")
    for u in iter_utterances("training/build/corpus", split="train"):
        u["audio"]      # float32 (N,), 16 kHz, N == 320 * T
        u["lips"]       # float32 (T, 21, 3) displacement from lips-v1 neutral (m), frame k at k / 50 s
        u["effort_db"]  # float32 (T,) local level relative to the utterance's speech (dB)
        u["phones"]     # list of (start_s, end_s, phone) with canonical ARPAbet (training.phones.PHONES)
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..phones import PHONES
from ..spec import LIPS_NEUTRAL


def load_manifest(root):
    with open(os.path.join(root, "manifest.json")) as f:
        return json.load(f)


def load_shard(path):
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def shard_utterances(path, meta=None):
    """Split one shard into per-utterance dicts (meta: the shard's .json sidecar utterance list)."""
    z = load_shard(path)
    if meta is None:
        with open(path[:-4] + ".json") as f:
            meta = json.load(f)["utterances"]
    ao, fo, po = z["audio_offsets"], z["frame_offsets"], z["phone_offsets"]
    for i in range(len(ao) - 1):
        ph = [(float(z["phone_start"][j]), float(z["phone_end"][j]), PHONES[int(z["phone_ids"][j])])
              for j in range(po[i], po[i + 1])]
        yield dict(meta[i], audio=z["audio"][ao[i]: ao[i + 1]].astype(np.float32) / 32768.0,
                   lips=z["lips"][fo[i]: fo[i + 1]], effort_db=z["effort_db"][fo[i]: fo[i + 1]], phones=ph,
                   phone_stress=z["phone_stress"][po[i]: po[i + 1]])


def iter_utterances(root, split=None, source=None):
    man = load_manifest(root)
    for sh in man["shards"]:
        if split is not None and sh["split"] != split:
            continue
        for u in shard_utterances(os.path.join(root, sh["path"])):
            if source is None or u["source"] == source:
                yield u


def lips_absolute(lips):
    """Displacements (..., 21, 3) -> absolute lips-v1 positions (m)."""
    return np.asarray(lips) + LIPS_NEUTRAL.astype(np.float32)
