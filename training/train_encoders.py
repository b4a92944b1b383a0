"""Trains one copy of the speech-mesh representation (issue #5 item 2) in two stages.

Stage 1 (speech space): the speech encoder learns phonetic content and speech-lip timing at once:
  per-frame phone cross-entropy (the corpus has exact phones) + symmetric InfoNCE (tau 0.07) against a
  jointly trained mesh encoder. Phone supervision makes same-phone windows cluster and speeds up
  convergence on 2 CPU cores; the contrastive term makes the space sync-sensitive (negatives include
  windows of the same utterance a few frames away, as in the paper's stride-1 perceptual loss).
Stage 2 (mesh alignment): the speech encoder is frozen and the mesh encoder is aligned to it with
  InfoNCE only, so the metric space is defined by speech, not by what a generator can produce.
Two copies: `loss` (seed 1, train half A) for the generator's perceptual loss and `metric` (seed 2,
train half B) for PLRS and live telemetry; halves are disjoint by utterance-id hash.
"""
from __future__ import annotations

import os

# Under CPU oversubscription (shared 2-core machine) OpenMP's spin-waiting wastes ~20x CPU per step
# (measured: 1.31 vs 0.09 CPU-s per encoder step); must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import zlib
from pathlib import Path

import numpy as np
import torch

from training.models.common import log, load_ckpt, norm_stats, save_ckpt, seed_all, setup_threads, speech_only, write_json
from training.models.data import load_split
from training.models.encoders import MESH_WINDOW, SPEECH_WINDOW, MeshEncoder, SpeechEncoder, info_nce
from training.models.generator import count_params


def half_of(utts, half: int):
    if half < 0:
        return utts
    return [u for u in utts if zlib.crc32(u.utt_id.encode()) % 2 == half]


class WindowSampler:
    """Batches of (speech window, mesh window, per-frame phones): n_utt utterances x per_utt windows."""

    def __init__(self, utts, rng, gain_aug: float = 0.7):
        self.utts = utts
        self.rng = rng
        self.gain = gain_aug
        w = np.array([u.lips.shape[0] - MESH_WINDOW + 1 for u in utts], dtype=np.float64)
        self.p = w / w.sum()

    def batch(self, n_utt: int, per_utt: int):
        mel, lips, ph = [], [], []
        for i in self.rng.choice(len(self.utts), size=n_utt, p=self.p):
            u = self.utts[i]
            n = min(u.lips.shape[0] - MESH_WINDOW + 1, (u.mel.shape[0] - SPEECH_WINDOW) // 2 + 1)
            centre = u.phones[np.minimum(2 * np.arange(n) + SPEECH_WINDOW // 2, len(u.phones) - 1)]
            speech = np.flatnonzero(centre != 0)
            ks = self.rng.integers(0, n, size=per_utt)
            if len(speech):
                pick = self.rng.random(per_utt) < 0.85
                ks[pick] = self.rng.choice(speech, size=int(pick.sum()))
            g = self.rng.uniform(-self.gain, self.gain)
            for k in ks:
                mel.append(u.mel[2 * k : 2 * k + SPEECH_WINDOW] + g)
                lips.append(u.lips[k : k + MESH_WINDOW])
                ph.append(u.phones[2 * k : 2 * k + SPEECH_WINDOW])
        return (torch.from_numpy(np.stack(mel)), torch.from_numpy(np.stack(lips)),
                torch.from_numpy(np.stack(ph).astype(np.int64)))


def train(args):
    setup_threads()
    rng = seed_all(args.seed)
    out = Path(args.out)
    mean, std = norm_stats(Path(args.corpus), out.parent)
    utts = speech_only(half_of(load_split(Path(args.corpus), "train", keep_audio=False), args.half))
    log(f"encoders[{out.name}]: {len(utts)} train utterances (half {args.half}), seed {args.seed}")
    sampler = WindowSampler(utts, rng)
    speech, mesh = SpeechEncoder(), MeshEncoder()
    speech.set_normalisation(mean, std)
    ck = out / "encoders.pt"
    stage, step = 1, 0
    if ck.exists():
        c = load_ckpt(ck)
        speech.load_state_dict(c["model"]["speech"])
        mesh.load_state_dict(c["model"]["mesh"])
        stage, step = c["extra"]["stage"], c["step"]
        log(f"resumed stage {stage} step {step}")
    params = {"speech": count_params(speech) - count_params(speech.phone_head), "mesh": count_params(mesh)}
    log(f"params {params}")
    n_utt, per_utt = args.batch // args.per_utt, args.per_utt

    class Both:
        """Checkpoint view: {'speech': state, 'mesh': state}."""

        @staticmethod
        def state_dict():
            return {"speech": speech.state_dict(), "mesh": mesh.state_dict()}

    both = Both()
    if stage == 1:
        opt = torch.optim.AdamW(list(speech.parameters()) + list(mesh.parameters()), lr=args.lr, weight_decay=1e-4)
        while step < args.steps1:
            m, l, p = sampler.batch(n_utt, per_utt)
            ea, em = speech(m), mesh(l)
            nce = info_nce(ea, em)
            ce = torch.nn.functional.cross_entropy(speech.phone_logits(m).reshape(-1, 40), p.reshape(-1))
            loss = nce + args.phone_weight * ce
            opt.zero_grad()
            if torch.isfinite(loss):
                loss.backward()
                if torch.isfinite(torch.nn.utils.clip_grad_norm_(list(speech.parameters()) + list(mesh.parameters()), 5.0)):
                    opt.step()
            step += 1
            if step % 25 == 0 or step == args.steps1:
                log(f"stage1 {step}/{args.steps1} nce {nce.item():.3f} phone-ce {ce.item():.3f}")
            if step % 20 == 0:
                save_ckpt(ck, both, step, {"stage": 1})
        stage, step = 2, 0
        save_ckpt(ck, both, step, {"stage": 2})
    for q in speech.parameters():
        q.requires_grad_(False)
    speech.eval()
    opt = torch.optim.AdamW(mesh.parameters(), lr=args.lr, weight_decay=1e-4)
    while step < args.steps2:
        m, l, _ = sampler.batch(n_utt, per_utt)
        with torch.no_grad():
            ea = speech(m)
        nce = info_nce(ea, mesh(l))
        opt.zero_grad()
        if torch.isfinite(nce):
            nce.backward()
            if torch.isfinite(torch.nn.utils.clip_grad_norm_(mesh.parameters(), 5.0)):
                opt.step()
        step += 1
        if step % 25 == 0 or step == args.steps2:
            log(f"stage2 {step}/{args.steps2} nce {nce.item():.3f}")
        if step % 20 == 0:
            save_ckpt(ck, both, step, {"stage": 2})
    save_ckpt(ck, both, step, {"stage": 3})
    write_json(out / "encoders.json", {"seed": args.seed, "half": args.half, "params": params,
                                       "steps1": args.steps1, "steps2": args.steps2, "batch": args.batch,
                                       "train_utterances": len(utts)})
    log(f"encoders[{out.name}] done")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--half", type=int, default=0, help="train half (0/1, by utterance hash); -1 = all")
    ap.add_argument("--steps1", type=int, default=600)
    ap.add_argument("--steps2", type=int, default=400)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--per-utt", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--phone-weight", type=float, default=0.5)
    train(ap.parse_args())


if __name__ == "__main__":
    main()
