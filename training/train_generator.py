"""Trains the streaming lip generator (issue #5 items 1 and 3).

Modes:
  sweep      one causal trunk with one head per look-ahead L in --lookaheads (mel frames); every head
             reads the same causal state shifted by L/2 steps, so all L see identical data and steps.
             Heads are scored on the val split (MTM, LVE); the L with the lowest MTM+latency rule wins.
  finetune   starts from the sweep trunk + chosen head and continues with geometric losses, optionally
             adding the perceptual loss of the frozen `loss`-copy encoders (--perceptual-weight > 0).
Geometric loss (mm units): MSE of positions + 2 x MSE of velocities + MSE of the inner-lip aperture.
Perceptual loss (paper §3): symmetric InfoNCE (tau 0.07) between the loss-copy mesh embeddings of the
predicted lips and the speech embeddings of the same mel, stride-1 windows, one block of <= 80
consecutive windows per crop (negatives = the same utterance a few frames away: a sync loss). Its
gradient is rescaled to at most --perceptual-weight x the geometric gradient norm (see run()).
Crops start at random frames; the first 30 outputs of a crop that does not start the utterance have
no real left context and are masked, as are the last L/2 outputs (no look-ahead left in the crop).
Channel robustness: the corpus's telephone-band/noise/reverb augmentation plus a random +-5 dB gain
on the log-mel (the normalisation is global and baked into the ONNX graph: nothing per utterance).
Checkpoints every 100 steps; rerunning resumes.
"""
from __future__ import annotations

import os

# Under CPU oversubscription (shared 2-core machine) OpenMP's spin-waiting wastes ~20x CPU per step
# (measured: 1.31 vs 0.09 CPU-s per encoder step); must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from training.models.common import log, load_ckpt, norm_stats, save_ckpt, seed_all, setup_threads, speech_only, write_json
from training.models.data import load_split
from training.models.encoders import MESH_WINDOW, SPEECH_WINDOW, MeshEncoder, SpeechEncoder, info_nce
from training.models.generator import MELS, OUT, OUT_SCALE, LipGenerator, count_params
from training.models.metrics import evaluate, predict
from training.phones import PHONE_ID
from training.spec import LIPS_GROUPS, LIPS_NEUTRAL

UP, LO = LIPS_GROUPS["innerUpperMid"], LIPS_GROUPS["innerLowerMid"]
NEUTRAL_MM = torch.tensor(LIPS_NEUTRAL * 1e3, dtype=torch.float32)
MASK_START = 30


