"""Shared training helpers: seeding, logging with wall time, checkpoints, batching of windows."""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from training.models.data import load_split, mel_stats

T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - T0:7.1f}s] {msg}", flush=True)
    sys.stdout.flush()


def seed_all(seed: int) -> np.random.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def setup_threads() -> None:
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1) if hasattr(torch, "set_num_interop_threads") else None


def norm_stats(corpus: Path, out: Path) -> tuple[np.ndarray, np.ndarray]:
    """Global log-mel mean/std over the train split, computed once per output dir."""
    f = Path(out) / "mel_stats.npz"
    if f.exists():
        d = np.load(f)
        return d["mean"], d["std"]
    mean, std = mel_stats(load_split(corpus, "train", keep_audio=False))
    Path(out).mkdir(parents=True, exist_ok=True)
    np.savez(f, mean=mean, std=std)
    return mean, std


def save_ckpt(path: Path, model, step: int, extra: dict | None = None, opt=None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "step": step, "extra": extra or {},
                "opt": opt.state_dict() if opt is not None else None}, tmp)
    tmp.replace(path)


def load_ckpt(path: Path):
    return torch.load(path, map_location="cpu")


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1, default=float))


def speech_only(utts):
    return [u for u in utts if u.kind != "nonspeech" and u.lips.shape[0] >= 12]
