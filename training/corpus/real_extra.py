"""More recorded (not synthesised) English voices from Debian packages, labelled by forced alignment.

Issue #14: the generator learned from TTS plus one real speaker and loses ~0.14 of aperture r on real
voices. This module gathers every recorded English voice found in Debian packages beyond the Asterisk
prompts (CORPUS.md "More real voices" lists sources and licences), labels it and writes corpus shards:

  train_real/<source>-NNNN.npz   training voices (light augmentation, like the Asterisk training prompts)
  dev/<source>-NNNN.npz          the real multi-speaker dev set: speakers never trained on, untouched audio

Labels. With a transcript (file names, sound themes, sphinx transcriptions): pocketsphinx forced alignment
(one token per phone, strict sequence; the recipe of real.py) through the python binding, so the acoustic
model loads once. Without one (game dialogue, codec2 samples): pocketsphinx recognition with its en-us
language model, then forced alignment of the recognised words.
Keep rule (fixed before any model was scored on these data): an utterance is kept when
  1. the strict-sequence forced alignment succeeds with pocketsphinx's default beams (no wide-beam retry:
     a transcript that does not match the audio makes the strict grammar fall off the default beam), and
  2. it has at least MIN_PHONES speech phones, none longer than MAX_PHONE_S, and at most
     MAX_MIN_DUR_FRACTION of them at the aligner's 30 ms minimum (text longer than the audio).
A free phone loop as a likelihood-ratio confidence was tried first and dropped: it cost ~3x real time on
this shared machine.

Packages are unpacked with `apt-get download` + `dpkg -x` into training/build/debs-root (never committed):
  python3 -m training.corpus.real_extra fetch            # download + unpack the packages (~700 MB)
  python3 -m training.corpus.real_extra build --out training/build/corpus [--fotaq-lines N]
Resumable: a shard is done when its .json sidecar exists.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from . import augment, build, real
from .tts import SR, read_wav, to16k

ROOT = Path(__file__).resolve().parents[1] / "build"
DEBS = ROOT / "debs"
FS = ROOT / "debs-root"
#: Debian packages with recorded English speech (beyond asterisk-core-sounds-en*, pocketsphinx-testdata).
PACKAGES = ["hedgewars-data", "klettres-data", "ktuberling-data", "flight-of-the-amazon-queen", "codec2-examples"]
PS_MODEL = "/usr/share/pocketsphinx/model/en-us"
MAX_PHONE_S = 0.5  # a speech phone longer than this means the transcript lost a word or the aligner a pause
MAX_MIN_DUR_FRACTION = 0.5  # most phones at the aligner's 30 ms floor: the text is longer than the audio
MIN_PHONES = 2

#: hedgewars English voice packs (human recordings: laughs, grunts, accents). Robot is processed, Default_*
#: are other languages, Russian_pl is Polish.
HEDGEWARS_PACKS = ["British", "Classic", "Default", "HillBilly", "Mobster", "Pirate", "Russian", "Singer", "Surfer"]
#: hedgewars lines that are not words (pain, effort, laughs): no transcript, left out.
HEDGEWARS_NONLEXICAL = {"ow", "ooff", "jump", "firepunch", "laugh", "hmm", "poisonmoan", "poisoncough", "nooo"}
HEDGEWARS_TEXT = {"uh-oh": "uh oh", "illgetyou": "i'll get you", "youllregretthat": "you'll regret that",
                  "whatthe": "what the", "thisoneismine": "this one is mine", "solong": "so long",
                  "gonnagetyou": "gonna get you", "ohdear": "oh dear", "firstblood": "first blood",
                  "enemydown": "enemy down", "comeonthen": "come on then", "cutitout": "cut it out",
                  "byebye": "bye bye", "justyouwait": "just you wait", "leavemealone": "leave me alone",
                  "runaway": "run away", "sameteam": "same team", "takecover": "take cover",
                  "watchit": "watch it", "watchthis": "watch this", "flyaway": "fly away", "yessir": "yes sir"}
#: English letter names (klettres alphabet), ARPAbet.
LETTERS = {"a": "ey", "b": "b iy", "c": "s iy", "d": "d iy", "e": "iy", "f": "eh f", "g": "jh iy", "h": "ey ch",
           "i": "ay", "j": "jh ey", "k": "k ey", "l": "eh l", "m": "eh m", "n": "eh n", "o": "ow", "p": "p iy",
           "q": "k y uw", "r": "aa r", "s": "eh s", "t": "t iy", "u": "y uw", "v": "v iy", "w": "d ah b ah l y uw",
           "x": "eh k s", "y": "w ay", "z": "z iy"}

#: dev speakers: never trained on. Sources kept whole in dev (pocketsphinx-testdata is also the corpus's
#: `real` split; codec2 samples are ham-radio and codec test recordings, one speaker per file).
CODEC2_DEV = ["ve9qrp.wav", "vk2tpm_004.wav", "david4.wav", "vk5qi.wav", "mmt1.wav", "cross.wav", "hts1a.wav",
              "hts2a.wav", "big_dog.wav", "morig.wav", "forig.wav"]


def fetch() -> None:
    """apt-get download + dpkg -x into training/build/debs-root (never into the repo)."""
    DEBS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=DEBS, check=True)
    FS.mkdir(parents=True, exist_ok=True)
    for deb in sorted(DEBS.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(FS)], check=True)


# ---------------------------------------------------------------------------------------------------- audio
def load_any(path: str) -> np.ndarray:
    """Mono 16 kHz float32 from wav/ogg (sox) or raw mp3 bytes written to a temp file (mpg123)."""
    if path.endswith(".wav"):
        try:
            x, sr = read_wav(path)
            return to16k(x, sr)
        except Exception:  # mu-law/a-law wav (codec2's): sox decodes it below
            pass
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "a.wav")
        if path.endswith(".mp3"):
            subprocess.run(["mpg123", "-q", "-m", "-w", out, path], check=True, capture_output=True)
        else:
            subprocess.run(["sox", path, "-c", "1", "-b", "16", "-e", "signed-integer", out], check=True, capture_output=True)
        x, sr = read_wav(out)
    return to16k(x, sr)


def fotaq_lines(max_lines: int, seed: int = 1):
    """(uid, speaker, mp3 bytes) for up to max_lines speech files of Flight of the Amazon Queen (talkie).

    queen.1c is ScummVM's compressed resource file: 'QTBL', version (6 bytes), 2 bytes, compression byte
    (1 = MP3), entry count (uint16 BE), then entries of name[12], bundle u8, offset u32 BE, size u32 BE.
    Speech files are NNxxxxC#.SB: NN the dialogue or cutscene, C the speaker class (J = Joe, P = the other
    person of dialogue NN); JO* are Joe's descriptions. Lines are sampled evenly over speakers."""
    p = FS / "usr/share/scummvm/flight-of-the-amazon-queen/queen.1c"
    if not p.exists():
        return []
    d = p.read_bytes()
    if d[:4] != b"QTBL" or d[12] != 1:
        raise ValueError(f"{p}: expected a QTBL table with MP3 compression, got {d[:4]!r} / {d[12]}")
    n = struct.unpack(">H", d[13:15])[0]
    by_spk: dict[str, list] = {}
    q = 15
    for _ in range(n):
        name = d[q : q + 12].split(b"\0")[0].decode("ascii", "replace")
        off, size = struct.unpack(">II", d[q + 13 : q + 21])
        q += 21
        if not name.endswith(".SB") or size < 3000:  # < ~1.5 s: mostly one-word replies
            continue
        stem = name[:-3]
        if stem.startswith("JO") or (len(stem) >= 8 and stem[6] == "J"):
            spk = "joe"
        elif len(stem) >= 8 and stem[6] == "P":
            spk = f"dlg{stem[:2]}"
        else:
            continue  # cutscene lines (C1..C7 etc.): speaker unknown
        by_spk.setdefault(spk, []).append((stem, off, size))
    rng = np.random.default_rng(seed)
    # round-robin over speakers so that many voices appear; Joe (the hero) at most a quarter
    pools = {k: list(rng.permutation(len(v))) for k, v in by_spk.items()}
    out, cap_joe = [], max_lines // 4
    while len(out) < max_lines and any(pools.values()):
        for spk in sorted(pools):
            if not pools[spk] or len(out) >= max_lines:
                continue
            if spk == "joe" and sum(1 for o in out if o[1] == "joe") >= cap_joe:
                pools[spk] = []
                continue
            stem, off, size = by_spk[spk][pools[spk].pop()]
            out.append((f"fotaq/{stem}", spk, d[off : off + size]))
    return out


