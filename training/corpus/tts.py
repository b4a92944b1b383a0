"""Text-to-speech voices with exact phone timings (flite, festival, espeak-ng).

Every synthesiser returns (audio float32 mono at 16 kHz, [(start_s, end_s, phone), ...]) with canonical
ARPAbet phones (training.phones) taken from the synthesiser's own segment timings, not from an aligner:

- flite (kal16, awb, rms, slt): ``-psdur`` prints every segment with its end time from the utterance's
  Segment relation, the same times the waveform generator used. Clustergen voices (awb, rms, slt) match the
  wave length to < 5 ms; the diphone voice (kal16) drops the second half of the final pause diphone, so its
  last pause is clipped to the wave's end.
- festival (kal_diphone, ked_diphone, cmu_us_slt_arctic_hts): ``utt.save.segs`` writes every segment's end
  time from the Segment relation (HTS: exact to the sample frame; diphone voices: within ~30 ms at the end).
- espeak-ng (English variants): the library API via ctypes with espeakINITIALIZE_PHONEME_EVENTS; every
  phoneme event carries its exact output sample index. IPA names are mapped to ARPAbet.
"""
from __future__ import annotations

import ctypes
import os
import re
import subprocess
import tempfile
import wave

import numpy as np
from scipy.signal import resample_poly

from ..phones import SILENCE, merge_silences, normalize

SR = 16000

#: voice id -> (engine, engine voice name, description)
VOICES = {
    "flite:kal16": ("flite", "kal16", "flite diphone, US male"),
    "flite:awb": ("flite", "awb", "flite clustergen, Scottish male"),
    "flite:rms": ("flite", "rms", "flite clustergen, US male"),
    "flite:slt": ("flite", "slt", "flite clustergen, US female"),
    "festival:kal": ("festival", "kal_diphone", "festival diphone, US male"),
    "festival:ked": ("festival", "ked_diphone", "festival diphone, US male"),
    "festival:slt_hts": ("festival", "cmu_us_slt_arctic_hts", "festival HTS, US female"),
    "espeak:en-us+m1": ("espeak", "en-us+m1", "espeak-ng US, male variant 1"),
    "espeak:en-us+f3": ("espeak", "en-us+f3", "espeak-ng US, female variant 3"),
    "espeak:en+m3": ("espeak", "en+m3", "espeak-ng British, male variant 3"),
    "espeak:en-gb-x-rp+f2": ("espeak", "en-gb-x-rp+f2", "espeak-ng RP, female variant 2"),
    "espeak:en-us-nyc+m5": ("espeak", "en-us-nyc+m5", "espeak-ng New York, male variant 5"),
    "espeak:en-gb-scotland+f4": ("espeak", "en-gb-scotland+f4", "espeak-ng Scottish, female variant 4"),
    "espeak:en-029+m2": ("espeak", "en-029+m2", "espeak-ng Caribbean, male variant 2"),
    "espeak:en-gb-x-gbclan+f1": ("espeak", "en-gb-x-gbclan+f1", "espeak-ng Lancaster, female variant 1"),
}


def available_voices() -> list[str]:
    """Voices whose engine and data are installed."""
    out = []
    fest_dirs = ["/usr/share/festival/voices/english", "/usr/share/festival/voices/us"]
    have_flite = _which("flite")
    have_fest = _which("festival")
    have_esp = _espeak_lib() is not None
    for vid, (eng, name, _) in VOICES.items():
        if eng == "flite" and have_flite:
            out.append(vid)
        elif eng == "festival" and have_fest and any(os.path.isdir(os.path.join(d, name)) for d in fest_dirs):
            out.append(vid)
        elif eng == "espeak" and have_esp:
            out.append(vid)
    return out


def _which(cmd):
    from shutil import which

    return which(cmd) is not None


def read_wav(path):
    with wave.open(path) as w:
        sr, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
        x = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float32) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch)[:, 0]
    return x, sr


