"""Articulatory teacher: spec parity, closure, opening, rounding, rest (synthetic input, fast)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import teacher as T  # noqa: E402
from training.phones import normalize  # noqa: E402
from training.spec import JAW_PIVOT, LIPS_GROUPS, LIPS_NEUTRAL  # noqa: E402

G = LIPS_GROUPS
# "Papa, mob, ah! you, so... boom" -- every class of interest, silence at both ends
PHONES = [(0.0, 0.30, "sil"), (0.30, 0.38, "P"), (0.38, 0.55, "AA1"), (0.55, 0.63, "p"), (0.63, 0.75, "ah0"),
          (0.75, 0.85, "m"), (0.85, 1.05, "aa1"), (1.05, 1.13, "b"), (1.13, 1.40, "sp"), (1.40, 1.65, "ae1"),
          (1.65, 1.72, "y"), (1.72, 1.95, "uw1"), (1.95, 2.05, "s"), (2.05, 2.30, "ow1"), (2.30, 2.38, "b"),
          (2.38, 2.60, "uw1"), (2.60, 2.70, "m"), (2.70, 3.40, "pau"), (3.40, 3.55, "ao1"), (3.55, 3.65, "k"),
          (3.65, 4.40, "sil")]


@pytest.fixture(scope="module")
def track():
    return T.teacher_track(PHONES, fps=50)


def _frames(s, e, fps=50):
    t = np.arange(int(np.ceil(PHONES[-1][1] * fps - 1e-6))) / fps
    return (t >= s - 1e-9) & (t <= e + 1e-9)


def test_spec_matches_json():
    spec = json.loads((ROOT / "spec" / "lips-v1.json").read_text())
    pts = spec["points"]
    assert len(pts) == 21 == LIPS_NEUTRAL.shape[0]
    assert [p["index"] for p in pts] == list(range(21))
    assert [p["ibug68"] for p in pts] == [8] + list(range(48, 68))
    np.testing.assert_array_equal(LIPS_NEUTRAL, np.array([p["neutral"] for p in pts]))
    np.testing.assert_array_equal(JAW_PIVOT, np.array(spec["jawPivot"]))
    assert G["innerUpperMid"] == 15 and G["innerLowerMid"] == 19


def test_shape_and_frame_zero(track):
    assert track.shape == (220, 21, 3)
    assert np.isfinite(track).all()


def test_bilabials_close(track):
    ap = T.inner_aperture(track)
    n = 0
    for s, e, p in PHONES:
        if normalize(p) in ("p", "b", "m"):
            m = _frames(s, e)
            assert m.any()
            assert ap[m].max() < 0.5e-3, (p, s, ap[m].max())
            n += 1
    assert n == 6


def test_open_vowels_open_most(track):
    ap = T.inner_aperture(track)
    open_max = max(ap[_frames(s, e)].max() for s, e, p in PHONES if normalize(p) in ("aa", "ae", "ao"))
    other_max = max(ap[_frames(s, e)].max() for s, e, p in PHONES
                    if normalize(p) not in ("aa", "ae", "ao", "sil") and _frames(s, e).any())
    assert open_max > 8e-3
    assert open_max > other_max


def test_rounded_vowels_protrude(track):
    pro = T.protrusion(track)
    for s, e, p in PHONES:
        if normalize(p) in ("uw", "ow"):
            m = _frames(s, e)
            assert pro[m].mean() > 1.5e-3, (p, s, pro[m].mean())
            # lips narrower than neutral
            w0 = np.linalg.norm(LIPS_NEUTRAL[G["cornerLeft"]] - LIPS_NEUTRAL[G["cornerRight"]])
            assert T.lip_width(track)[m].mean() < w0 - 2e-3


def test_rests_on_silence(track):
    # inside silence, frames >= 0.3 s from any speech are at rest (< 0.5 mm), >= 0.5 s exactly at rest
    t = np.arange(track.shape[0]) / 50
    dist = np.full(t.shape, np.inf)
    for s, e, p in PHONES:
        if normalize(p) != "sil":
            dist = np.minimum(dist, np.maximum(np.maximum(s - t, t - e), 0))
    dev = np.abs(track - LIPS_NEUTRAL).max(axis=(1, 2))
    assert (dist >= 0.3).sum() > 20
    assert dev[dist >= 0.3].max() < 0.5e-3
    assert dev[dist >= 0.5].max() < 0.05e-3
    np.testing.assert_allclose(track[0], LIPS_NEUTRAL, atol=1e-4)


def test_smooth_no_jitter(track):
    # no frame-to-frame wobble: aperture has at most one extremum per phone, width/protrusion likewise
    n_ph = len(PHONES)
    for sig in (T.inner_aperture(track), T.lip_width(track), T.protrusion(track)):
        v = np.diff(sig)
        v = v[np.abs(v) > 1e-5]
        assert np.sum(np.diff(np.sign(v)) != 0) <= n_ph
    # and bounded speed (bilabial release is the fastest movement): < 10 mm per 20 ms frame
    assert np.abs(np.diff(track, axis=0)).max() < 10e-3


def test_articulation_leads_acoustics():
    # rounding on /uw/ after a long /s/: protrusion already rising before the vowel's acoustic onset
    ph = [(0, 0.3, "sil"), (0.3, 0.6, "s"), (0.6, 0.6 + 0.25, "uw"), (0.85, 1.3, "sil")]
    tr = T.teacher_track(ph)
    pro = T.protrusion(tr)
    assert pro[int(0.58 * 50)] > 0.5 * pro[int(0.72 * 50)] > 0


def test_effort_scales_amplitude():
    ph = [(0, 0.2, "sil"), (0.2, 0.5, "aa"), (0.5, 0.8, "sil")]
    soft = T.inner_aperture(T.teacher_track(ph, effort="soft")).max()
    loud = T.inner_aperture(T.teacher_track(ph, effort="loud")).max()
    assert loud > 1.2 * soft


def test_cli(tmp_path):
    tsv = tmp_path / "in.tsv"
    tsv.write_text("".join(f"{s}\t{e}\t{p}\n" for s, e, p in PHONES))
    out = tmp_path / "track.json"
    subprocess.run([sys.executable, "-m", "training.teacher", "--phones", str(tsv), "--out", str(out)],
                   cwd=ROOT, check=True)
    d = json.loads(out.read_text())
    assert d["layout"] == "lips-v1" and d["fps"] == 50
    fr = np.array(d["frames"])
    assert fr.shape == (220, 21, 3)
    np.testing.assert_allclose(fr, T.teacher_track(PHONES), atol=2e-6)
