"""corpus -> models/: the whole issue-#5 pipeline, resumable, with progress and wall time.

Stages (each skipped when its output exists; checkpoints resume inside a stage):
  1. encoders `loss` (seed 1, train half A) and `metric` (seed 2, train half B)      train_encoders.py
  2. generator look-ahead sweep L in {0, 4, 8, 12} (shared trunk, one head per L)     train_generator.py sweep
  3. fine-tune the chosen L three times: geometric only / + perceptual loss (loss copy) /
     geometric with closed-lip frames weighted (bilabial closure)                    train_generator.py finetune
  4. evaluation: sweep on test, ablation on test / held-out voices / real, encoders   evaluate_models.py
  5. fit the winner's aperture calibration on val (monotone opening map)             calibrate_generator.py
  6. latency modes (issue #12): the winner's recipe fine-tuned for the other sweep look-aheads, each calibrated,
     scored on val and the real-voice dev set; LIVE_RULE / PLAYBACK_RULE pick the live and playback heads
  7. export the winner (+ calibration), the mode heads + the metric encoders to ONNX, manifest, fixtures  export_onnx.py
`--smoke` shrinks every schedule (~1-2 min on the smoke corpus) and never writes models/.
"""
from __future__ import annotations

import os

# Under CPU oversubscription (shared 2-core machine) OpenMP's spin-waiting wastes ~20x CPU per step
# (measured: 1.31 vs 0.09 CPU-s per encoder step); must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

PERCEPTUAL_WEIGHT = 0.25  # perceptual gradient <= 0.25 x geometric gradient norm (train_generator.py: plain weighted sums diverged)
# Aperture error x(1 + w) where the teacher's lips are closed (p/b/m and rest; train_generator.py
# geometric_loss). Other weights and p/b/m-only frames were tried afterwards: RESULTS.md 2c.
CLOSURE_WEIGHT = 4.0
CLOSURE_FRAMES = "closed"
VARIANTS = (("geometric", "gen-geo", 0.0, 0.0), ("perceptual", "gen-perc", PERCEPTUAL_WEIGHT, 0.0),
            ("closure", "gen-close", 0.0, CLOSURE_WEIGHT))
# Latency modes (issue #12), written down before any mode head was trained. The balanced head is the sweep's
# choice (L = 4, 40 ms); the candidates come from the same sweep trunk and get the winner's fine-tune and calibration.
LIVE_CANDIDATES = (0,)  # lowest look-ahead first
PLAYBACK_CANDIDATES = (12, 8)  # longest look-ahead first
LIVE_RULE = ("live = the lowest look-ahead head that keeps, on validation, aperture r >= balanced - 0.05, MTM <= balanced + "
             "10 ms and dSLCC <= balanced + 0.02 (expressive lips beat precise-but-flat ones: a head may lose a little "
             "precision, not expressiveness), and on the real-voice dev set (where built) r >= balanced - 0.03; "
             "else the balanced head serves live sources")
PLAYBACK_RULE = ("playback = the longest look-ahead head whose validation MTM is no worse than the balanced head's and whose "
                 "real-voice dev r (where built) is >= balanced - 0.01 (seed noise, RESULTS 4b); else the balanced head")
FULL = dict(enc_steps1=600, enc_steps2=300, enc_batch=128, sweep_steps=1500, ft_steps=600, batch=8, crop=320, mtm_clips=200)
SMOKE = dict(enc_steps1=12, enc_steps2=6, enc_batch=32, sweep_steps=12, ft_steps=6, batch=2, crop=160, mtm_clips=4)


def sh(args: list[str], what: str) -> None:
    parallel([(args, what)])


