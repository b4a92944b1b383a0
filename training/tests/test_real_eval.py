"""Real-speech evaluation and labelling helpers (issue #14): lag sign, bake framing, long-recording cuts."""
import numpy as np

from training.corpus.real_extra import LETTERS, split_long, words_for
from training.evaluate_real import MAX_LAG, best_lag_r, bake_features, envelope_aperture, summarise


def _signal(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = np.convolve(rng.standard_normal(n + 20), np.hanning(9), "same")[10 : n + 10]
    return x


def test_best_lag_is_negative_when_the_lips_come_early():
    ref = _signal()
    for d in (0, 1, 3):
        early = np.r_[ref[d:], np.zeros(d)]  # pred(t) = ref(t + d): lips d frames early
        r, lag, r0 = best_lag_r(ref, early)
        assert lag == -d, (d, lag)
        assert r > 0.99
        late = np.r_[np.zeros(d), ref[: len(ref) - d]]
        assert best_lag_r(ref, late)[1] == d
    # lags beyond +-100 ms are not searched
    far = np.r_[ref[8:], np.zeros(8)]
    assert abs(best_lag_r(ref, far)[1]) <= MAX_LAG


def test_bake_features_match_the_cli_framing():
    # generateLipsTrackAsync: frames = Math.ceil((n / 16000) * 50) in doubles, so 2240 samples (exactly 7 frames)
    # give 8 (0.14 * 50 = 7.000000000000001); the padded log-mel covers them plus the look-ahead
    for n, want in ((16000, 50), (16001, 51), (16319, 51), (2240, 8), (2560, 8)):
        mel, frames = bake_features(np.zeros(n, np.float32), lookahead=4)
        assert frames == want, (n, frames)
        assert mel.shape[0] >= 2 * frames + 4 and mel.shape[1] == 80


def test_envelope_baseline_follows_the_level():
    sr = 16000
    x = np.r_[np.zeros(sr // 2), 0.1 * np.sin(np.arange(sr // 2) * 0.3), np.zeros(sr // 2)].astype(np.float32)
    env = envelope_aperture(x, 75)
    assert env[:20].max() == 0 and env[30:45].min() > 30


def test_summary_names_the_worst_speaker_and_averages_per_speaker():
    rows = [{"utt_id": f"u{i}", "speaker": s, "frames": 100, "r": r, "lag_ms": 0.0, "r0": r, "r_speech": r,
             "lag_speech_ms": 0.0, "mtm_ms": 20.0, "si": 0.1 + 0.01 * i, "li": 0.001 * i, "li_teacher": 0.001 * i}
            for i, (s, r) in enumerate([("a", 0.9), ("a", 0.7), ("a", 0.8), ("b", 0.5)])]
    res = summarise(rows)
    assert res["worst_speaker"] == "b"
    assert abs(res["per_speaker"]["a"]["r"] - 0.8) < 1e-12
    assert abs(res["r_mean_spk"] - 0.65) < 1e-12 and abs(res["r_mean_utt"] - 0.725) < 1e-12
    assert res["per_speaker"]["a"]["dslcc"] < 1e-9  # identical intensities -> identical SLCC


def test_split_long_cuts_at_pauses_into_short_pieces():
    sr = 16000
    rng = np.random.default_rng(1)
    parts = []
    for k in range(6):  # 6 x (4 s speech-like noise + 0.5 s silence) = 27 s
        parts += [0.1 * rng.standard_normal(4 * sr), np.zeros(sr // 2)]
    x = np.concatenate(parts).astype(np.float32)
    pieces = split_long(x)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(x)
    assert all(b1 == a2 for (_, b1), (a2, _) in zip(pieces, pieces[1:]))
    assert all(2 * sr <= b - a <= 18 * sr for a, b in pieces)
    assert len(split_long(x[: 5 * sr])) == 1


def test_letter_names_are_spoken_letters():
    assert words_for("#" + LETTERS["a"]) == [["ey"]]
    assert words_for("#" + LETTERS["w"]) == [["d", "ah", "b", "ah", "l", "y", "uw"]]
    assert words_for("come on then") == [["k", "ah", "m"], ["aa", "n"], ["dh", "eh", "n"]]