class MultiHead(nn.Module):
    """Shared causal trunk + one 1x1 head per look-ahead (sweep)."""

    def __init__(self, lookaheads, **cfg):
        super().__init__()
        self.lookaheads = list(lookaheads)
        self.trunk = LipGenerator(lookahead=0, **cfg)
        self.heads = nn.ModuleDict({f"L{L}": nn.Conv1d(self.trunk.head.in_channels, OUT, 1, padding=L // 2)
                                    for L in self.lookaheads})

    def forward(self, mel):
        h = self.trunk.features(mel)
        outs = {}
        for L in self.lookaheads:
            y = self.heads[f"L{L}"](h)
            outs[L] = (y[:, :, L:] * OUT_SCALE).transpose(1, 2)
        return outs

    def single(self, L: int) -> LipGenerator:
        g = LipGenerator(lookahead=L, **{k: v for k, v in self.trunk.config.items() if k != "lookahead"})
        sd = {k: v for k, v in self.trunk.state_dict().items() if not k.startswith("head.")}
        sd.update({f"head.{k}": v for k, v in self.heads[f"L{L}"].state_dict().items()})
        g.load_state_dict(sd)
        return g


class CropSampler:
    def __init__(self, utts, rng, crop_mel: int, gain_db: float = 5.0, weights=None, tilt_db: float = 0.0):
        self.utts, self.rng, self.crop = utts, rng, crop_mel
        # spectral tilt: a log-mel ramp of +-tilt_db/2 dB from the lowest to the highest band (microphones and
        # channels differ in tilt; issue #14 ablation), drawn per crop like the gain
        self.tilt = tilt_db * np.log(10) / 10 * np.linspace(-0.5, 0.5, MELS)[None] if tilt_db else None
        w = np.array([u.mel.shape[0] for u in utts], dtype=np.float64)
        if weights is not None:
            w = w * np.asarray(weights, dtype=np.float64)
        self.p = w / w.sum()
        self.gain = gain_db * np.log(10) / 10  # dB of power -> natural-log units

    def batch(self, n: int):
        """(mel, lips, mask, bilabial): bilabial marks lips frames whose centre phone is p, b or m."""
        mels, lips, masks, bils = [], [], [], []
        U = self.crop // 2
        for i in self.rng.choice(len(self.utts), size=n, p=self.p):
            u = self.utts[i]
            nu = u.lips.shape[0]
            j0 = 0 if nu <= U or self.rng.random() < 0.15 else int(self.rng.integers(0, nu - U + 1))
            j1 = min(nu, j0 + U)
            m = np.zeros((self.crop, u.mel.shape[1]), np.float32) + u.mel.min()
            seg = u.mel[2 * j0 : 2 * j1]
            m[: seg.shape[0]] = seg
            m += self.rng.uniform(-self.gain, self.gain)
            if self.tilt is not None:
                m += self.rng.uniform(-1.0, 1.0) * self.tilt
            l = np.zeros((U, OUT), np.float32)
            l[: j1 - j0] = u.lips[j0:j1]
            mask = np.zeros(U, np.float32)
            mask[: j1 - j0] = 1
            if j0 > 0:
                mask[:MASK_START] = 0
            bil = np.zeros(U, np.float32)
            bil[: j1 - j0] = np.isin(u.phones[2 * j0 : 2 * j1 : 2], BILABIAL_IDS)
            mels.append(m), lips.append(l), masks.append(mask), bils.append(bil)
        return tuple(torch.from_numpy(np.stack(x)) for x in (mels, lips, masks, bils))


CLOSED_MM = 1.0  # teacher inner-lip aperture below which the lips count as closed (bilabials, rest)
BILABIAL_IDS = np.array([PHONE_ID[p] for p in ("p", "b", "m")])


def geometric_loss(pred, target, mask, L: int, closure_weight: float = 0.0, closure_frames=None):
    """pred/target (B, U, 63) metres; mask (B, U). Returns (total, parts) in mm units.

    `closure_weight` multiplies the aperture error by (1 + w) on `closure_frames` (B, U) when given (e.g. the
    p/b/m frames), else where the teacher's lips are closed (bilabials and rest): bilabial closures last
    ~60-100 ms, so plain MSE regresses them to a half-open mean (2.9 mm median measured)."""
    s = L // 2
    mask = mask.clone()
    if s:
        mask[:, -s:] = 0
    p, t = pred * 1e3, target * 1e3
    w = mask[..., None]
    denom = mask.sum().clamp(min=1)
    pos = (((p - t) ** 2) * w).sum() / (denom * OUT)
    mv = (mask[:, 1:] * mask[:, :-1])[..., None]
    vel = ((((p[:, 1:] - p[:, :-1]) - (t[:, 1:] - t[:, :-1])) ** 2) * mv).sum() / (mv.sum().clamp(min=1) * OUT)
    pa = (p.reshape(*p.shape[:2], 21, 3) + NEUTRAL_MM)
    ta = (t.reshape(*t.shape[:2], 21, 3) + NEUTRAL_MM)
    # sqrt(. + eps): the gradient of a norm is 0/0 when the lips meet exactly
    ap_p = torch.sqrt(((pa[:, :, UP] - pa[:, :, LO]) ** 2).sum(-1) + 1e-6)
    ap_t = torch.sqrt(((ta[:, :, UP] - ta[:, :, LO]) ** 2).sum(-1) + 1e-6)
    closed = (ap_t < CLOSED_MM).float() if closure_frames is None else closure_frames
    w_ap = mask * (1.0 + closure_weight * closed)
    ap = (((ap_p - ap_t) ** 2) * w_ap).sum() / denom
    total = pos + 2.0 * vel + ap
    return total, {"pos": pos.item(), "vel": vel.item(), "ap": ap.item()}


def perceptual_loss(pred, mel, mask, enc, rng, block: int = 80):
    """Mean over crops of symmetric InfoNCE between mesh windows of pred and speech windows of mel."""
    speech, mesh = enc
    losses = []
    for b in range(pred.shape[0]):
        valid = np.flatnonzero(mask[b].numpy() > 0)
        if len(valid) < MESH_WINDOW + 2:
            continue
        lo, hi = valid[0], valid[-1] - MESH_WINDOW + 1  # window starts whose frames are all valid
        n = min(block, hi - lo + 1)
        if n < 2:
            continue
        k0 = int(rng.integers(lo, hi - n + 2))
        ks = torch.arange(k0, k0 + n)
        mw = pred[b][ks[:, None] + torch.arange(MESH_WINDOW)[None]]
        sw = mel[b][2 * ks[:, None] + torch.arange(SPEECH_WINDOW)[None]]
        with torch.no_grad():
            es = speech(sw)
        losses.append(info_nce(es, mesh(mw)))
    return torch.stack(losses).mean() if losses else torch.zeros(())


def load_encoders(path: Path):
    c = load_ckpt(path)
    s, m = SpeechEncoder(), MeshEncoder()
    s.load_state_dict(c["model"]["speech"])
    m.load_state_dict(c["model"]["mesh"])
    for e in (s, m):
        e.eval()
        for q in e.parameters():
            q.requires_grad_(False)
    return s, m


def run(args):
    setup_threads()
    rng = seed_all(args.seed)
    out = Path(args.out)
    corpus = Path(args.corpus)
    mean, std = norm_stats(corpus, out.parent)
    all_train = load_split(corpus, "train", keep_audio=False)
    train = speech_only(all_train) + [u for u in all_train if u.kind == "nonspeech"]
    extra = []
    for folder in args.extra_train:  # e.g. train_real: more recorded voices (corpus/real_extra.py)
        part = speech_only(load_split(corpus, folder, keep_audio=False))
        if args.extra_speakers is not None:  # N voices of a fixed shuffle: nested subsets for the speaker curve
            voices = sorted({u.voice for u in part})
            keep = {voices[i] for i in np.random.default_rng(0).permutation(len(voices))[: args.extra_speakers]}
            part = [u for u in part if u.voice in keep]
        extra += part
    train += extra
    val = speech_only(load_split(corpus, "val"))
    log(f"generator[{out.name}] {args.mode}: {len(train)} train ({len(extra)} from {args.extra_train}, "
        f"{len({u.voice for u in extra})} voices, weight x{args.extra_weight}) / {len(val)} val utterances")
    cfg = dict(channels=args.channels)
    if args.mode == "sweep":
        model = MultiHead(args.lookaheads, **cfg)
        model.trunk.set_normalisation(mean, std)
        heads = args.lookaheads
    else:
        src = load_ckpt(Path(args.init))
        base = MultiHead(src["extra"]["lookaheads"], **cfg)
        base.load_state_dict(src["model"])
        model = base.single(args.lookahead)
        heads = [args.lookahead]
    ck = out / "generator.pt"
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    step = 0
    if ck.exists():
        c = load_ckpt(ck)
        model.load_state_dict(c["model"])
        if c.get("opt"):
            opt.load_state_dict(c["opt"])
        step = c["step"]
        log(f"resumed at step {step}")
    enc = load_encoders(Path(args.encoders)) if args.perceptual_weight > 0 else None
    log(f"params {count_params(model)}; heads {heads}; perceptual weight {args.perceptual_weight}")
    # crops are drawn in proportion to utterance length x weight; extra real voices get --extra-weight
    sampler = CropSampler(train, rng, args.crop, weights=np.r_[np.ones(len(train) - len(extra)), np.full(len(extra), args.extra_weight)],
                          tilt_db=args.tilt_db)
    sched = lambda s: args.lr * min(1.0, (s + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, s / args.steps))))
    meta = {"lookaheads": heads, "config": cfg, "extra_train": args.extra_train, "extra_weight": args.extra_weight,
            "extra_speakers": args.extra_speakers, "mode": args.mode, "perceptual_weight": args.perceptual_weight,
             "closure_weight": args.closure_weight, "closure_frames": args.closure_frames}
    while step < args.steps:
        for g in opt.param_groups:
            g["lr"] = sched(step)
        model.train()
        mel, lips, mask, bilabial = sampler.batch(args.batch)
        outs = model(mel) if args.mode == "sweep" else {args.lookahead: model(mel)}
        loss, parts = 0.0, {}
        for L, y in outs.items():
            l, parts[L] = geometric_loss(y, lips, mask, L, args.closure_weight,
                                         bilabial if args.closure_frames == "bilabial" else None)
            loss = loss + l
        pl = None
        opt.zero_grad()
        if not torch.isfinite(loss):
            log(f"{out.name} step {step}: non-finite loss, batch skipped")
            step += 1
            continue
        if enc is None:
            loss.backward()
        else:
            # Gradient-balanced perceptual term, balanced at the generator OUTPUT: the perceptual gradient on
            # the predicted lips is made finite and rescaled to at most `perceptual_weight` x the norm of the
            # geometric gradient on the same output, then both flow back through the generator once. A plain
            # weighted sum (0.1 or 0.02 x InfoNCE) diverged: the loss-copy mesh encoder's gradient reaches
            # 1e11 on some windows, dominated the clipped update and position error grew 1.2 -> 34 mm^2.
            y = outs[args.lookahead]
            g_geo = torch.autograd.grad(loss, y, retain_graph=True)[0]
            y_in = y.detach().requires_grad_(True)
            pl = perceptual_loss(y_in, mel, mask, enc, rng)
            g_pl = torch.nan_to_num(torch.autograd.grad(pl, y_in)[0], nan=0.0, posinf=0.0, neginf=0.0)
            scale = float(min(1.0, args.perceptual_weight * g_geo.norm() / (g_pl.norm() + 1e-12)))
            y.backward(g_geo + scale * g_pl)
        gn = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        if torch.isfinite(gn):
            opt.step()
        step += 1
        if step % 20 == 0 or step == args.steps:
            p = " ".join(f"L{L}:{v['pos']:.3f}/{v['ap']:.3f}" for L, v in parts.items())
            log(f"{out.name} step {step}/{args.steps} loss {loss.item():.3f} pos/ap(mm^2) {p}"
                + (f" percep {pl.item():.3f}" if pl is not None else ""))
        if step % 20 == 0 or step == args.steps:
            save_ckpt(ck, model, step, meta, opt)
    # validation per head
    res = {}
    for L in heads:
        g = model.single(L) if args.mode == "sweep" else model
        res[L] = evaluate(val, predict(g, val), mtm_max_clips=args.val_clips)
        log(f"val L={L}: {res[L]}")
    write_json(out / "val.json", {str(k): v for k, v in res.items()})
    if args.mode == "sweep":
        best = choose_lookahead(res, args.max_lookahead_ms)
        write_json(out / "choice.json", {"lookahead": best, "rule": LOOKAHEAD_RULE.format(args.max_lookahead_ms)})
        log(f"chosen look-ahead L = {best} mel frames ({best * 10} ms)")


