"""Real recorded speech (Asterisk prompts, pocketsphinx-testdata) force-aligned at phone level with
pocketsphinx_batch (recipe: /work/shared/docs/real-speech-sources.md, "Phone alignment ... (verified)").

Each utterance: transcript -> CMU dict phones (words it lacks are spelled out letter by letter; digits as
words) -> a strict-sequence JSGF grammar with one token per phone position (optional SIL between words) ->
pocketsphinx_batch -hypseg -> phone segments at 10 ms resolution.
"""
from __future__ import annotations

import glob
import gzip
import hashlib
import os
import re
import subprocess
import tempfile

import numpy as np

from .tts import SR, read_wav, to16k

AST_ROOT = "/usr/share/asterisk/sounds/en_US_f_Allison"
AST_TXT = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"
PS_DATA = "/usr/share/pocketsphinx/test/data"
HMM = "/usr/share/pocketsphinx/model/en-us/en-us"
DICT = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"

_NUM = {str(i): w for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                         "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def available() -> bool:
    return os.path.isfile(DICT) and os.path.isdir(HMM) and _which("pocketsphinx_batch")


def _which(c):
    from shutil import which

    return which(c) is not None


def _num_words(n: int) -> list[str]:
    if n < 20:
        return [_NUM[str(n)]]
    if n < 100:
        return [_TENS[n // 10]] + ([_NUM[str(n % 10)]] if n % 10 else [])
    if n < 1000:
        return [_NUM[str(n // 100)], "hundred"] + (_num_words(n % 100) if n % 100 else [])
    return [d for c in str(n) for d in [_NUM[c]]]


_DICT = {}


def cmudict():
    if not _DICT:
        for line in open(DICT, encoding="utf-8", errors="replace"):
            parts = line.split()
            if parts and "(" not in parts[0]:
                _DICT[parts[0].lower()] = [p.lower() for p in parts[1:]]
    return _DICT


def words_to_phones(text: str) -> list[list[str]]:
    d = cmudict()
    out = []
    text = text.lower().replace("#", " pound ").replace("*", " star ").replace("&", " and ")
    for tok in re.findall(r"[a-z']+|\d+", text):
        if tok.isdigit():
            ws = _num_words(int(tok)) if len(tok) <= 3 else [_NUM[c] for c in tok]
        else:
            ws = [tok]
        for w in ws:
            if w in d:
                out.append(d[w])
            elif w.strip("'") in d:
                out.append(d[w.strip("'")])
            else:  # spell it out
                for ch in w:
                    if ch in d:
                        out.append(d[ch])
    return out


def align(audio16, text: str, tmp: str, words=None, wide_retry: bool = True):
    """Force-align; returns [(start_s, end_s, phone)] or None when decoding fails.

    words: optional list of per-word phone lists (canonical ARPAbet) instead of a dictionary lookup of text.
    wide_retry: on a search failure retry once with wide beams (real_extra.py's keep rule uses default beams only)."""
    words = words if words is not None else words_to_phones(text)
    if not words:
        return None
    toks, dict_lines, k = [], [], 0
    rule = []
    dict_lines.append(f"p{k}_sil SIL")
    rule.append(f"p{k}_sil")
    k += 1
    for wi, ph in enumerate(words):
        for p in ph:
            t = f"p{k}_{p}"
            dict_lines.append(f"{t} {p.upper()}")
            rule.append(t)
            k += 1
        if wi < len(words) - 1:  # optional short pause between words
            t = f"p{k}_sp"
            dict_lines.append(f"{t} SIL")
            rule.append(f"[{t}]")
            k += 1
    dict_lines.append(f"p{k}_sil SIL")
    rule.append(f"p{k}_sil")
    open(f"{tmp}/d.dict", "w").write("\n".join(dict_lines) + "\n")
    open(f"{tmp}/g.gram", "w").write("#JSGF V1.0;\ngrammar a;\npublic <s> = " + " ".join(rule) + " ;\n")
    (np.clip(audio16, -1, 1) * 32767).astype("<i2").tofile(f"{tmp}/utt.raw")
    open(f"{tmp}/c.ctl", "w").write("utt\n")
    for extra in ([], ["-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60"])[: 2 if wide_retry else 1]:
        # default beams first (the verified recipe); on a search failure retry once with wide beams
        if os.path.exists(f"{tmp}/out.seg"):
            os.remove(f"{tmp}/out.seg")
        subprocess.run(["pocketsphinx_batch", "-hmm", HMM, "-dict", f"{tmp}/d.dict", "-jsgf", f"{tmp}/g.gram",
                        "-ctl", f"{tmp}/c.ctl", "-cepdir", tmp, "-cepext", ".raw", "-adcin", "yes", "-samprate",
                        "16000", "-bestpath", "no", "-fsgusefiller", "no", "-hypseg", f"{tmp}/out.seg",
                        "-logfn", "/dev/null", *extra], check=False, capture_output=True, timeout=300)
        res = _parse_seg(f"{tmp}/out.seg", words, len(audio16))
        if res is not None:
            return res
    return None


def _parse_seg(path, words, n_samples):
    try:
        line = open(path).read().split()
    except OSError:
        return None
    # utt S s T t A a L l  then (start, ascore, lscore, token)* final_frame
    try:
        body = line[9:]
        final = int(body[-1])
        ents = [(int(body[i]), body[i + 3]) for i in range(0, len(body) - 1, 4)]
        ents = [e for e in ents if "_" in e[1]]  # (NULL): skipped optional pause, give its frame to the previous
    except (ValueError, IndexError):
        return None
    if not ents:
        return None
    out = []
    for j, (f0, tok) in enumerate(ents):
        f1 = ents[j + 1][0] if j + 1 < len(ents) else final
        p = tok.split("_", 1)[1]
        out.append((f0 / 100.0, f1 / 100.0, "sil" if p in ("sil", "sp") else p))
    n_expected = sum(len(w) for w in words)
    if sum(1 for _, _, p in out if p != "sil") != n_expected:
        return None
    dur = n_samples / SR
    out = [(s, min(e, dur), p) for s, e, p in out if s < dur]
    out[-1] = (out[-1][0], dur, out[-1][2])
    return out


def asterisk_prompts():
    """[(key, text, path)] for the 553 speech prompts."""
    out = []
    if not os.path.exists(AST_TXT):
        return out
    for line in gzip.open(AST_TXT, "rt", encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line or line.startswith(";"):
            continue
        key, _, text = line.partition(": ")
        if re.fullmatch(r"\s*[\[(<].*[\])>]\s*", text):  # silence, tones, sound effects, <beep ...>
            continue
        path = os.path.join(AST_ROOT, key + ".wav")
        if not os.path.exists(path):
            continue
        out.append((key.strip(), re.sub(r"\s*\[.*?\]", "", text).strip(), path))
    return sorted(out)


def testdata_utts():
    out = []
    tr = os.path.join(PS_DATA, "librivox", "transcription")
    if os.path.exists(tr):
        for line in open(tr):
            m = re.match(r"<s>(.*)</s>\s*\((.*)\)", line.strip())
            if m:
                out.append((f"librivox/{m.group(2)}", m.group(1).strip(), os.path.join(PS_DATA, "librivox", m.group(2) + ".wav")))
    tr = os.path.join(PS_DATA, "cards", "cards.transcription")
    if os.path.exists(tr):
        for line in open(tr):
            m = re.match(r"<s>(.*)</s>\s*\((.*)\)", line.strip())
            if m:
                out.append((f"cards/{m.group(2)}", m.group(1).strip(), os.path.join(PS_DATA, "cards", m.group(2) + ".wav")))
    gf = os.path.join(PS_DATA, "goforward.raw")
    if os.path.exists(gf):
        out.append(("goforward", "go forward ten meters", gf))
    return [u for u in out if os.path.exists(u[2])]


def load_audio(path):
    if path.endswith(".raw"):
        return np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0
    x, sr = read_wav(path)
    return to16k(x, sr)


def asterisk_is_eval(key: str) -> bool:
    """20 % of the Asterisk prompts (chosen by prompt key hash) form the `real` evaluation split."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 5 == 0


def real_items():
    """[(utt_id, source, text, path, split)]: split 'real' (eval, never trained) or 'train_real'."""
    items = []
    for key, text, path in asterisk_prompts():
        items.append((f"asterisk/{key}", "asterisk", text, path, "real" if asterisk_is_eval(key) else "train"))
    for key, text, path in testdata_utts():
        items.append((f"pstest/{key}", "pocketsphinx-testdata", text, path, "real"))
    return items