def items(fotaq_max: int = 60):
    """[(uid, source, speaker, text or None, path or bytes, split)]."""
    out = []
    hw = FS / "usr/share/games/hedgewars/Data/Sounds/voices"
    for pack in HEDGEWARS_PACKS:
        for f in sorted((hw / pack).glob("*.ogg")):
            key = re.sub(r"\d+$", "", f.stem).lower()
            if key in HEDGEWARS_NONLEXICAL:
                continue
            out.append((f"hedgewars/{pack}/{f.stem}", "hedgewars", pack.lower(), HEDGEWARS_TEXT.get(key, key), str(f), "train"))
    kl = FS / "usr/share/klettres"
    for lang in ("en", "en_GB"):
        for f in sorted((kl / lang / "alpha").glob("*.ogg")):
            out.append((f"klettres/{lang}/alpha/{f.stem}", "klettres", lang.lower(), "#" + LETTERS[f.stem.lower()], str(f), "train"))
        for f in sorted((kl / lang / "syllab").glob("*.ogg")):
            if len(f.stem) > 2 or f.stem in ("me", "my", "no", "or"):  # 'aw', 'ch', 'th' are sounds, not words
                out.append((f"klettres/{lang}/syllab/{f.stem}", "klettres", lang.lower(), f.stem, str(f), "train"))
    kt = FS / "usr/share/ktuberling/sounds"
    theme = kt / "en.soundtheme"
    if theme.exists():
        for s in ET.parse(theme).getroot().iter("sound"):
            name, file = s.get("name"), s.get("file")
            text = name.split("_", 1)[-1].replace("fallingstar", "falling star").replace("moonwalker", "moon walker")
            out.append((f"ktuberling/{name}", "ktuberling", "en", text, str(kt / file), "train"))
    for uid, spk, mp3 in fotaq_lines(fotaq_max):
        out.append((uid, "fotaq", spk, None, mp3, "train"))
    # dev: speakers never trained on
    for key, text, path in real.testdata_utts():
        spk = "librivox" if key.startswith("librivox") else "cards" if key.startswith("cards") else "goforward"
        out.append((f"pstest/{key}", "pocketsphinx-testdata", spk, text, path, "dev"))
    for f in sorted(glob.glob("/usr/share/sounds/alsa/*_*.wav")):
        out.append((f"alsa/{Path(f).stem}", "alsa-utils", "alsa", Path(f).stem.replace("_", " "), f, "dev"))
    c2 = FS / "usr/share/codec2/wav"
    for name in CODEC2_DEV:
        if (c2 / name).exists():
            out.append((f"codec2/{Path(name).stem}", "codec2-examples", Path(name).stem, None, str(c2 / name), "dev"))
    return out


