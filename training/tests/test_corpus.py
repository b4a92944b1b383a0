"""Corpus pipeline on the smoke configuration: shards load, arrays line up, splits are held out."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.phones import PHONES, normalize  # noqa: E402

_MISSING = [t for t in ("flite", "sox") if shutil.which(t) is None]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if _MISSING:
        pytest.skip(f"Debian tools absent: {', '.join(_MISSING)} (run training/setup)")
    out = tmp_path_factory.mktemp("corpus-smoke")
    r = subprocess.run([sys.executable, "-m", "training.corpus.build", "--smoke", "--out", str(out),
                        "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


def test_manifest(corpus):
    from training.spec import spec_hash

    m = json.loads((corpus / "manifest.json").read_text())
    assert m["layout"] == "lips-v1" and m["fps"] == 50 and m["sample_rate"] == 16000
    assert m["lips_spec_sha256"] == spec_hash("lips-v1.json")
    assert m["phones"] == list(PHONES)
    assert not m["stats"]["missing_shards"]
    for split in ("train", "val", "test"):
        assert m["stats"][split]["utterances"] > 0
    assert 1.0 < m["stats"]["total_hours"] * 60 < 15  # a few minutes


def test_shards_line_up(corpus):
    from training.corpus.reader import iter_utterances

    n = 0
    for u in iter_utterances(str(corpus)):
        T = u["lips"].shape[0]
        assert u["lips"].shape == (T, 21, 3) and u["lips"].dtype == np.float32
        assert len(u["audio"]) == 320 * T == int(round(u["duration_s"] * 16000))
        assert u["effort_db"].shape == (T,)
        assert u["n_frames"] == T
        ph = u["phones"]
        assert ph and abs(ph[0][0]) < 1e-4 and abs(ph[-1][1] - len(u["audio"]) / 16000) < 0.021
        assert all(abs(ph[i][1] - ph[i + 1][0]) < 1e-4 for i in range(len(ph) - 1))
        assert np.isfinite(u["lips"]).all() and np.abs(u["lips"]).max() < 0.03
        if u["source"] == "nonspeech":
            assert np.abs(u["lips"]).max() < 1e-6
        n += 1
    assert n > 20


def test_bilabials_closed_in_corpus(corpus):
    from training.corpus.reader import iter_utterances, lips_absolute
    from training.teacher import inner_aperture

    checked = 0
    for u in iter_utterances(str(corpus)):
        ap = inner_aperture(lips_absolute(u["lips"]))
        t = np.arange(len(ap)) / 50
        for s, e, p in u["phones"]:
            if normalize(p) in ("p", "b", "m"):
                m = (t >= s) & (t <= e)
                if m.any():
                    assert ap[m].max() < 0.5e-3
                    checked += 1
    assert checked > 10


def test_splits_held_out(corpus):
    from training.corpus import build, real as real_mod, tts

    m = json.loads((corpus / "manifest.json").read_text())
    utts = m["utterances"]
    train_voices = {u["voice"] for u in utts if u["split"] == "train"}
    avail = set(tts.available_voices())
    n_held = len([v for v in build.SMOKE["voices"] if v in build.TEST_VOICES and v in avail])
    assert len(m["stats"]["test_heldout"]["voices_never_in_train"]) >= min(2, n_held)
    assert not set(m["test_voices"]) & train_voices
    assert m["stats"]["test_heldout"]["utts_unseen_sentence"] > 0
    if not real_mod.available():
        pytest.skip("pocketsphinx / pocketsphinx-en-us absent: no real-speech split (run training/setup)")
    real = [u for u in utts if u["split"] == "real"]
    assert real and all(u["source"] == "real" for u in real)
    train_ids = {u["utt_id"] for u in utts if u["split"] == "train"}
    assert not {u["utt_id"] for u in real} & train_ids


def test_models_pipeline_smoke_runs_end_to_end_and_resumes(corpus, tmp_path):
    """`make -C training models-smoke` in miniature: corpus -> encoders, sweep, 3 fine-tunes, evaluation,
    aperture calibration, stateful ONNX export; a second run resumes (trains nothing again). Tests the pipeline, not quality."""
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "training.train_pipeline", "--smoke", "--corpus", str(corpus), "--run", str(run)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "models pipeline finished in" in r.stdout
    m = json.loads((run / "export" / "manifest.json").read_text())
    assert m["layout"] == "lips-v1" and m["generator"]["state"]["outputLagFrames"] * 2 == m["generator"]["lookaheadFrames"]
    for f in ("generator.onnx", "speech_encoder.onnx", "mesh_encoder.onnx"):
        assert m["files"][f]["bytes"] == (run / "export" / f).stat().st_size
    res = json.loads((run / "results.json").read_text())
    assert set(res["ablation"]) == {"geometric", "perceptual", "closure"}
    assert m["training"]["winner"] in res["ablation"]
    cal = json.loads((run / "calibration.json").read_text())
    assert cal["blend"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert ("apertureCalibration" in m["generator"]) == bool(cal["blend"])
    modes = m["training"]["latencyModes"]
    assert set(modes["chosen"]) == {"live", "balanced", "playback"} and modes["chosen"]["balanced"] == m["generator"]["lookaheadFrames"]
    for mode, head in m.get("latencyModes", {}).items():  # exported heads: their own files, their own look-ahead
        assert head["lookaheadFrames"] == modes["chosen"][mode] != m["generator"]["lookaheadFrames"]
        assert m["files"][head["file"]]["bytes"] == (run / "export" / head["file"]).stat().st_size
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "fine-tune" not in again.stdout and "look-ahead sweep" not in again.stdout, "a resumed run retrains nothing"
