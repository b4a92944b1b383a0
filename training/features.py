"""Log-mel features exactly as src/features/logMelSpectrogram.ts computes them (spec/features-v1.json).

This is the implementation training uses, vectorised over frames. Frame k covers samples
[k*hop, k*hop + frameLength) (no centering); per frame: DC removal, Kaldi preemphasis (the first sample
uses itself as predecessor), periodic Hann, |rfft(fftSize)|^2, HTK mel triangles linear in Hz between
fMin and fMax (no normalisation), ln(max(E, logFloor)). The TypeScript side is checked against goldens
written from this file (test/fixtures/features/*.json, tolerance 1e-4).
"""
from __future__ import annotations

import numpy as np

from training.spec import FEATURES


def _hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filter_bank(spec: dict = FEATURES) -> np.ndarray:
    """(melBands, fftSize//2 + 1) HTK triangles, peak 1, evaluated at bin frequencies k*sr/fftSize."""
    mels, n_fft, sr = spec["melBands"], spec["fftSize"], spec["sampleRateHz"]
    corners = _mel_to_hz(np.linspace(_hz_to_mel(spec["fMinHz"]), _hz_to_mel(spec["fMaxHz"]), mels + 2))
    freqs = np.arange(n_fft // 2 + 1, dtype=np.float64) * sr / n_fft
    left, centre, right = corners[:-2, None], corners[1:-1, None], corners[2:, None]
    rising = (freqs[None, :] - left) / (centre - left)
    falling = (right - freqs[None, :]) / (right - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def hann_periodic(length: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(length) / length)


def frame_signal(samples: np.ndarray, frame_length: int, hop: int) -> np.ndarray:
    """(frames, frame_length) view-free copy; frames = 0 if the input is shorter than one frame."""
    x = np.asarray(samples, dtype=np.float64)
    if x.shape[0] < frame_length:
        return np.zeros((0, frame_length))
    count = (x.shape[0] - frame_length) // hop + 1
    index = np.arange(frame_length)[None, :] + hop * np.arange(count)[:, None]
    return x[index]


def log_mel_spectrogram(samples: np.ndarray, spec: dict = FEATURES) -> np.ndarray:
    """(frames, melBands) float64 natural-log mel energies of mono samples at spec['sampleRateHz']."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"log_mel_spectrogram: expected mono 1-D samples, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("log_mel_spectrogram: expected finite samples, got NaN/inf; clean the audio first")
    frames = frame_signal(x, spec["frameLengthSamples"], spec["hopLengthSamples"])
    if spec["removeDcPerFrame"]:
        frames = frames - frames.mean(axis=1, keepdims=True)
    p = spec["preemphasis"]
    if p:
        frames = np.concatenate([frames[:, :1] * (1.0 - p), frames[:, 1:] - p * frames[:, :-1]], axis=1)
    if spec["window"] != "hann-periodic":
        raise ValueError(f"unsupported window {spec['window']!r}")
    frames = frames * hann_periodic(spec["frameLengthSamples"])[None, :]
    spectrum = np.fft.rfft(frames, n=spec["fftSize"], axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    if spec["power"] != 2:
        power = power ** (spec["power"] / 2.0)
    energies = power @ mel_filter_bank(spec).T
    return np.log(np.maximum(energies, spec["logFloor"]))


def frame_rms(samples: np.ndarray, spec: dict = FEATURES) -> np.ndarray:
    """Per-frame RMS over [k*hop, k*hop + rmsFrameLengthSamples), as src/features/rms.ts."""
    frames = frame_signal(samples, spec["rmsFrameLengthSamples"], spec["hopLengthSamples"])
    return np.sqrt(np.mean(frames**2, axis=1)) if frames.shape[0] else np.zeros(0)