def write_wav(path, x, sr=SR):
    y = np.clip(np.round(np.asarray(x) * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(y.tobytes())


def to16k(x, sr):
    if sr == SR:
        return x.astype(np.float32)
    from math import gcd

    g = gcd(sr, SR)
    return resample_poly(x, SR // g, sr // g).astype(np.float32)


def _clip_to(phones, dur):
    """Drop segments starting after the audio end and clip the last one to it (diphone tail pause)."""
    out = []
    for s, e, p in phones:
        if s >= dur - 1e-4:
            break
        out.append((s, min(e, dur), p))
    if out and out[-1][1] < dur:
        out[-1] = (out[-1][0], dur, out[-1][2])
    return out


def timing_report(phones, dur_raw):
    """Difference between the synthesiser's last segment end and the wave length (s)."""
    return (phones[-1][1] - dur_raw) if phones else float("nan")


# ------------------------------------------------------------------------------------------- flite
def synth_flite(voice, text, tmp):
    wav = os.path.join(tmp, "f.wav")
    r = subprocess.run(["flite", "-voice", voice, "-psdur", "-t", text, "-o", wav], capture_output=True,
                       text=True, check=True)
    phones, prev = [], 0.0
    for tok in r.stdout.split():
        p, _, e = tok.rpartition(":")
        e = float(e)
        phones.append((prev, e, p))
        prev = e
    x, sr = read_wav(wav)
    dur = len(x) / sr
    mism = timing_report(phones, dur)
    return to16k(x, sr), merge_silences(_clip_to(phones, dur)), mism


# ------------------------------------------------------------------------------------------- festival
def _scm_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synth_festival_batch(voice, texts, tmp):
    """Synthesise many texts in one festival process; returns a list of (audio, phones, mismatch)."""
    lines = [f"(voice_{voice})"]
    for i, t in enumerate(texts):
        lines.append(f"(set! u (SynthText {_scm_str(t)}))")
        lines.append(f'(utt.save.wave u "{tmp}/u{i}.wav" \'riff)')
        lines.append(f'(utt.save.segs u "{tmp}/u{i}.segs")')
    scm = os.path.join(tmp, "batch.scm")
    with open(scm, "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["festival", "-b", scm], capture_output=True, text=True, check=True, timeout=600)
    out = []
    for i in range(len(texts)):
        x, sr = read_wav(f"{tmp}/u{i}.wav")
        phones, prev = [], 0.0
        with open(f"{tmp}/u{i}.segs") as f:
            body = f.read().split("#", 1)[1]
        for line in body.strip().splitlines():
            e, _, p = line.split()
            e = float(e)
            phones.append((prev, e, p))
            prev = e
        dur = len(x) / sr
        out.append((to16k(x, sr), merge_silences(_clip_to(phones, dur)), timing_report(phones, dur)))
    return out


# ------------------------------------------------------------------------------------------- espeak-ng
class _ID(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _EV(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _ID)]


_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_EV))
_ESP = {}


def _espeak_lib():
    if "lib" not in _ESP:
        try:
            _ESP["lib"] = ctypes.CDLL("libespeak-ng.so.1")
        except OSError:
            _ESP["lib"] = None
    return _ESP["lib"]


def _espeak_init():
    if "sr" in _ESP:
        return
    lib = _espeak_lib()
    # AUDIO_OUTPUT_SYNCHRONOUS=2; options: PHONEME_EVENTS (1) | PHONEME_IPA (2)
    _ESP["sr"] = lib.espeak_Initialize(2, 0, None, 1 | 2)
    _ESP["chunks"], _ESP["events"] = [], []

    def cb(wav, n, ev):
        if n > 0:
            _ESP["chunks"].append(np.ctypeslib.as_array(wav, (n,)).copy())
        i = 0
        while ev[i].type != 0:
            e = ev[i]
            if e.type == 7:  # espeakEVENT_PHONEME
                _ESP["events"].append((e.sample, bytes(e.id.string).split(b"\0")[0].decode("utf-8", "replace")))
            i += 1
        return 0

    _ESP["cb"] = _CB(cb)
    lib.espeak_SetSynthCallback(_ESP["cb"])


# IPA (espeak-ng English) -> ARPAbet, longest match first
_IPA = [
    ("aʊ", ["aw"]), ("aɪ", ["ay"]), ("ɔɪ", ["oy"]), ("oʊ", ["ow"]), ("əʊ", ["ow"]), ("eɪ", ["ey"]),
    ("tʃ", ["ch"]), ("dʒ", ["jh"]), ("eə", ["eh"]), ("ɪə", ["ih", "ah"]), ("ʊə", ["uh", "ah"]), ("ɜɹ", ["er"]),
    ("ɚ", ["er"]), ("ɝ", ["er"]), ("ɜ", ["er"]), ("ɑ", ["aa"]), ("ɒ", ["aa"]), ("a", ["ae"]), ("æ", ["ae"]),
    ("ʌ", ["ah"]), ("ə", ["ah"]), ("ɐ", ["ah"]), ("ᵻ", ["ih"]), ("ɪ", ["ih"]), ("i", ["iy"]), ("e", ["eh"]),
    ("ɛ", ["eh"]), ("ɔ", ["ao"]), ("o", ["ow"]), ("ʊ", ["uh"]), ("u", ["uw"]), ("b", ["b"]), ("d", ["d"]),
    ("f", ["f"]), ("h", ["hh"]), ("j", ["y"]), ("k", ["k"]), ("l", ["l"]), ("ɫ", ["l"]), ("m", ["m"]),
    ("n", ["n"]), ("p", ["p"]), ("s", ["s"]), ("t", ["t"]), ("v", ["v"]), ("w", ["w"]), ("z", ["z"]),
    ("ɡ", ["g"]), ("g", ["g"]), ("ŋ", ["ng"]), ("ɹ", ["r"]), ("r", ["r"]), ("ɾ", ["d"]), ("ʃ", ["sh"]),
    ("ʒ", ["zh"]), ("θ", ["th"]), ("ð", ["dh"]), ("ʔ", ["t"]), ("x", ["k"]), ("ɬ", ["l"]), ("ç", ["hh"]),
    ("ʍ", ["w"]), ("c", ["k"]), ("ɣ", ["g"]), ("β", ["b"]), ("ɲ", ["n"]), ("y", ["uw"]), ("ø", ["er"]),
]
_IPA_STRIP = re.compile("[ːˑˈˌ̩̃ʰʲʷ̯.\u0329\u0303]")


def ipa_to_arpabet(ipa: str) -> list[str]:
    s = _IPA_STRIP.sub("", ipa)
    out, i = [], 0
    while i < len(s):
        for k, v in _IPA:
            if s.startswith(k, i):
                out.extend(v)
                i += len(k)
                break
        else:
            i += 1  # unknown symbol: skip
    return out


def synth_espeak(voice, text, rate=None, pitch=None):
    _espeak_init()
    lib = _espeak_lib()
    lib.espeak_SetVoiceByName(voice.encode())
    if rate is not None:
        lib.espeak_SetParameter(1, int(rate), 0)  # espeakRATE, words per minute
    if pitch is not None:
        lib.espeak_SetParameter(3, int(pitch), 0)  # espeakPITCH 0-100
    _ESP["chunks"].clear()
    _ESP["events"].clear()
    b = text.encode("utf-8")
    lib.espeak_Synth(b, len(b) + 1, 0, 0, 0, 1, None, None)  # POS_CHARACTER, espeakCHARS_UTF8
    lib.espeak_Synchronize()
    sr = _ESP["sr"]
    x = (np.concatenate(_ESP["chunks"]) if _ESP["chunks"] else np.zeros(0, np.int16)).astype(np.float32) / 32768
    n = len(x)
    evs = sorted(_ESP["events"])
    phones = []
    if not evs or evs[0][0] > 0:
        phones.append((0.0, (evs[0][0] if evs else n) / sr, SILENCE))
    for k, (smp, name) in enumerate(evs):
        end = evs[k + 1][0] if k + 1 < len(evs) else n
        if end <= smp:
            continue
        arp = ipa_to_arpabet(name) or [SILENCE]
        s0, e0 = smp / sr, end / sr
        step = (e0 - s0) / len(arp)
        for j, p in enumerate(arp):
            phones.append((s0 + j * step, s0 + (j + 1) * step, p))
    mism = (evs[-1][0] / sr - n / sr) if evs else float("nan")  # last event must lie inside the audio
    return to16k(x, sr), merge_silences(phones), min(mism, 0.0) if mism == mism else mism


# ------------------------------------------------------------------------------------------- common
def synth(voice_id, text, tmp=None):
    """One utterance -> (audio float32 16 kHz, phones, timing mismatch s)."""
    eng, name, _ = VOICES[voice_id]
    if eng == "flite":
        with tempfile.TemporaryDirectory() if tmp is None else _nullctx(tmp) as d:
            return synth_flite(name, text, d)
    if eng == "festival":
        with tempfile.TemporaryDirectory() if tmp is None else _nullctx(tmp) as d:
            return synth_festival_batch(name, [text], d)[0]
    return synth_espeak(name, text)


def synth_many(voice_id, texts, tmp):
    eng, name, _ = VOICES[voice_id]
    if eng == "festival":
        return synth_festival_batch(name, texts, tmp)
    return [synth(voice_id, t, tmp) for t in texts]


class _nullctx:
    def __init__(self, v):
        self.v = v

    def __enter__(self):
        return self.v

    def __exit__(self, *a):
        return False


def check_phones(phones):
    for s, e, p in phones:
        normalize(p)
        assert e > s - 1e-9, (s, e, p)
