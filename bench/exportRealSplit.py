"""Exports the corpus `real` evaluation split (training/build/corpus/real/*.npz: real speech with
teacher reference lips) for the quality bench: one 16 kHz wav per utterance and refs.json with the
reference lips-v1 displacements (frames x 63, metres, 50 fps). Keeps utterances in shard order up to
--max-seconds of audio. Usage: /usr/bin/python3 bench/exportRealSplit.py OUT_DIR [--max-seconds 60]"""
import argparse, glob, json, os, wave

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--corpus", default="training/build/corpus/real")
ap.add_argument("--max-seconds", type=float, default=60.0)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
refs, total = [], 0.0
for shard in sorted(glob.glob(os.path.join(a.corpus, "*.npz"))):
    meta = json.load(open(shard[:-4] + ".json"))
    d = np.load(shard)
    ao, fo = d["audio_offsets"], d["frame_offsets"]
    for i, u in enumerate(meta["utterances"]):
        audio = d["audio"][ao[i] : ao[i + 1] if i + 1 < len(ao) else len(d["audio"])]
        lips = d["lips"][fo[i] : fo[i + 1] if i + 1 < len(fo) else len(d["lips"])]
        if total + len(audio) / 16000 > a.max_seconds:
            break
        name = u["utt_id"].replace("/", "_") + ".wav"
        with wave.open(os.path.join(a.out, name), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(audio.astype("<i2").tobytes())
        refs.append({"id": u["utt_id"], "wav": name, "text": u["text"], "fps": 50, "frames": int(len(lips)),
                     "lips": [round(float(v), 6) for v in lips.reshape(-1)]})
        total += len(audio) / 16000
json.dump({"source": a.corpus, "seconds": round(total, 2), "utterances": refs}, open(os.path.join(a.out, "refs.json"), "w"))
print(f"exported {len(refs)} utterances, {total:.1f} s, to {a.out}")