LOOKAHEAD_RULE = "lowest val MTM among look-aheads <= {} ms (the mic-to-morph latency budget)"


def choose_lookahead(res: dict, max_lookahead_ms: int) -> int:
    """Lowest val MTM among the look-aheads that fit the latency budget: issue #8 allows 100 ms mic-to-morph,
    of which the 25 ms analysis window, the 10 ms capture chunk and ~20 ms of processing and rendering
    leave ~45 ms, so 40 ms of look-ahead at most. Larger L still appear in the trade-off curve."""
    fits = [L for L in sorted(res) if L * 10 <= max_lookahead_ms and res[L]["mtm_ms"] is not None]
    if not fits:
        raise SystemExit(f"no look-ahead <= {max_lookahead_ms} ms was scored")
    return min(fits, key=lambda L: res[L]["mtm_ms"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["sweep", "finetune"], default="sweep")
    ap.add_argument("--lookaheads", type=int, nargs="+", default=[0, 4, 8, 12])
    ap.add_argument("--max-lookahead-ms", type=int, default=40, help="latency budget for the look-ahead choice")
    ap.add_argument("--lookahead", type=int, default=8)
    ap.add_argument("--init", help="sweep checkpoint (finetune)")
    ap.add_argument("--encoders", help="loss-copy encoders.pt (perceptual loss)")
    ap.add_argument("--perceptual-weight", type=float, default=0.0, help="max ratio of perceptual to geometric gradient norm")
    ap.add_argument("--closure-weight", type=float, default=0.0, help="extra aperture-loss weight on closure frames")
    ap.add_argument("--closure-frames", choices=["closed", "bilabial"], default="closed",
                    help="closure frames: where the teacher's lips are closed (p/b/m and rest), or p/b/m phones only")
    ap.add_argument("--extra-train", nargs="*", default=[], help="more corpus folders to train on (e.g. train_real)")
    ap.add_argument("--extra-speakers", type=int, default=None, help="use only N voices of --extra-train (a fixed shuffle, so N=4 is inside N=16)")
    ap.add_argument("--extra-weight", type=float, default=1.0, help="crop sampling weight of --extra-train utterances")
    ap.add_argument("--tilt-db", type=float, default=0.0, help="random spectral tilt per crop, dB from lowest to highest band")
    ap.add_argument("--channels", type=int, default=96)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=320, help="mel frames per crop (even)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--val-clips", type=int, default=60)
    run(ap.parse_args())


if __name__ == "__main__":
    main()