# ---------------------------------------------------------------------------------------------------- labels
def recognise_batch(clips: list[np.ndarray], tmp: str) -> list[str | None]:
    """pocketsphinx_batch with the en-us language model over many clips in one process (the model loads
    once): the recognised words of each clip (None when nothing was recognised)."""
    if not clips:
        return []
    names = []
    for i, x in enumerate(clips):
        (np.clip(x, -1, 1) * 32767).astype("<i2").tofile(f"{tmp}/r{i:05d}.raw")
        names.append(f"r{i:05d}")
    Path(f"{tmp}/r.ctl").write_text("\n".join(names) + "\n")
    subprocess.run(["pocketsphinx_batch", "-hmm", f"{PS_MODEL}/en-us", "-lm", f"{PS_MODEL}/en-us.lm.bin", "-dict",
                    f"{PS_MODEL}/cmudict-en-us.dict", "-ctl", f"{tmp}/r.ctl", "-cepdir", tmp, "-cepext", ".raw", "-adcin",
                    "yes", "-samprate", "16000", "-hyp", f"{tmp}/r.hyp", "-logfn", "/dev/null"], check=False,
                   capture_output=True, timeout=7200)
    hyps = {}
    if os.path.exists(f"{tmp}/r.hyp"):
        for line in open(f"{tmp}/r.hyp"):
            m = re.match(r"(.*) \((r\d+) -?\d+\)\s*$", line.rstrip("\n"))
            if m:
                words = [re.sub(r"\(\d+\)$", "", w) for w in m.group(1).split() if not w.startswith(("<", "["))]
                hyps[m.group(2)] = " ".join(words) or None
    return [hyps.get(n) for n in names]


def words_for(text: str) -> list[list[str]]:
    if text.startswith("#"):  # literal phones (letter names)
        return [text[1:].split()]
    return real.words_to_phones(text)


