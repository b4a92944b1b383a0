"""Corpus build: TTS + real speech -> augmented audio, exact phones, teacher lips -> sharded .npz + manifest.

  /usr/bin/python3 -m training.corpus.build --out training/build/corpus [--smoke] [--workers 2] [--seed 1]

Resumable: a shard is done when its .json sidecar exists (written after its .npz); reruns skip done shards
and only rebuild the manifest and statistics. Format: training/CORPUS.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time

import numpy as np

from .. import teacher as T
from ..phones import PHONE_ID, PHONES, SILENCE, merge_silences, normalize, split_stress
from ..spec import LIPS_NEUTRAL, spec_hash
from . import augment, real, text, tts

SR = tts.SR
FPS = T.FPS
HOP = SR // FPS  # 320 samples per lips frame
FORMAT_VERSION = 1

#: Voices never used for training (held-out voices of the test split).
TEST_VOICES = ["flite:rms", "festival:ked", "espeak:en-gb-scotland+f4"]

FULL = dict(utts_train_voice=600, utts_test_voice=260, shard_utts=60, nonspeech_clips=240, real=True)
SMOKE = dict(utts_train_voice=5, utts_test_voice=3, shard_utts=8, nonspeech_clips=6, real=True, real_max=12,
             voices=["flite:kal16", "flite:slt", "festival:kal", "espeak:en-us+f3", "flite:rms",
                     "espeak:en-gb-scotland+f4"])


def _seed(*parts) -> int:
    return int(hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def plan_jobs(cfg, seed):
    """Deterministic list of shard jobs: {name, split, kind, voice, items:[...]}"""
    voices = [v for v in cfg.get("voices", tts.VOICES) if v in set(tts.available_voices())]
    sents = text.all_sentences(seed=seed)
    rng = random.Random(seed)
    order = list(range(len(sents)))
    rng.shuffle(order)
    pools = {"train": [], "val": [], "test": []}
    for i in order:
        pools[text.sentence_split(sents[i]["id"])].append(sents[i])
    cursor = {k: 0 for k in pools}

    def take(pool, n):
        out = []
        for _ in range(n):
            p = pools[pool]
            out.append(p[cursor[pool] % len(p)])
            cursor[pool] += 1
        return out

    jobs = []
    for v in voices:
        held = v in TEST_VOICES
        n = cfg["utts_test_voice"] if held else cfg["utts_train_voice"]
        if held:
            groups = {"test": take("test", n // 2) + take("train", n - n // 2)}
        else:
            n_val = max(1, round(n * 0.06))
            n_test = max(1, round(n * 0.06))
            groups = {"train": take("train", n - n_val - n_test), "val": take("val", n_val), "test": take("test", n_test)}
        for split, items in groups.items():
            for k in range(0, len(items), cfg["shard_utts"]):
                chunk = items[k: k + cfg["shard_utts"]]
                name = f"{split}/{v.replace(':', '-').replace('+', '_')}-{k // cfg['shard_utts']:04d}"
                jobs.append({"name": name, "split": split, "kind": "tts", "voice": v, "items": chunk})
    # non-speech clips (mouth at rest)
    ns = cfg["nonspeech_clips"]
    for split, frac in (("train", 0.8), ("val", 0.1), ("test", 0.1)):
        n = max(1, int(round(ns * frac)))
        for k in range(0, n, cfg["shard_utts"]):
            jobs.append({"name": f"{split}/nonspeech-{k // cfg['shard_utts']:04d}", "split": split, "kind": "nonspeech",
                         "voice": "none", "items": list(range(k, min(n, k + cfg["shard_utts"])))})
    # real speech
    if cfg.get("real") and real.available():
        items = real.real_items()
        if cfg.get("real_max"):
            r2 = random.Random(seed)
            ev = [i for i in items if i[4] == "real"]
            tr = [i for i in items if i[4] == "train"]
            items = r2.sample(ev, min(len(ev), cfg["real_max"] // 2)) + r2.sample(tr, min(len(tr), cfg["real_max"] // 2))
            items.sort()
        for split in ("train", "real"):
            its = [i for i in items if i[4] == split]
            size = max(cfg["shard_utts"], 40)
            for k in range(0, len(its), size):
                jobs.append({"name": f"{split}/real-{'asterisk' if split == 'train' else 'eval'}-{k // size:04d}",
                             "split": split, "kind": "real", "voice": "real", "items": its[k: k + size]})
    return jobs


def _teacher(phones, audio_clean, n_frames, effort_level):
    mask = T.speech_mask(phones, n_frames)
    eff = T.effort_from_audio(audio_clean, SR, n_frames, FPS, mask)
    eff = np.where(mask | (np.convolve(mask, np.ones(11), "same") > 0), eff, 0.0)
    g = T.EFFORT_GAIN[effort_level]
    eff_total = eff + 20 * np.log10(g) / 0.8  # global level on top of local relative effort
    track = T.teacher_track(phones, FPS, effort=eff_total, n_frames=n_frames)
    return (track - LIPS_NEUTRAL[None]).astype(np.float32), eff.astype(np.float32)


def _finish(audio):
    n_frames = max(1, int(math.ceil(len(audio) / HOP)))
    a = np.zeros(n_frames * HOP, np.float32)
    a[: len(audio)] = audio
    return a, n_frames


def _phone_arrays(phones):
    ids, st, en, stress = [], [], [], []
    for s, e, p in phones:
        b, sd = split_stress(p)
        ids.append(PHONE_ID[normalize(p)])
        st.append(s)
        en.append(e)
        stress.append(-1 if sd is None else sd)
    return ids, st, en, stress


def build_shard(job, out_dir, seed):
    rng = np.random.default_rng(_seed(seed, job["name"]))
    utts = []
    tmp = tempfile.mkdtemp(prefix="corpus-")
    try:
        if job["kind"] == "tts":
            texts = [it["text"] for it in job["items"]]
            eng = tts.VOICES[job["voice"]][0]
            synths = tts.synth_many(job["voice"], texts, tmp)
            for it, (x, phones, mism) in zip(job["items"], synths):
                plan = augment.sample_plan(rng, eng)
                y, clean, ph = augment.apply(x, phones, plan, rng)
                utts.append(dict(utt_id=f"{job['voice']}/{it['id']}", voice=job["voice"], text=it["text"],
                                 sentence_id=it["id"], sentence_source=it["source"], source="tts", audio=y,
                                 clean=clean, phones=merge_silences(ph), effort=plan["effort"],
                                 tags=augment.tags_of(plan), timing_mismatch_s=float(mism), plan=plan))
        elif job["kind"] == "nonspeech":
            for k in job["items"]:
                dur = float(rng.uniform(1.0, 4.0))
                y, tag = augment.nonspeech(rng, dur)
                utts.append(dict(utt_id=f"nonspeech/{job['split']}-{k:04d}", voice="none", text="", sentence_id="",
                                 sentence_source="", source="nonspeech", audio=y, clean=y,
                                 phones=[(0.0, len(y) / SR, SILENCE)], effort="normal", tags=[tag],
                                 timing_mismatch_s=0.0, plan={}))
        else:
            for uid, src, txt, path, split in job["items"]:
                x = real.load_audio(path)
                ph = real.align(x, txt, tmp)
                if ph is None:
                    print(f"  align failed: {uid}", flush=True)
                    continue
                if split == "train":  # light augmentation; the audio is already telephone band
                    plan = augment.sample_plan(rng, "real")
                    plan.update(band="full", tempo=1.0 if rng.random() < 0.6 else plan["tempo"])
                    y, clean, ph2 = augment.apply(x, ph, plan, rng)
                    eff, tags = plan["effort"], ["real"] + augment.tags_of(plan)
                else:  # evaluation: untouched
                    y, clean, ph2, eff, tags = x, x, ph, "normal", ["real"]
                utts.append(dict(utt_id=uid, voice=f"real:{src}", text=txt, sentence_id=text.sentence_id(txt),
                                 sentence_source=src, source="real", audio=y, clean=clean,
                                 phones=merge_silences(ph2), effort=eff, tags=tags, timing_mismatch_s=0.0,
                                 plan={}))
        # pack
        A, L, E, AO, FO, PO = [], [], [], [0], [0], [0]
        pid, pst, pen, pstr = [], [], [], []
        meta = []
        for u in utts:
            a, nf = _finish(u["audio"])
            c, _ = _finish(u["clean"])
            lips, eff = _teacher(u["phones"], c, nf, u["effort"])
            ids, st, en, sd = _phone_arrays(u["phones"])
            A.append(np.clip(np.round(a * 32767), -32768, 32767).astype(np.int16))
            L.append(lips)
            E.append(eff)
            pid += ids
            pst += st
            pen += en
            pstr += sd
            AO.append(AO[-1] + len(a))
            FO.append(FO[-1] + nf)
            PO.append(PO[-1] + len(ids))
            speech = sum(e - s for s, e, p in u["phones"] if normalize(p) != SILENCE)
            meta.append({k: u[k] for k in ("utt_id", "voice", "text", "sentence_id", "sentence_source", "source",
                                            "effort", "tags", "timing_mismatch_s")}
                        | {"split": job["split"], "index": len(meta), "duration_s": len(a) / SR,
                           "speech_s": round(speech, 4), "n_frames": nf, "n_phones": len(ids)})
        path = os.path.join(out_dir, job["name"] + ".npz")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        arrays = dict(
            audio=np.concatenate(A) if A else np.zeros(0, np.int16),
            audio_offsets=np.array(AO, np.int64),
            lips=np.concatenate(L) if L else np.zeros((0, 21, 3), np.float32),
            effort_db=np.concatenate(E) if E else np.zeros(0, np.float32),
            frame_offsets=np.array(FO, np.int64),
            phone_ids=np.array(pid, np.int16), phone_start=np.array(pst, np.float32),
            phone_end=np.array(pen, np.float32), phone_stress=np.array(pstr, np.int8),
            phone_offsets=np.array(PO, np.int64),
        )
        tmp_path = path[:-4] + ".tmp.npz"
        np.savez(tmp_path, **arrays)
        os.replace(tmp_path, path)
        with open(path[:-4] + ".json.tmp", "w") as f:
            json.dump({"shard": job["name"], "split": job["split"], "kind": job["kind"], "voice": job["voice"],
                       "utterances": meta}, f)
        os.replace(path[:-4] + ".json.tmp", path[:-4] + ".json")
        return job["name"], sum(m["duration_s"] for m in meta), len(meta)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _worker(args):
    job, out_dir, seed = args
    t0 = time.time()
    try:
        name, dur, n = build_shard(job, out_dir, seed)
        return name, dur, n, time.time() - t0, None
    except Exception as e:  # report, keep going; the shard is retried on the next run
        import traceback

        return job["name"], 0.0, 0, time.time() - t0, traceback.format_exc()


def build_manifest(out_dir, jobs, seed, smoke, build_s):
    utts, shards = [], []
    for j in jobs:
        p = os.path.join(out_dir, j["name"] + ".json")
        if not os.path.exists(p):
            continue
        m = json.load(open(p))
        shards.append({"path": j["name"] + ".npz", "split": m["split"], "kind": m["kind"], "voice": m["voice"],
                       "n_utts": len(m["utterances"])})
        for u in m["utterances"]:
            utts.append(u | {"shard": j["name"] + ".npz"})
    stats = {}
    for split in ("train", "val", "test", "real"):
        us = [u for u in utts if u["split"] == split]
        stats[split] = {
            "utterances": len(us),
            "hours": round(sum(u["duration_s"] for u in us) / 3600, 4),
            "speech_hours": round(sum(u["speech_s"] for u in us) / 3600, 4),
            "voices": sorted({u["voice"] for u in us}),
            "sentences": len({u["sentence_id"] for u in us if u["sentence_id"]}),
            "effort": {k: sum(1 for u in us if u["effort"] == k) for k in ("soft", "normal", "loud")},
            "sources": {k: sum(1 for u in us if u["source"] == k) for k in ("tts", "real", "nonspeech")},
        }
    tr_s = {u["sentence_id"] for u in utts if u["split"] == "train"}
    tr_v = {u["voice"] for u in utts if u["split"] == "train"}
    te = [u for u in utts if u["split"] == "test"]
    stats["test_heldout"] = {
        "voices_never_in_train": sorted({u["voice"] for u in te} - tr_v),
        "utts_unseen_voice": sum(1 for u in te if u["voice"] not in tr_v),
        "utts_unseen_sentence": sum(1 for u in te if u["sentence_id"] not in tr_s),
        "real_sentences_in_train": len({u["sentence_id"] for u in utts if u["split"] == "real"} & tr_s),
    }
    tags = {}
    for u in utts:
        for t in u["tags"]:
            tags[t] = tags.get(t, 0) + 1
    stats["tags"] = dict(sorted(tags.items()))
    mm = {}
    for u in utts:
        if u["source"] == "tts":
            mm.setdefault(u["voice"], []).append(abs(u["timing_mismatch_s"]))
    stats["tts_timing_mismatch_ms"] = {v: {"median": round(1000 * float(np.median(x)), 2),
                                           "max": round(1000 * float(np.max(x)), 2)} for v, x in sorted(mm.items())}
    stats["total_hours"] = round(sum(u["duration_s"] for u in utts) / 3600, 4)
    stats["total_speech_hours"] = round(sum(u["speech_s"] for u in utts) / 3600, 4)
    stats["build_seconds_this_run"] = round(build_s, 1)
    stats["missing_shards"] = [j["name"] for j in jobs if not os.path.exists(os.path.join(out_dir, j["name"] + ".json"))]
    manifest = {
        "format_version": FORMAT_VERSION, "layout": "lips-v1", "lips_spec_sha256": spec_hash("lips-v1.json"),
        "sample_rate": SR, "fps": FPS, "samples_per_frame": HOP, "seed": seed, "smoke": smoke,
        "phones": list(PHONES), "lips": "displacement from lips-v1 neutral (m), absolute = neutral + lips",
        "test_voices": TEST_VOICES, "shards": shards, "utterances": utts, "stats": stats,
    }
    with open(os.path.join(out_dir, "manifest.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(os.path.join(out_dir, "manifest.json.tmp"), os.path.join(out_dir, "manifest.json"))
    with open(os.path.join(out_dir, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m training.corpus.build")
    ap.add_argument("--out", default=None)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-shards", type=int, default=None, help="debug: build at most N shards")
    a = ap.parse_args(argv)
    cfg = SMOKE if a.smoke else FULL
    out = a.out or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build",
                                "corpus-smoke" if a.smoke else "corpus")
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    jobs = plan_jobs(cfg, a.seed)
    todo = [j for j in jobs if not os.path.exists(os.path.join(out, j["name"] + ".json"))]
    # big/slow shards first (real alignment, festival) so the pool's tail is short
    todo.sort(key=lambda j: (j["kind"] != "real", not j["voice"].startswith("festival"), j["name"]))
    if a.max_shards:
        todo = todo[: a.max_shards]
    print(f"corpus: {len(jobs)} shards planned, {len(jobs) - len(todo)} already built, {len(todo)} to build "
          f"-> {out} (workers={a.workers}, seed={a.seed})", flush=True)
    done_s, errors = 0.0, 0
    args = [(j, out, a.seed) for j in todo]
    if a.workers > 1 and len(args) > 1:
        pool = mp.get_context("fork").Pool(a.workers, maxtasksperchild=20)
        it = pool.imap_unordered(_worker, args)
    else:
        pool, it = None, map(_worker, args)
    for k, (name, dur, n, dt, err) in enumerate(it, 1):
        el = time.time() - t0
        if err:
            errors += 1
            print(f"[{k}/{len(todo)}] {name} FAILED after {dt:.1f}s:\n{err}", flush=True)
            continue
        done_s += dur
        eta = el / k * (len(todo) - k)
        print(f"[{k}/{len(todo)}] {name}: {n} utts, {dur / 60:.1f} min audio in {dt:.1f}s | total "
              f"{done_s / 3600:.2f} h this run, elapsed {el / 60:.1f} min, eta {eta / 60:.1f} min", flush=True)
    if pool:
        pool.close()
        pool.join()
    m = build_manifest(out, jobs, a.seed, a.smoke, time.time() - t0)
    s = m["stats"]
    print(json.dumps({k: s[k] for k in ("train", "val", "test", "real")}, indent=None)[:2000])
    print(f"corpus: {s['total_hours']:.2f} h ({s['total_speech_hours']:.2f} h speech), {len(m['utterances'])} utts, "
          f"{len(s['missing_shards'])} shards missing, {time.time() - t0:.0f}s", flush=True)
    return 1 if errors or s["missing_shards"] else 0


if __name__ == "__main__":
    sys.exit(main())
