"""Paired-seed ablations scored on the real dev set (issue #14), one process for all runs.

Every run trains a fresh causal generator with one L = 4 (40 ms) head from scratch with train_generator's
losses, crops and schedule (reduced: --steps), then bakes the dev split the way the CLI does
(evaluate_real.bake_features) and scores it against the forced-alignment teacher per speaker. Arms of one
comparison share seeds, schedule and everything else; the data are loaded once (a separate process per run
spent ~2 min of its ~6 min reloading the corpus on this shared machine). Results go to
<out>/<arm>/seed<k>.json (resumable: finished runs are skipped) and <out>/summary.md (mean +- sd of the
paired differences against the first arm).

  python3 -m training.ablate_real --out training/build/x14/abl-real --steps 800 --seeds 1 2 3 4 5 \\
      --arm base --arm "real:extra=train_real,weight=4"
Arm syntax: name[:key=value,...] with keys extra (corpus folders, '+'-separated), weight (crop weight of the
extra utterances), speakers (use N extra voices of a fixed shuffle), tilt (random spectral tilt per crop, dB),
channels (model width; per-step cost grows ~quadratically: 112 = 1.36x the 96-channel model's MACs).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from training.evaluate_real import bake_features, evaluate, table
from training.models.common import log, norm_stats, seed_all, speech_only
from training.models.data import load_split
from training.train_generator import CropSampler, MultiHead, geometric_loss

L = 4


def parse_arm(spec: str) -> dict:
    name, _, rest = spec.partition(":")
    arm = {"name": name, "extra": [], "weight": 1.0, "speakers": None, "tilt": 0.0, "channels": None}
    for kv in filter(None, rest.split(",")):
        k, v = kv.split("=")
        arm[k] = v.split("+") if k == "extra" else float(v) if k in ("weight", "tilt") else int(v)
    return arm


def train_one(train, weights, mean, std, seed: int, steps: int, batch: int, crop: int, lr: float, channels: int,
              tilt_db: float = 0.0):
    rng = seed_all(seed)
    model = MultiHead([L], channels=channels)
    model.trunk.set_normalisation(mean, std)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sampler = CropSampler(train, rng, crop, weights=weights, tilt_db=tilt_db)
    sched = lambda s: lr * min(1.0, (s + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, s / steps))))
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = sched(step)
        model.train()
        mel, lips, mask, _ = sampler.batch(batch)
        loss, parts = geometric_loss(model(mel)[L], lips, mask, L)
        opt.zero_grad()
        if not torch.isfinite(loss):
            continue
        loss.backward()
        gn = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        if torch.isfinite(gn):
            opt.step()
        if (step + 1) % 100 == 0:
            log(f"  step {step + 1}/{steps} loss {loss.item():.3f} pos {parts['pos']:.3f} ap {parts['ap']:.3f}")
    return model.single(L).eval()


@torch.no_grad()
def bake_all(g, utts):
    out = []
    for u in utts:
        mel, frames = bake_features(u.audio, g.lookahead)
        out.append(g(torch.from_numpy(mel)[None])[0, :frames].numpy().reshape(frames, 63))
    return out


def summary(out: Path, arms: list[dict], seeds: list[int]) -> str:
    res = {a["name"]: {s: json.loads(p.read_text()) for s in seeds if (p := out / a["name"] / f"seed{s}.json").exists()}
           for a in arms}
    base = arms[0]["name"]
    lines = ["| arm | seeds | dev r (mean of utts) | dev r (mean of speakers) | best lag (ms) | MTM (ms) | dSLCC | "
             f"paired diff r (utts) vs {base} | paired diff r (speakers) | worst speaker (r) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for a in arms:
        rs = res[a["name"]]
        if not rs:
            continue
        f = lambda k: np.array([rs[s][k] for s in sorted(rs) if rs[s].get(k) is not None], np.float64)
        ms = lambda x, p=3: f"{x.mean():.{p}f} ± {x.std(ddof=1) if len(x) > 1 else 0:.{p}f}" if len(x) else "–"
        paired = [s for s in sorted(rs) if s in res[base]]
        d_u = np.array([rs[s]["r_mean_utt"] - res[base][s]["r_mean_utt"] for s in paired])
        d_s = np.array([rs[s]["r_mean_spk"] - res[base][s]["r_mean_spk"] for s in paired])
        worst = {}
        for s in rs.values():
            for spk, d in s["per_speaker"].items():
                worst.setdefault(spk, []).append(d["r"])
        w = min(worst, key=lambda k: np.mean(worst[k]))
        lines.append(f"| {a['name']} | {len(rs)} | {ms(f('r_mean_utt'))} | {ms(f('r_mean_spk'))} | {ms(f('lag_ms_mean_utt'), 1)} | "
                     f"{ms(f('mtm_ms_mean_spk'), 1)} | {ms(f('dslcc'))} | {ms(d_u) if a['name'] != base else '–'} | "
                     f"{ms(d_s) if a['name'] != base else '–'} | {w} ({np.mean(worst[w]):.3f}) |")
    # per speaker, mean over seeds
    spks = sorted({spk for a in arms for s in res[a["name"]].values() for spk in s["per_speaker"]})
    lines += ["", "| speaker | " + " | ".join(a["name"] for a in arms if res[a["name"]]) + " |",
              "|---|" + "---|" * sum(1 for a in arms if res[a["name"]])]
    for spk in spks:
        cells = []
        for a in arms:
            if not res[a["name"]]:
                continue
            v = [s["per_speaker"][spk]["r"] for s in res[a["name"]].values() if spk in s["per_speaker"]]
            cells.append(f"{np.mean(v):.3f}" if v else "–")
        lines.append(f"| {spk} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="training/build/corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--arm", action="append", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=320)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--channels", type=int, default=96)
    ap.add_argument("--eval-split", default="dev")
    ap.add_argument("--save-models", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(a.out)
    corpus = Path(a.corpus)
    arms = [parse_arm(s) for s in a.arm]
    mean, std = norm_stats(corpus, out.parent)
    all_train = load_split(corpus, "train", keep_audio=False)
    base = speech_only(all_train) + [u for u in all_train if u.kind == "nonspeech"]
    folders = {f: speech_only(load_split(corpus, f, keep_audio=False)) for arm in arms for f in arm["extra"]}
    dev = [u for u in load_split(corpus, a.eval_split, cache=False) if u.lips.shape[0] >= 12]
    log(f"ablation: {len(base)} base train utts, extra {{{', '.join(f'{k}: {len(v)}' for k, v in folders.items())}}}, "
        f"{len(dev)} {a.eval_split} utts; arms {[x['name'] for x in arms]}; seeds {a.seeds}; {a.steps} steps")
    for seed in a.seeds:  # seed-major: after k seeds every arm has k paired runs
        for arm in arms:
            f = out / arm["name"] / f"seed{seed}.json"
            if f.exists():
                continue
            extra = [u for fo in arm["extra"] for u in folders[fo]]
            if arm["speakers"] is not None:
                voices = sorted({u.voice for u in extra})
                keep = {voices[i] for i in np.random.default_rng(0).permutation(len(voices))[: arm["speakers"]]}
                extra = [u for u in extra if u.voice in keep]
            train = base + extra
            w = np.r_[np.ones(len(base)), np.full(len(extra), arm["weight"])]
            t0 = time.time()
            log(f"{arm['name']} seed {seed}: {len(extra)} extra utts, {len({u.voice for u in extra})} extra voices")
            g = train_one(train, w, mean, std, seed, a.steps, a.batch, a.crop, a.lr, arm["channels"] or a.channels, arm["tilt"])
            res = evaluate(dev, bake_all(g, dev))
            res.update(arm=arm, seed=seed, steps=a.steps, train_seconds=time.time() - t0,
                       extra_voices=sorted({u.voice for u in extra}))
            f.parent.mkdir(parents=True, exist_ok=True)
            if a.save_models:
                torch.save({"model": g.state_dict(), "step": a.steps,
                            "extra": {"lookaheads": [L], "config": {"channels": arm["channels"] or a.channels}}}, f.with_suffix(".pt"))
            f.write_text(json.dumps(res, indent=1, default=float))
            log(f"{arm['name']} seed {seed}: dev r {res['r_mean_utt']:.3f} (speakers {res['r_mean_spk']:.3f}), lag "
                f"{res['lag_ms_mean_utt']:.1f} ms, {time.time() - t0:.0f}s")
            print(table(res, f"{arm['name']}/{seed}"), flush=True)
        s = summary(out, arms, a.seeds)
        (out / "summary.md").write_text(s + "\n")
        print(s, flush=True)


if __name__ == "__main__":
    main()