def label(x: np.ndarray, text: str | None, tmp: str, transcript: str):
    """Forced alignment of `text` -> (phones, info) or (None, info with the reason it was dropped)."""
    info = {"transcript": transcript, "text": text}
    if not text:
        return None, info | {"drop": "nothing recognised"}
    words = words_for(text)
    n_speech = sum(len(w) for w in words)
    if n_speech < MIN_PHONES:
        return None, info | {"drop": "too few phones"}
    phones = real.align(x, text, tmp, words=words, wide_retry=False)
    if phones is None:
        return None, info | {"drop": "alignment failed with the default beams"}
    durs = [e - s for s, e, p in phones if p != "sil"]
    if max(durs) > MAX_PHONE_S:
        return None, info | {"drop": f"a {max(durs) * 1000:.0f} ms phone (> {MAX_PHONE_S * 1000:.0f} ms)"}
    if float(np.mean(np.array(durs) <= 0.031)) > MAX_MIN_DUR_FRACTION:
        return None, info | {"drop": "over half the phones squeezed to the 30 ms minimum"}
    return phones, info


# ---------------------------------------------------------------------------------------------------- segments
def split_long(x: np.ndarray, max_s: float = 12.0, min_s: float = 2.0):
    """Cuts long recordings at pauses (>= 250 ms below -35 dB re the loudest 10 ms) into 2-12 s pieces:
    [(start_sample, end_sample)]."""
    if len(x) <= max_s * SR:
        return [(0, len(x))]
    hop = SR // 100
    e = np.array([np.sqrt(np.mean(x[i : i + hop] ** 2) + 1e-12) for i in range(0, len(x) - hop + 1, hop)])
    quiet = 20 * np.log10(e / e.max()) < -35
    cuts, run = [], 0
    for i, qv in enumerate(quiet):
        run = run + 1 if qv else 0
        if run == 25:
            cuts.append((i - 12) * hop)
    out, s = [], 0
    for c in cuts + [len(x)]:
        if c - s >= min_s * SR and (c - s >= max_s * SR * 0.5 or c == len(x)):
            out.append((s, c))
            s = c
    if out and out[-1][1] != len(x):
        out[-1] = (out[-1][0], len(x))
    # still too long: hard split
    fin = []
    for a, b in out:
        while b - a > max_s * SR * 1.5:
            fin.append((a, a + int(max_s * SR)))
            a += int(max_s * SR)
        fin.append((a, b))
    return fin


# ---------------------------------------------------------------------------------------------------- shards
def build_all(out: Path, fotaq_max: int, seed: int = 1, shard_utts: int = 60, sources=None) -> dict:
    its = [i for i in items(fotaq_max) if sources is None or i[1] in sources]
    groups: dict[tuple, list] = {}
    for it in its:
        groups.setdefault((it[5], it[1]), []).append(it)
    t0 = time.time()
    for (split, source), gi in sorted(groups.items()):
        folder = "train_real" if split == "train" else "dev"
        for k in range(0, len(gi), shard_utts):
            name = f"{folder}/{source}-{k // shard_utts:04d}"
            if (out / f"{name}.json").exists():
                continue
            rng = np.random.default_rng(build._seed(seed, name))
            clips = []  # (uid, source, speaker, text, audio)
            for uid, src, spk, text, path, _ in gi[k : k + shard_utts]:
                if isinstance(path, bytes):
                    with tempfile.NamedTemporaryFile(suffix=".mp3") as f:
                        f.write(path)
                        f.flush()
                        x = load_any(f.name)
                else:
                    x = real.load_audio(path) if path.endswith(".raw") else load_any(path)
                pieces = split_long(x) if text is None else [(0, len(x))]
                for pi, (a, b) in enumerate(pieces):
                    clips.append((uid if len(pieces) == 1 else f"{uid}#{pi:02d}", src, spk, text, x[a:b]))
            tmp = tempfile.mkdtemp(prefix="realx-")
            try:
                todo = [i for i, c in enumerate(clips) if c[3] is None]
                hyps = dict(zip(todo, recognise_batch([clips[i][4] for i in todo], tmp)))
                utts, dropped = [], []
                for i, (u_id, src, spk, text, xs) in enumerate(clips):
                    ph, info = label(xs, text if text is not None else hyps.get(i), tmp,
                                     "given" if text is not None else "recognised")
                    if ph is None:
                        dropped.append({"utt_id": u_id} | info)
                        continue
                    if split == "train":  # light augmentation, like the Asterisk training prompts
                        plan = augment.sample_plan(rng, "real")
                        plan.update(tempo=1.0 if rng.random() < 0.6 else plan["tempo"])
                        y, clean, ph2 = augment.apply(xs, ph, plan, rng)
                        eff, tags = plan["effort"], ["real"] + augment.tags_of(plan)
                    else:  # dev: untouched
                        y, clean, ph2, eff, tags = xs, xs, ph, "normal", ["real"]
                    utts.append(dict(utt_id=u_id, voice=f"real:{src}:{spk}", text=info["text"], audio=y, clean=clean,
                                     phones=build.merge_silences(ph2), effort=eff, tags=tags, label=info))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            write_shard(out, name, split, source, utts, dropped)
            print(f"[{time.time() - t0:6.0f}s] {name}: kept {len(utts)}, dropped {len(dropped)}", flush=True)
    return stats(out)


