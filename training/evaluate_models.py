"""Evaluates the trained models (issue #5): look-ahead sweep, perceptual-loss ablation, encoder properties.

Writes <run>/results.json and training/figures/models_*.png (unless --no-figures):
  - sweep: every look-ahead head of the sweep model on the test split (MTM ms, LVE mm^2, aperture r);
  - ablation: geometric vs geometric + perceptual generators on test, held-out-voice test and `real`
    (MTM ms, LVE, PLRS with the METRIC-copy encoders, SLCC / dSLCC vs the teacher, jitter, aperture r);
  - encoders (both copies): cosine vs temporal offset, kNN phone accuracy (+ PCA plot), vocal-effort axis.
"""
from __future__ import annotations

import os

# Under CPU oversubscription (shared 2-core machine) OpenMP's spin-waiting wastes ~20x CPU per step
# (measured: 1.31 vs 0.09 CPU-s per encoder step); must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from training.models.common import load_ckpt, log, setup_threads, speech_only, write_json
from training.models.data import load_split
from training.models.encoders import MESH_WINDOW, SPEECH_WINDOW
from training.models.generator import LipGenerator
from training.models.metrics import evaluate, predict
from training.phones import PHONES
from training.train_generator import MultiHead, load_encoders

FIG = Path(__file__).resolve().parent / "figures"


def load_generator(path: Path) -> LipGenerator:
    c = load_ckpt(path)
    g = LipGenerator(lookahead=c["extra"]["lookaheads"][0], **c["extra"]["config"])
    g.load_state_dict(c["model"])
    return g.eval()


def held_out_voices(corpus: Path, test) -> set[str]:
    """Voices of the test split never used in training (corpus stats, else compared with the train split)."""
    meta = json.loads((corpus / "stats.json").read_text()) if (corpus / "stats.json").exists() else {}
    held = set(meta.get("test_heldout", {}).get("voices_never_in_train", []))
    if not held:
        train_voices = {u.voice for u in load_split(corpus, "train", keep_audio=False)}
        held = {u.voice for u in test} - train_voices
    return held


