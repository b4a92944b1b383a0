"""Aperture calibration: a monotone map of the generator's inner-lip opening onto the teacher's.

A regression generator trained with an L2-type loss shrinks extremes towards the mean: on held-out voices the
shipped model left p/b/m 2.3 mm open where the teacher closes them to 0.33 mm, and opened "aa" 7.3 mm where
the teacher opens 8.6 mm. A monotone map fitted on the validation split (quantile matching of the opening,
predicted vs teacher) moves the lips towards the teacher's range without touching timing: a strictly
increasing map keeps every local extremum of the opening where it was (MTM matches extrema).

The map is applied to the lips themselves: for opening a (distance of points innerUpperMid and innerLowerMid)
and target f(a), the upper lip moves by (f(a) - a) / 2 along the upper-minus-lower direction and the lower lip
by the same amount the other way, with per-point weights (lip middles 1, points next to the corners 0.5,
corners and chin 0). It is part of the exported generator graph (export_onnx.py), so streaming, bake, the CLI
and the parity fixtures all see the same calibrated output.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from training.spec import LIPS_GROUPS, LIPS_NEUTRAL

UP, LO = LIPS_GROUPS["innerUpperMid"], LIPS_GROUPS["innerLowerMid"]
#: lips-v1 point index -> weight (+ upper lip, - lower lip); unlisted points (corners, chin) do not move.
POINT_WEIGHTS = {2: 0.5, 3: 1.0, 4: 1.0, 5: 1.0, 6: 0.5, 14: 1.0, 15: 1.0, 16: 1.0,
                 8: -0.5, 9: -1.0, 10: -1.0, 11: -1.0, 12: -0.5, 18: -1.0, 19: -1.0, 20: -1.0}
#: quantiles of the predicted opening where the map has its knots (denser at the closed end).
QUANTILES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0)
MIN_SLOPE = 0.02  # strictly increasing, so extrema stay extrema


def fit_aperture_map(predicted: np.ndarray, teacher: np.ndarray, blend: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Knots (x, y) in metres of the monotone map: y = teacher quantiles at the predicted opening's quantiles,
    blended with the identity (`blend` 0 = identity, 1 = full quantile match), every segment's slope at least
    MIN_SLOPE. Below the first knot the map keeps the first segment's slope (never below 0: lips meet, never
    cross); above the last, slope 1."""
    q = np.array(QUANTILES)
    x = np.quantile(np.asarray(predicted, np.float64), q)
    y = (1.0 - blend) * x + blend * np.quantile(np.asarray(teacher, np.float64), q)
    keep = np.concatenate([[True], np.diff(x) > 1e-6])  # ties in x make no segment
    x, y = x[keep], y[keep]
    for k in range(1, len(x)):
        y[k] = max(y[k], y[k - 1] + MIN_SLOPE * (x[k] - x[k - 1]))
    return x, y


def apply_aperture_map_np(x: np.ndarray, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f(a) for openings `a` (metres), the same piecewise-linear map as ApertureCalibration."""
    slopes = np.diff(y) / np.diff(x)
    out = y[0] + slopes[0] * (a - x[0])
    for k in range(1, len(slopes)):
        out = out + (slopes[k] - slopes[k - 1]) * np.maximum(a - x[k], 0.0)
    return np.maximum(out + (1.0 - slopes[-1]) * np.maximum(a - x[-1], 0.0), 0.0)


class ApertureCalibration(nn.Module):
    """lips-v1 displacements (B, T, 63) -> calibrated displacements. Only ONNX ops on the WebGPU-safe list
    (Relu, Mul, Add, Sub, Sqrt, ReduceSum, Div, Slice...)."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        super().__init__()
        slopes = np.diff(y) / np.diff(x)
        # f(a) = y0 + s0 (a - x0) + sum_k (s_k - s_{k-1}) relu(a - x_k) + (1 - s_last) relu(a - x_last)
        kinks = np.concatenate([x[1:-1], x[-1:]])
        steps = np.concatenate([np.diff(slopes), [1.0 - slopes[-1]]])
        self.register_buffer("x0", torch.tensor(float(x[0])))
        self.register_buffer("y0", torch.tensor(float(y[0])))
        self.register_buffer("s0", torch.tensor(float(slopes[0])))
        self.register_buffer("kinks", torch.tensor(kinks, dtype=torch.float32))
        self.register_buffer("steps", torch.tensor(steps, dtype=torch.float32))
        w = np.zeros(21, np.float32)
        for i, v in POINT_WEIGHTS.items():
            w[i] = v
        self.register_buffer("weights", torch.from_numpy(w)[:, None])  # (21, 1)
        self.register_buffer("neutral_gap", torch.tensor((LIPS_NEUTRAL[UP] - LIPS_NEUTRAL[LO]).astype(np.float32)))
        self.knots = (np.asarray(x, np.float64), np.asarray(y, np.float64))

    def opening_map(self, a: torch.Tensor) -> torch.Tensor:
        f = self.y0 + self.s0 * (a - self.x0)
        return torch.relu(f + (torch.relu(a[..., None] - self.kinks) * self.steps).sum(-1))  # lips meet, never cross

    def forward(self, disp: torch.Tensor) -> torch.Tensor:
        p = disp.reshape(disp.shape[0], disp.shape[1], 21, 3)
        gap = self.neutral_gap + p[:, :, UP] - p[:, :, LO]  # (B, T, 3): upper minus lower inner-lip middle
        a = torch.sqrt((gap * gap).sum(-1, keepdim=True) + 1e-12)  # (B, T, 1)
        half = 0.5 * (self.opening_map(a) - a) / a  # (B, T, 1): per unit of gap
        move = (half * gap)[:, :, None, :] * self.weights  # (B, T, 21, 3)
        return (p + move).reshape(disp.shape)

    @staticmethod
    def load(path: Path | str) -> ApertureCalibration | None:
        """The calibration calibrate_generator.py wrote to `path` (calibration.json), or None for blend 0."""
        knots = json.loads(Path(path).read_text()).get("knots_m")
        return ApertureCalibration(np.array(knots[0]), np.array(knots[1])) if knots else None

    def knots_json(self) -> list[list[float]]:
        """The knots (x, y) in metres, as `load` reads them back."""
        return [[float(v) for v in k] for k in self.knots]

    def manifest(self) -> dict:
        x, y = self.knots
        return {"openingKnotsMm": [round(v * 1e3, 4) for v in x], "targetMm": [round(v * 1e3, 4) for v in y],
                "pointWeights": {str(k): v for k, v in POINT_WEIGHTS.items()},
                "$comment": "baked into generator.onnx (training/models/calibration.py): monotone map of the inner-lip "
                "opening fitted on the validation split; the upper and lower lips move half the difference each"}


class Calibrated(nn.Module):
    """An offline generator followed by the calibration (for evaluation)."""

    def __init__(self, g: nn.Module, cal: ApertureCalibration):
        super().__init__()
        self.g, self.cal = g, cal

    def forward(self, mel):
        return self.cal(self.g(mel))