def parallel(jobs: list[tuple[list[str], str]]) -> None:
    """Runs independent stages side by side (2 cores: one process each), stdout prefixed per stage."""
    t = time.time()
    procs = []
    for args, what in jobs:
        print(f"==> {what}: {' '.join(args)}", flush=True)
        procs.append((subprocess.Popen([PY, "-m", *args], cwd=ROOT), what))
    failed = [what for p, what in procs if p.wait() != 0]
    if failed:
        raise SystemExit(f"stage(s) failed: {failed}")
    print(f"<== {', '.join(w for _, w in jobs)} done in {time.time() - t:.0f}s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="training/build/corpus")
    ap.add_argument("--run", default="training/build/models")
    ap.add_argument("--ship", default="models", help="where the exported models go ('' = <run>/export)")
    ap.add_argument("--fixtures", default="test/fixtures/models", help="where the parity fixtures go (not in --smoke)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every step count (shorter schedules)")
    ap.add_argument("--mtm-clips", type=int, help="clips per split scored with MTM (DDTW is slow); default per schedule")
    args = ap.parse_args()
    t0 = time.time()
    cfg = dict(SMOKE if args.smoke else FULL)
    for k in ("enc_steps1", "enc_steps2", "sweep_steps", "ft_steps"):
        cfg[k] = max(2, int(cfg[k] * args.scale))
    if args.mtm_clips:
        cfg["mtm_clips"] = args.mtm_clips
    run, corpus = Path(args.run), args.corpus
    ship = Path(args.ship) if args.ship and not args.smoke else run / "export"
    print(f"models pipeline: corpus {corpus} -> run {run} -> ship {ship}; schedule {cfg}", flush=True)
    # features once (per-shard cache), so the parallel stages below do not featurise the same shards twice
    sh(["training.models.data", "--corpus", corpus], "log-mel features (cached per shard)")
    jobs = []
    for name, seed, half in (("loss", 1, 0), ("metric", 2, 1)):
        if not (run / f"enc-{name}" / "encoders.json").exists():
            jobs.append((["training.train_encoders", "--corpus", corpus, "--out", str(run / f"enc-{name}"), "--seed", str(seed),
                          "--half", str(half), "--steps1", str(cfg["enc_steps1"]), "--steps2", str(cfg["enc_steps2"]),
                          "--batch", str(cfg["enc_batch"]), "--per-utt", str(min(16, cfg["enc_batch"] // 4))], f"encoders {name}"))
    common = ["--corpus", corpus, "--batch", str(cfg["batch"]), "--crop", str(cfg["crop"]), "--val-clips", str(cfg["mtm_clips"])]
    if not (run / "gen-sweep" / "choice.json").exists():
        jobs.append((["training.train_generator", "--mode", "sweep", "--out", str(run / "gen-sweep"), "--steps", str(cfg["sweep_steps"]),
                      *common], "generator look-ahead sweep"))
    # the sweep does not need the encoders: run them side by side (encoders first, they are short)
    if jobs:
        parallel(jobs)
    L = json.loads((run / "gen-sweep" / "choice.json").read_text())["lookahead"]
    jobs = []
    for _, folder, w, cw in VARIANTS:
        if not (run / folder / "val.json").exists():
            jobs.append((["training.train_generator", "--mode", "finetune", "--out", str(run / folder), "--init",
                          str(run / "gen-sweep" / "generator.pt"), "--lookahead", str(L), "--steps", str(cfg["ft_steps"]), "--lr", "1e-3",
                          "--encoders", str(run / "enc-loss" / "encoders.pt"), "--perceptual-weight", str(w),
                          "--closure-weight", str(cw), "--closure-frames", CLOSURE_FRAMES, *common],
                         f"fine-tune {folder} (L={L})"))
    # two at a time: one process per core
    for i in range(0, len(jobs), 2):
        parallel(jobs[i : i + 2])
    sh(["training.evaluate_models", "--merge", "--corpus", corpus, "--run", str(run), "--mtm-clips", str(cfg["mtm_clips"]),
        "--generators", *[f"{name}={folder}/generator.pt" for name, folder, _, _ in VARIANTS]]
       + (["--no-figures"] if args.smoke else []), "evaluation")
    res = json.loads((run / "results.json").read_text())
    winner = choose_winner(res["ablation"])
    print(f"winner: {winner}", flush=True)
    extra = run / "manifest_extra.json"
    extra.write_text(json.dumps(manifest_extra(res, winner, L, corpus, cfg, args.scale), indent=1))
    fx = [] if args.smoke else ["--fixtures", args.fixtures]
    folder = {name: f for name, f, _, _ in VARIANTS}[winner]
    cal_json = run / "calibration.json"
    if not cal_json.exists() or json.loads(cal_json.read_text()).get("generator") != f"{folder}/generator.pt":
        sh(["training.calibrate_generator", "--corpus", corpus, "--run", str(run), "--generator", f"{folder}/generator.pt",
            "--mtm-clips", str(cfg["mtm_clips"])], "aperture calibration")
    with_calibration_metrics(extra, json.loads(cal_json.read_text()))
    modes = latency_mode_heads(run, corpus, cfg, common, winner, L)
    manifest = json.loads(extra.read_text())
    manifest["training"]["latencyModes"] = modes
    extra.write_text(json.dumps(manifest, indent=1))
    mode_args = [a for m, head in modes["chosen"].items() if head != L
                 for a in ("--mode", f"{m}={run / f'gen-L{head}' / 'generator.pt'},{run / f'gen-L{head}' / 'calibration.json'}")]
    sh(["training.export_onnx", "--generator", str(run / folder / "generator.pt"), "--calibration", str(cal_json),
        "--encoders", str(run / "enc-metric" / "encoders.pt"), "--out", str(ship), "--extra", str(extra), *mode_args, *fx], "export")
    print(f"models pipeline finished in {(time.time() - t0) / 60:.1f} min wall", flush=True)


def latency_mode_heads(run: Path, corpus: str, cfg: dict, common: list[str], winner: str, L: int) -> dict:
    """Stage 6: trains, calibrates and scores the candidate heads (resumable per head), then applies the rules."""
    _, folder, w, cw = next(v for v in VARIANTS if v[0] == winner)
    has_dev = (Path(ROOT / corpus) / "dev").is_dir()
    heads = [h for h in (*LIVE_CANDIDATES, *PLAYBACK_CANDIDATES) if h != L]
    jobs = [(["training.train_generator", "--mode", "finetune", "--out", str(run / f"gen-L{h}"), "--init",
              str(run / "gen-sweep" / "generator.pt"), "--lookahead", str(h), "--steps", str(cfg["ft_steps"]), "--lr", "1e-3",
              "--encoders", str(run / "enc-loss" / "encoders.pt"), "--perceptual-weight", str(w), "--closure-weight", str(cw),
              "--closure-frames", CLOSURE_FRAMES, *common], f"fine-tune gen-L{h} ({winner} recipe, latency mode)")
            for h in heads if not (run / f"gen-L{h}" / "val.json").exists()]
    for i in range(0, len(jobs), 2):
        parallel(jobs[i : i + 2])
    jobs = [(["training.calibrate_generator", "--corpus", corpus, "--run", str(run), "--generator", f"gen-L{h}/generator.pt",
              "--mtm-clips", str(cfg["mtm_clips"]), "--out", str(run / f"gen-L{h}" / "calibration.json")], f"calibrate gen-L{h}")
            for h in heads if not (run / f"gen-L{h}" / "calibration.json").exists()]
    for i in range(0, len(jobs), 2):
        parallel(jobs[i : i + 2])
    scored = {L: (f"{folder}/generator.pt", run / "calibration.json"), **{h: (f"gen-L{h}/generator.pt", run / f"gen-L{h}" / "calibration.json") for h in heads}}
    if has_dev:
        jobs = [(["training.evaluate_real", "--corpus", corpus, "--split", "dev", "--checkpoint", str(run / g), "--calibration", str(c),
                  "--name", f"L={h}", "--out", str(run / f"dev-L{h}.json")], f"real-voice dev set, L={h}")
                for h, (g, c) in scored.items() if not (run / f"dev-L{h}.json").exists()]
        for i in range(0, len(jobs), 2):
            parallel(jobs[i : i + 2])
    rows = {}
    for h, (_, c) in scored.items():
        cal = json.loads(c.read_text())
        val = cal["metrics"]["val"][str(cal["blend"]) if cal["blend"] else "none"]
        rows[h] = {"val": val, "test": cal["metrics"].get("test", {}).get(str(cal["blend"]) if cal["blend"] else "none"),
                   "dev": dev_summary(json.loads((run / f"dev-L{h}.json").read_text())) if has_dev else None}
    chosen = choose_latency_modes(rows, L)
    print(f"latency modes: {chosen}", flush=True)
    return {"chosen": {m: h for m, h in chosen.items()}, "rules": {"live": LIVE_RULE, "playback": PLAYBACK_RULE},
            "heads": {str(h): {"lookaheadMs": h * 10, "val": r["val"], "test": r["test"], "dev": r["dev"]} for h, r in rows.items()}}


def dev_summary(d: dict) -> dict:
    """evaluate_real.py's result, without the per-utterance rows: mean r over utterances decides."""
    w = d["worst_speaker"]
    return {"r": d["r_mean_utt"], "r_speakers": d["r_mean_spk"], "lag_ms": d["lag_ms_mean_utt"], "dslcc": d.get("dslcc"),
            "worst_speaker": w, "worst_r": d["per_speaker"][w]["r"], "utterances": d["utterances"]}


def choose_latency_modes(rows: dict, balanced: int) -> dict:
    """LIVE_RULE and PLAYBACK_RULE over rows[L] = {val: calibrate_generator's val row, dev: evaluate_real's `all` or None}."""
    b = rows[balanced]

    def dev_r(r):
        return r["dev"]["r"] if r["dev"] else None

    def live_ok(r):
        v, bv = r["val"], b["val"]
        ok = (v["aperture_r"] >= bv["aperture_r"] - 0.05 and v["mtm_ms"] <= bv["mtm_ms"] + 10.0
              and (v.get("dslcc") or 0.0) <= (bv.get("dslcc") or 0.0) + 0.02)
        return ok and (dev_r(r) is None or dev_r(r) >= dev_r(b) - 0.03)

    def playback_ok(r):
        return r["val"]["mtm_ms"] <= b["val"]["mtm_ms"] and (dev_r(r) is None or dev_r(r) >= dev_r(b) - 0.01)

    live = next((h for h in LIVE_CANDIDATES if h in rows and h < balanced and live_ok(rows[h])), balanced)
    playback = next((h for h in PLAYBACK_CANDIDATES if h in rows and h > balanced and playback_ok(rows[h])), balanced)
    return {"live": live, "balanced": balanced, "playback": playback}


def choose_winner(ab: dict) -> str:
    """Test split. Perceptual beats geometric only if no worse on both MTM and PLRS. Closure then beats that
    winner if it closes bilabials >= 0.5 mm tighter (median aperture at p/b/m centres) for at most 2 ms of
    MTM and 0.01 of aperture r: lips meeting on p/b/m is the most visible readability cue."""
    geo, perc = ab["geometric"]["test"], ab["perceptual"]["test"]
    best = "perceptual" if (perc["mtm_ms"] or 1e9) <= (geo["mtm_ms"] or 1e9) and (perc.get("plrs") or -1) >= (geo.get("plrs") or -1) else "geometric"
    close = ab.get("closure", {}).get("test")
    b = ab[best]["test"]
    if close and close.get("bilabial_mm") is not None and b.get("bilabial_mm") is not None:
        if (close["bilabial_mm"] <= b["bilabial_mm"] - 0.5 and (close["mtm_ms"] or 1e9) <= (b["mtm_ms"] or 1e9) + 2.0
                and close["aperture_r"] >= b["aperture_r"] - 0.01):
            best = "closure"
    return best


def with_calibration_metrics(extra: Path, calibration: dict) -> None:
    """The shipped generator includes its aperture calibration: its metrics are the calibrated ones (the
    uncalibrated ones stay under metricsUncalibrated)."""
    blend = calibration["blend"]
    manifest = json.loads(extra.read_text())
    if not blend or "metricsUncalibrated" in manifest:
        return
    manifest["metricsUncalibrated"] = manifest["metrics"]
    manifest["metrics"] = {split: {k: rows[str(blend)].get(k) for k in manifest["metrics"][split]}
                           for split, rows in calibration["metrics"].items() if split in manifest["metrics"]}
    manifest["training"]["apertureCalibration"] = {"blend": blend, "rule": calibration["rule"]}
    extra.write_text(json.dumps(manifest, indent=1))


def manifest_extra(res, winner, L, corpus, cfg, scale):
    from training.models.data import corpus_card

    ab = res["ablation"][winner]
    pick = ("mtm_ms", "lve_mm2", "aperture_r", "plrs", "plrs_teacher", "slcc", "slcc_teacher", "dslcc", "jitter_mm", "jitter_teacher_mm",
            "bilabial_mm", "bilabial_teacher_mm", "open_vowel_mm", "open_vowel_teacher_mm", "utterances")
    return {
        "dataCard": corpus_card(Path(ROOT / corpus)) | {"teacher": "training/teacher.py articulatory teacher (lips-v1 displacements, 50 fps)"},
        "training": {"schedule": cfg, "scale": scale, "winner": winner, "lookaheadChoice": f"L = {L} mel frames ({L * 10} ms)"},
        "metrics": {split: {k: ab[split].get(k) for k in pick} for split in ab},
        "metricsNote": "vs the articulatory teacher; MTM in ms (50 fps frames x 20), LVE in mm^2, PLRS with the metric copy",
        "knownLimits": [
            "trained on TTS voices + a little real speech with teacher (not captured) lip motion: accuracy is relative to the teacher",
            "English phone inventory only; other languages untested",
            "the speech-mesh encoders are small (window 200 ms) and trained on the same teacher: PLRS is a sync/teacher-agreement score, not human-rated",
        ],
    }


if __name__ == "__main__":
    main()