def windows(utts, max_per_utt: int, rng, stride: int = 1):
    """(speech windows, mesh windows, centre phone, effort label, effort dB, utt index, k)."""
    S, M, P, E, D, U, K = [], [], [], [], [], [], []
    for ui, u in enumerate(utts):
        n = min(u.lips.shape[0] - MESH_WINDOW + 1, (u.mel.shape[0] - SPEECH_WINDOW) // 2 + 1)
        ks = np.arange(0, n, stride)
        if len(ks) > max_per_utt:
            ks = np.sort(rng.choice(ks, max_per_utt, replace=False))
        for k in ks:
            S.append(u.mel[2 * k : 2 * k + SPEECH_WINDOW])
            M.append(u.lips[k : k + MESH_WINDOW])
            P.append(int(u.phones[min(2 * k + SPEECH_WINDOW // 2, len(u.phones) - 1)]))
            E.append(u.effort)
            D.append(float(u.effort_db[min(k + MESH_WINDOW // 2, len(u.effort_db) - 1)]))
            U.append(ui)
            K.append(k)
    return (torch.from_numpy(np.stack(S)), torch.from_numpy(np.stack(M)), np.array(P), np.array(E), np.array(D),
            np.array(U), np.array(K))


@torch.no_grad()
def embed(enc, x, bs: int = 1024):
    return torch.cat([enc(x[i : i + bs]) for i in range(0, len(x), bs)]).numpy()


@torch.no_grad()
def offset_curve(encs, utts, max_offset: int = 10):
    """Mean cos(speech window k, mesh window k + d) over all test windows, d in [-max, max] frames (50 fps)."""
    speech, mesh = encs
    sims = {d: [] for d in range(-max_offset, max_offset + 1)}
    for u in utts:
        n = min(u.lips.shape[0] - MESH_WINDOW + 1, (u.mel.shape[0] - SPEECH_WINDOW) // 2 + 1)
        if n < 2 * max_offset + 5:
            continue
        ks = torch.arange(n)
        es = speech(torch.from_numpy(u.mel)[2 * ks[:, None] + torch.arange(SPEECH_WINDOW)[None]]).numpy()
        em = mesh(torch.from_numpy(u.lips)[ks[:, None] + torch.arange(MESH_WINDOW)[None]]).numpy()
        for d in sims:
            a = es[max(0, -d) : n - max(0, d)]
            b = em[max(0, d) : n - max(0, -d)]
            sims[d].append(float((a * b).sum(1).mean()))
    return {d: float(np.mean(v)) for d, v in sims.items()}


def knn_accuracy(db_x, db_y, q_x, q_y, k: int = 5):
    idx = np.concatenate([np.argpartition(-(q_x[i : i + 1000] @ db_x.T), k, axis=1)[:, :k] for i in range(0, len(q_x), 1000)])
    votes = db_y[idx]
    pred = np.array([np.bincount(v, minlength=len(PHONES)).argmax() for v in votes])
    return float((pred == q_y).mean())


def encoder_properties(name, encs, train, test, rng, figures: bool):
    res = {}
    curve = offset_curve(encs, test)
    res["offset_curve"] = curve
    peak = max(curve, key=curve.get)
    res["offset_peak"] = peak
    res["offset_drop_at_3"] = curve[0] - 0.5 * (curve[-3] + curve[3])
    # bounded sizes: all-pairs kNN over the full corpus does not fit in memory (OOM in the first run)
    train = [train[i] for i in np.sort(rng.choice(len(train), min(len(train), 1500), replace=False))]
    test = [test[i] for i in np.sort(rng.choice(len(test), min(len(test), 400), replace=False))]
    s_tr, m_tr, p_tr, e_tr, d_tr, _, _ = windows(train, 12, rng)
    s_te, m_te, p_te, e_te, d_te, _, _ = windows(test, 12, rng)
    es_tr, es_te = embed(encs[0], s_tr), embed(encs[0], s_te)
    em_tr, em_te = embed(encs[1], m_tr), embed(encs[1], m_te)
    sp_tr, sp_te = p_tr != 0, p_te != 0
    res["knn_phone_acc_speech"] = knn_accuracy(es_tr[sp_tr], p_tr[sp_tr], es_te[sp_te], p_te[sp_te])
    res["knn_phone_acc_mesh"] = knn_accuracy(em_tr[sp_tr], p_tr[sp_tr], em_te[sp_te], p_te[sp_te])
    res["knn_phone_chance"] = float(np.bincount(p_te[sp_te]).max() / sp_te.sum())
    res["knn_queries"] = int(sp_te.sum())
    # vocal effort: direction from soft to loud speech windows in train, projections on test
    speech_tr = sp_tr
    direction = es_tr[speech_tr & (e_tr == "loud")].mean(0) - es_tr[speech_tr & (e_tr == "soft")].mean(0)
    direction /= np.linalg.norm(direction) + 1e-12
    proj = es_te @ direction
    res["effort_projection"] = {lv: float(proj[sp_te & (e_te == lv)].mean()) for lv in ("soft", "normal", "loud")
                                if np.any(sp_te & (e_te == lv))}
    bins = np.array([-12, -6, -3, 0, 3, 6, 12])
    binned = {}
    for lo, hi in zip(bins[:-1], bins[1:]):
        k = sp_te & (d_te >= lo) & (d_te < hi)
        if k.sum() >= 10:
            binned[f"{lo}..{hi} dB"] = float(proj[k].mean())
    res["effort_db_projection"] = binned
    vals = [res["effort_projection"][k] for k in ("soft", "normal", "loud") if k in res["effort_projection"]]
    res["effort_monotonic"] = bool(len(vals) == 3 and vals[0] < vals[1] < vals[2])
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        FIG.mkdir(exist_ok=True)
        fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
        ds = sorted(curve)
        ax[0].plot([d * 20 for d in ds], [curve[d] for d in ds], "o-")
        ax[0].axvline(0, color="grey", lw=0.5)
        ax[0].set(xlabel="mesh offset vs speech (ms, 20 ms frames)", ylabel="mean cosine similarity",
                  title=f"{name}: sync sensitivity (test split)")
        keep = [PHONES.index(p) for p in ("aa", "iy", "uw", "m", "f", "s", "ow", "w")]
        sel = np.isin(p_te, keep)
        X = es_te[sel] - es_te[sel].mean(0)
        _, _, vt = np.linalg.svd(X, full_matrices=False)
        Y = X @ vt[:2].T
        for pid in keep:
            k = p_te[sel] == pid
            ax[1].scatter(Y[k, 0], Y[k, 1], s=4, label=PHONES[pid], alpha=0.6)
        ax[1].legend(markerscale=3, fontsize=8)
        ax[1].set(title=f"{name}: speech embeddings, PCA (kNN phone acc {res['knn_phone_acc_speech']:.2f})")
        labels = list(binned)
        ax[2].plot(range(len(labels)), [binned[k] for k in labels], "o-", label="by local effort (dB re utterance)")
        ax[2].set_xticks(range(len(labels)), labels, rotation=30, fontsize=7)
        for i, lv in enumerate(("soft", "normal", "loud")):
            if lv in res["effort_projection"]:
                ax[2].axhline(res["effort_projection"][lv], ls="--", color=f"C{i + 1}", label=f"{lv} (label)")
        ax[2].legend(fontsize=7)
        ax[2].set(title=f"{name}: projection on the soft->loud axis", ylabel="projection")
        fig.tight_layout()
        fig.savefig(FIG / f"models_encoders_{name}.png", dpi=90)
        plt.close(fig)
    return res


def _f(v, fmt="{:.3f}"):
    return "n/a" if v is None else fmt.format(v)


def render_markdown(res: dict) -> str:
    """Tables for RESULTS.md from results.json."""
    out = []
    if "sweep" in res:
        out += ["| look-ahead L (mel frames / ms) | MTM (ms) | LVE (mm^2) | aperture r | jitter (mm/frame^2) |",
                "|---|---|---|---|---|"]
        for L, r in res["sweep"].items():
            out.append(f"| {L} / {int(L) * 10} | {_f(r['mtm_ms'], '{:.1f}')} | {_f(r['lve_mm2'])} | {_f(r['aperture_r'])} | {_f(r['jitter_mm'])} |")
        out.append("")
    if res.get("ablation"):
        out += ["| generator | split | MTM (ms) | LVE (mm^2) | PLRS (metric copy) | SLCC | dSLCC | jitter (mm/frame^2) | aperture r | p/b/m aperture (mm) | open-vowel aperture (mm) |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        teacher = {}
        for name, rows in res["ablation"].items():
            for split, r in rows.items():
                teacher[split] = r
                out.append(f"| {name} | {split} | {_f(r['mtm_ms'], '{:.1f}')} | {_f(r['lve_mm2'])} | {_f(r.get('plrs'))} | "
                           f"{_f(r.get('slcc'))} | {_f(r.get('dslcc'))} | {_f(r['jitter_mm'])} | {_f(r['aperture_r'])} | "
                           f"{_f(r.get('bilabial_mm'), '{:.2f}')} | {_f(r.get('open_vowel_mm'), '{:.2f}')} |")
        for split, r in teacher.items():
            out.append(f"| teacher | {split} | 0 | 0 | {_f(r.get('plrs_teacher'))} | {_f(r.get('slcc_teacher'))} | 0 | "
                       f"{_f(r['jitter_teacher_mm'])} | 1 | {_f(r.get('bilabial_teacher_mm'), '{:.2f}')} | "
                       f"{_f(r.get('open_vowel_teacher_mm'), '{:.2f}')} |")
        out.append("")
    if res.get("encoders"):
        out += ["| copy | cos peak offset (frames) | cos(0) - mean cos(+-3) | kNN phone acc speech / mesh (chance) | effort projection soft / normal / loud |",
                "|---|---|---|---|---|"]
        for name, r in res["encoders"].items():
            ep = r["effort_projection"]
            out.append(f"| {name} | {r['offset_peak']} | {r['offset_drop_at_3']:.3f} | {r['knn_phone_acc_speech']:.3f} / "
                       f"{r['knn_phone_acc_mesh']:.3f} ({r['knn_phone_chance']:.3f}) | "
                       + " / ".join(_f(ep.get(k)) for k in ("soft", "normal", "loud")) + " |")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--run", required=True, help="training run folder (training/build/models)")
    ap.add_argument("--generators", nargs="*", default=["geometric=gen-geo/generator.pt", "perceptual=gen-perc/generator.pt",
                                                        "closure=gen-close/generator.pt"])
    ap.add_argument("--no-figures", action="store_true")
    ap.add_argument("--mtm-clips", type=int, default=120)
    ap.add_argument("--skip-encoders", action="store_true")
    ap.add_argument("--merge", action="store_true", help="keep parts already in results.json (resume)")
    args = ap.parse_args()
    setup_threads()
    rng = np.random.default_rng(0)
    run, corpus = Path(args.run), Path(args.corpus)
    test = speech_only(load_split(corpus, "test"))
    real = speech_only(load_split(corpus, "real"))
    held = held_out_voices(corpus, test)
    test_held = [u for u in test if u.voice in held]
    log(f"evaluate: {len(test)} test ({len(test_held)} held-out voices {sorted(held)}), {len(real)} real")
    results = {"held_out_voices": sorted(held)}
    if args.merge and (run / "results.json").exists():
        results = json.loads((run / "results.json").read_text())
    metric = load_encoders(run / "enc-metric" / "encoders.pt")
    sweep = run / "gen-sweep" / "generator.pt"
    if sweep.exists() and "sweep" not in results:
        c = load_ckpt(sweep)
        mh = MultiHead(c["extra"]["lookaheads"], **c["extra"]["config"])
        mh.load_state_dict(c["model"])
        results["sweep"] = {}
        for L in mh.lookaheads:
            r = evaluate(test, predict(mh.single(L), test), mtm_max_clips=args.mtm_clips)
            results["sweep"][L] = {k: r[k] for k in ("mtm_ms", "lve_mm2", "aperture_r", "jitter_mm")}
            log(f"sweep L={L}: {results['sweep'][L]}")
    results.setdefault("ablation", {})
    for spec in args.generators:
        name, path = spec.split("=", 1)
        p = run / path
        done = results["ablation"].get(name)
        if not p.exists() or (done and all("bilabial_mm" in r for r in done.values())):
            continue
        g = load_generator(p)
        row = {}
        for split, utts in (("test", test), ("test_heldout", test_held), ("real", real)):
            if utts:
                row[split] = evaluate(utts, predict(g, utts), encoders=metric, mtm_max_clips=args.mtm_clips)
        results["ablation"][name] = row
        log(f"{name}: " + json.dumps({s: {k: v for k, v in r.items() if k in ('mtm_ms', 'lve_mm2', 'plrs', 'aperture_r')} for s, r in row.items()}))
    write_json(run / "results.json", results)
    if not args.skip_encoders:
        train = speech_only(load_split(corpus, "train", keep_audio=False))
        results["encoders"] = {}
        for name in ("metric", "loss"):
            ck = run / f"enc-{name}" / "encoders.pt"
            if ck.exists():
                results["encoders"][name] = encoder_properties(name, load_encoders(ck), train, test, rng, not args.no_figures)
                r = results["encoders"][name]
                log(f"encoders[{name}]: peak {r['offset_peak']} drop@3 {r['offset_drop_at_3']:.3f} knn {r['knn_phone_acc_speech']:.3f}"
                    f"/{r['knn_phone_acc_mesh']:.3f} (chance {r['knn_phone_chance']:.3f}) effort {r['effort_projection']}")
    write_json(run / "results.json", results)
    (run / "results.md").write_text(render_markdown(json.loads((run / "results.json").read_text())))
    log(f"results -> {run / 'results.json'}")


if __name__ == "__main__":
    main()