def stats(out: Path) -> dict:
    report = {}
    for p in sorted(out.glob("train_real/*.json")) + sorted(out.glob("dev/*.json")):
        m = json.loads(p.read_text())
        r = report.setdefault(f"{m['split']}:{m['source']}", {"kept": 0, "dropped": 0, "speech_s": 0.0, "speakers": set()})
        r["kept"] += len(m["utterances"])
        r["dropped"] += len(m.get("dropped", []))
        r["speech_s"] += sum(u["speech_s"] for u in m["utterances"])
        r["speakers"] |= {u["voice"] for u in m["utterances"]}
    for r in report.values():
        r["speakers"] = sorted(r["speakers"])
        r["speech_s"] = round(r["speech_s"], 1)
    (out / "real_extra_stats.json").write_text(json.dumps(report, indent=1))
    return report


def write_shard(out: Path, name: str, split: str, source: str, utts: list, dropped: list) -> None:
    A, L, E, AO, FO, PO = [], [], [], [0], [0], [0]
    pid, pst, pen, pstr, meta = [], [], [], [], []
    for u in utts:
        a, nf = build._finish(u["audio"])
        c, _ = build._finish(u["clean"])
        lips, eff = build._teacher(u["phones"], c, nf, u["effort"])
        ids, st, en, sd = build._phone_arrays(u["phones"])
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
        speech = sum(e - s for s, e, p in u["phones"] if build.normalize(p) != build.SILENCE)
        meta.append({"utt_id": u["utt_id"], "voice": u["voice"], "text": u["text"], "sentence_id": "",
                     "sentence_source": source, "source": "real", "effort": u["effort"], "tags": u["tags"],
                     "timing_mismatch_s": 0.0, "split": split, "index": len(meta), "duration_s": len(a) / SR,
                     "speech_s": round(speech, 4), "n_frames": nf, "n_phones": len(ids), "label": u["label"]})
    path = out / f"{name}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(
        audio=np.concatenate(A) if A else np.zeros(0, np.int16), audio_offsets=np.array(AO, np.int64),
        lips=np.concatenate(L) if L else np.zeros((0, 21, 3), np.float32),
        effort_db=np.concatenate(E) if E else np.zeros(0, np.float32), frame_offsets=np.array(FO, np.int64),
        phone_ids=np.array(pid, np.int16), phone_start=np.array(pst, np.float32), phone_end=np.array(pen, np.float32),
        phone_stress=np.array(pstr, np.int8), phone_offsets=np.array(PO, np.int64))
    tmp = out / f"{name}.tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    (out / f"{name}.json.tmp").write_text(json.dumps({"shard": name, "split": split, "kind": "real", "voice": "real",
                                                      "source": source, "utterances": meta, "dropped": dropped}))
    os.replace(out / f"{name}.json.tmp", out / f"{name}.json")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m training.corpus.real_extra", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["fetch", "build"])
    ap.add_argument("--out", default=str(ROOT / "corpus"))
    ap.add_argument("--fotaq-lines", type=int, default=60,
                    help="game dialogue lines to recognise and align (one per speaker first; ~25 s per line here)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sources", nargs="*", help="only these sources (e.g. hedgewars klettres); default all")
    a = ap.parse_args(argv)
    if a.cmd == "fetch":
        fetch()
        return 0
    rep = build_all(Path(a.out), a.fotaq_lines, a.seed, sources=a.sources)
    print(json.dumps(rep, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
