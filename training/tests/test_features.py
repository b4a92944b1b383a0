"""training/features.py: the log-mel training uses, and the goldens the TypeScript side is checked against."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.features import frame_rms, hann_periodic, log_mel_spectrogram, mel_filter_bank
from training.reference import make_feature_goldens
from training.spec import FEATURES

ROOT = Path(__file__).resolve().parents[2]


def naive_log_mel(x: np.ndarray) -> np.ndarray:
    """Frame-by-frame loop written straight from the spec, to cross-check the vectorised version."""
    s = FEATURES
    n, hop = s["frameLengthSamples"], s["hopLengthSamples"]
    bank = mel_filter_bank()
    rows = []
    for start in range(0, len(x) - n + 1, hop):
        f = np.array(x[start : start + n], dtype=np.float64)
        f -= f.mean()
        for i in range(n - 1, 0, -1):
            f[i] -= s["preemphasis"] * f[i - 1]
        f[0] -= s["preemphasis"] * f[0]
        f *= hann_periodic(n)
        spec = np.abs(np.fft.rfft(f, n=s["fftSize"])) ** 2
        rows.append(np.log(np.maximum(bank @ spec, s["logFloor"])))
    return np.array(rows)


def test_vectorised_log_mel_matches_the_naive_loop():
    x = np.random.default_rng(1).normal(0, 0.3, 4000)
    got = log_mel_spectrogram(x)
    assert got.shape == (1 + (4000 - 400) // 160, FEATURES["melBands"])
    np.testing.assert_allclose(got, naive_log_mel(x), atol=1e-9)


def test_mel_bank_triangles_peak_at_one_and_cover_fmin_to_fmax():
    bank = mel_filter_bank()
    assert bank.shape == (FEATURES["melBands"], FEATURES["fftSize"] // 2 + 1)
    freqs = np.arange(bank.shape[1]) * FEATURES["sampleRateHz"] / FEATURES["fftSize"]
    assert bank.max() <= 1.0 and bank.max() > 0.9
    assert np.all(bank[:, freqs < FEATURES["fMinHz"]] == 0)
    assert np.all(bank[:, freqs > FEATURES["fMaxHz"]] == 0)
    # No empty band at fftSize 512 / 80 mels (unlike the paper's 128-point Kaldi fbank quirk).
    assert np.all(bank.sum(axis=1) > 0)


def test_a_tone_lands_in_the_band_around_its_frequency():
    sr = FEATURES["sampleRateHz"]
    t = np.arange(sr // 4) / sr
    mel = log_mel_spectrogram(0.5 * np.sin(2 * np.pi * 1000 * t))
    band = int(np.argmax(mel[5]))
    bank = mel_filter_bank()
    freqs = np.arange(bank.shape[1]) * sr / FEATURES["fftSize"]
    assert abs(freqs[np.argmax(bank[band])] - 1000) < 60


def test_short_input_gives_no_frames_and_nan_is_rejected():
    assert log_mel_spectrogram(np.zeros(399)).shape == (0, FEATURES["melBands"])
    assert frame_rms(np.zeros(10)).shape == (0,)
    with pytest.raises(ValueError, match="finite"):
        log_mel_spectrogram(np.array([0.0] * 500 + [np.nan]))


def test_rms_of_a_constant_and_a_sine():
    np.testing.assert_allclose(frame_rms(np.full(800, -0.25)), 0.25)
    sr = FEATURES["sampleRateHz"]
    x = np.sin(2 * np.pi * 400 * np.arange(sr) / sr)  # 400 Hz: 16 whole periods per 400-sample frame
    np.testing.assert_allclose(frame_rms(x), np.sqrt(0.5), atol=1e-9)


def test_committed_goldens_are_what_the_generator_writes(tmp_path):
    for path in make_feature_goldens.write_all(tmp_path):
        committed = ROOT / "test" / "fixtures" / "features" / path.name
        assert committed.exists(), f"missing {committed}: run python -m training.reference.make_feature_goldens"
        assert json.loads(path.read_text()) == json.loads(committed.read_text()), f"{path.name} is stale"
