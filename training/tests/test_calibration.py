"""Aperture calibration (training/models/calibration.py): a strictly increasing opening map, applied to the lips
so the inner-lip opening becomes f(opening), baked into the exported streaming graph."""
from __future__ import annotations

import io

import numpy as np
import onnx
import pytest
import torch

from training.export_onnx import ALLOWED_OPS, export_generator
from training.models.calibration import (
    MIN_SLOPE,
    ApertureCalibration,
    Calibrated,
    apply_aperture_map_np,
    fit_aperture_map,
)
from training.models.generator import LipGenerator
from training.models.metrics import aperture
from training.models.streaming import StatefulLipGenerator

rng = np.random.default_rng(0)
# A model that shrinks towards the mean: predicted openings squeezed into the teacher's middle.
TEACHER = np.concatenate([np.full(3000, 0.0003), rng.gamma(3.0, 0.0025, 7000)])
PREDICTED = 0.004 + 0.6 * (TEACHER - 0.004) + rng.normal(0, 0.0005, TEACHER.size)


def test_fit_is_strictly_increasing_and_moves_openings_towards_the_teacher():
    x, y = fit_aperture_map(PREDICTED, TEACHER)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) >= MIN_SLOPE * np.diff(x) - 1e-15)
    f = apply_aperture_map_np(x, y, PREDICTED)
    # quantile matching: the calibrated openings have the teacher's spread (the model's was 0.6x)
    assert np.std(f) == pytest.approx(np.std(TEACHER), rel=0.05)
    assert np.median(f[TEACHER < 0.001]) < 0.5 * np.median(PREDICTED[TEACHER < 0.001])
    assert np.all(f >= 0)


def test_blend_zero_is_the_identity():
    x, y = fit_aperture_map(PREDICTED, TEACHER, blend=0.0)
    a = np.linspace(0, 0.02, 101)
    assert np.allclose(apply_aperture_map_np(x, y, a), a, atol=1e-12)


def test_the_module_sets_the_opening_to_the_map_and_leaves_corners_and_chin():
    x, y = fit_aperture_map(PREDICTED, TEACHER)
    cal = ApertureCalibration(x, y)
    disp = torch.from_numpy(rng.normal(0, 0.002, (2, 40, 63)).astype(np.float32))
    with torch.no_grad():
        out = cal(disp).numpy()
    a_in = aperture(disp.numpy().reshape(-1, 63))
    a_out = aperture(out.reshape(-1, 63))
    assert np.abs(a_out - apply_aperture_map_np(x, y, a_in)).max() < 2e-7  # float32 graph
    p_in, p_out = disp.numpy().reshape(-1, 21, 3), out.reshape(-1, 21, 3)
    for fixed in (0, 1, 7, 13, 17):  # chin and the four corners
        assert np.array_equal(p_in[:, fixed], p_out[:, fixed])
    # upper and lower lips move by the same amount, in opposite directions
    assert np.allclose(p_out[:, 15] - p_in[:, 15], -(p_out[:, 19] - p_in[:, 19]), atol=1e-9)


def test_the_calibrated_streaming_graph_equals_the_calibrated_offline_one_and_exports_safe_ops():
    torch.manual_seed(0)
    g = LipGenerator(lookahead=4).eval()
    with torch.no_grad():
        for b in g.blocks:
            torch.nn.init.normal_(b.mix.weight, std=0.5 / b.mix.weight.shape[1] ** 0.5)
    cal = ApertureCalibration(*fit_aperture_map(PREDICTED, TEACHER))
    sg = StatefulLipGenerator(g, cal).eval()
    x = torch.randn(1, 120, 80) * 3 - 6
    with torch.no_grad():
        offline = Calibrated(g, cal)(x)[0]
        state, outs, t = sg.zero_state(), [], 0
        for n in (1, 7, 12, 40):
            r = sg(x[:, 2 * t : 2 * (t + n)], *state)
            outs.append(r[0][0])
            state, t = list(r[1:]), t + n
    streamed = torch.cat(outs)[sg.output_lag :]
    assert torch.allclose(streamed, offline[: streamed.shape[0]], atol=1e-6)
    model = onnx.load(io.BytesIO(export_generator(sg)))
    assert {n.op_type for n in model.graph.node} <= ALLOWED_OPS
