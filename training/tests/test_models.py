"""Fast checks of the lip-sync models (issue #5): causality, streaming == offline, budgets, ONNX export.

Runs on randomly initialised models (< 60 s on 2 CPU cores); trained weights are checked in the browser
parity test (test/browser/models/parity.test.ts).
"""
from __future__ import annotations

import io
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: spin-waiting costs ~20x CPU on a shared machine

import numpy as np
import onnx
import pytest
import torch

from training.export_onnx import ALLOWED_OPS, export_generator, export_mesh, export_speech
from training.models.encoders import MESH_WINDOW, SPEECH_WINDOW, MeshEncoder, SpeechEncoder, info_nce
from training.models.generator import LipGenerator, count_params
from training.models.streaming import StatefulLipGenerator

torch.set_num_threads(2)


def _random_generator(L: int, seed: int = 0) -> LipGenerator:
    torch.manual_seed(seed)
    g = LipGenerator(lookahead=L)
    with torch.no_grad():  # the default init makes residual branches ~0: use O(1) weights so every path matters
        for b in g.blocks:
            torch.nn.init.normal_(b.mix.weight, std=0.5 / b.mix.weight.shape[1] ** 0.5)
    g.eval()
    return g


@pytest.mark.parametrize("L", [0, 4, 8, 12])
def test_generator_shape_and_causality(L):
    g = _random_generator(L)
    x = torch.randn(1, 333, 80) * 3 - 6
    with torch.no_grad():
        y = g(x)[0]
        assert tuple(y.shape) == (167, 63)  # ceil(T/2)
        j, C = 80, g.context_frames
        future = x.clone()
        future[:, 2 * j + L + 1 :] += 4.0
        assert torch.allclose(g(future)[0, : j + 1], y[: j + 1], atol=1e-7), "output j saw a frame after 2j+L"
        past = x.clone()
        past[:, : 2 * j - C] += 4.0
        assert torch.allclose(g(past)[0, j], y[j], atol=1e-7), "output j saw a frame before 2j-contextFrames"
        edge = x.clone()
        edge[:, 2 * j + L] += 4.0
        assert (g(edge)[0, j] - y[j]).abs().max() > 1e-6, "look-ahead frame 2j+L should matter"


@pytest.mark.parametrize("L", [0, 8])
def test_streaming_chunks_equal_offline(L):
    """Replays StreamingGenerator.pumpAsync's windowing: [start, received) with start = even, >= C before."""
    g = _random_generator(L, seed=1)
    T, k, C = 700, 2, g.context_frames
    x = torch.randn(1, T, 80) * 3 - 6
    with torch.no_grad():
        offline = g(x)[0]
        rng = np.random.default_rng(0)
        received, nxt, got = 0, 0, {}
        while received < T:
            received = min(T, received + int(rng.integers(1, 37)))
            last = (received - 1 - L) // k
            if last < nxt:
                continue
            start = (max(0, nxt * k - C) // k) * k
            out = g(x[:, start:received])[0]
            first = (nxt * k - start) // k
            for j in range(nxt, last + 1):
                got[j] = out[first + j - nxt]
            nxt = last + 1
    assert len(got) == (T - 1 - L) // k + 1
    err = max(float((got[j] - offline[j]).abs().max()) for j in got)
    assert err < 1e-5, err


def test_parameter_budgets():
    assert count_params(LipGenerator()) <= 3_000_000
    s = SpeechEncoder()
    assert count_params(s) - count_params(s.phone_head) <= 2_000_000
    assert count_params(MeshEncoder()) <= 2_000_000


def test_encoders_unit_norm_and_infonce():
    torch.manual_seed(0)
    s, m = SpeechEncoder().eval(), MeshEncoder().eval()
    a = s(torch.randn(5, SPEECH_WINDOW, 80))
    b = m(torch.randn(5, MESH_WINDOW, 63) * 0.003)
    assert a.shape == b.shape == (5, s.proj.out_features)
    assert torch.allclose(a.norm(dim=-1), torch.ones(5), atol=1e-5)
    assert torch.allclose(b.norm(dim=-1), torch.ones(5), atol=1e-5)
    # perfectly matched pairs score well below chance (ln 5)
    assert info_nce(a, a).item() < np.log(5)


def test_export_and_onnx_checker():
    torch.manual_seed(0)
    for blob in (export_generator(StatefulLipGenerator(_random_generator(8))), export_speech(SpeechEncoder()), export_mesh(MeshEncoder())):
        model = onnx.load_from_string(blob)
        onnx.checker.check_model(model)
        assert model.opset_import[0].version == 17
        assert {n.op_type for n in model.graph.node} <= ALLOWED_OPS
    g = onnx.load(io.BytesIO(export_generator(StatefulLipGenerator(_random_generator(0)))))
    dims = g.graph.input[0].type.tensor_type.shape.dim
    assert dims[1].dim_param == "T" and dims[2].dim_value == 80
    assert [i.name for i in g.graph.input] == ["mel", "state_stem", *[f"state_{i}" for i in range(8)]]


@pytest.mark.parametrize("L", [0, 4, 12])
def test_stateful_generator_streams_to_the_offline_output(L):
    """Chunks of any size with carried state give the offline graph's frames, `output_lag` steps late."""
    g = _random_generator(L)
    sg = StatefulLipGenerator(g)
    x = torch.randn(1, 160, 80) * 3 - 6
    with torch.no_grad():
        offline = g(x)[0]
        state, outs, t = sg.zero_state(), [], 0
        for n in (1, 3, 1, 8, 2, 25, 40):
            r = sg(x[:, 2 * t : 2 * (t + n)], *state)
            outs.append(r[0][0])
            state, t = list(r[1:]), t + n
        streamed = torch.cat(outs)
    lag = sg.output_lag
    assert lag == L // 2
    assert torch.allclose(streamed[lag:], offline[: 80 - lag], atol=1e-5)
    # a wrong state (zeros mid-stream) must change the output: the state really carries context
    with torch.no_grad():
        cold = sg(x[:, 100:120], *sg.zero_state())[0][0]
    assert (cold - streamed[50:60]).abs().max() > 1e-3


def test_lookahead_choice_is_the_best_mtm_within_the_latency_budget():
    from training.train_generator import choose_lookahead

    res = {0: {"mtm_ms": 25.6}, 4: {"mtm_ms": 21.9}, 8: {"mtm_ms": 17.4}, 12: {"mtm_ms": 16.5}}
    assert choose_lookahead(res, 40) == 4
    assert choose_lookahead(res, 120) == 12
    assert choose_lookahead({0: {"mtm_ms": 20.0}, 4: {"mtm_ms": 22.0}}, 40) == 0
    with pytest.raises(SystemExit):
        choose_lookahead({8: {"mtm_ms": 1.0}}, 40)


def test_winner_rule_prefers_closure_only_when_it_closes_bilabials_at_little_cost():
    from training.train_pipeline import choose_winner

    row = lambda mtm, r, bil, plrs=0.6: {"test": {"mtm_ms": mtm, "aperture_r": r, "bilabial_mm": bil, "plrs": plrs}}
    geo, perc = row(22.0, 0.88, 2.9), row(23.0, 0.88, 2.9)
    assert choose_winner({"geometric": geo, "perceptual": perc}) == "geometric"
    assert choose_winner({"geometric": geo, "perceptual": perc, "closure": row(23.5, 0.875, 1.2)}) == "closure"
    assert choose_winner({"geometric": geo, "perceptual": perc, "closure": row(25.0, 0.88, 1.2)}) == "geometric"  # MTM cost
    assert choose_winner({"geometric": geo, "perceptual": perc, "closure": row(22.0, 0.88, 2.6)}) == "geometric"  # < 0.5 mm
    assert choose_winner({"geometric": geo, "perceptual": row(21.0, 0.88, 2.9, 0.7)}) == "perceptual"


def test_latency_mode_rules_trade_precision_not_expressiveness_and_follow_real_voices():
    from training.train_pipeline import choose_latency_modes

    def row(r, mtm, dslcc=0.02, dev=None):
        return {"val": {"aperture_r": r, "mtm_ms": mtm, "dslcc": dslcc}, "dev": None if dev is None else {"r": dev}}

    rows = {0: row(0.82, 30.0), 4: row(0.85, 25.0), 8: row(0.86, 23.0), 12: row(0.87, 22.0)}
    assert choose_latency_modes(rows, 4) == {"live": 0, "balanced": 4, "playback": 12}
    assert choose_latency_modes({**rows, 0: row(0.79, 30.0)}, 4)["live"] == 4  # r lost > 0.05
    assert choose_latency_modes({**rows, 0: row(0.84, 36.0)}, 4)["live"] == 4  # MTM > +10 ms
    assert choose_latency_modes({**rows, 0: row(0.84, 26.0, dslcc=0.05)}, 4)["live"] == 4  # flatter lips
    assert choose_latency_modes({**rows, 12: row(0.87, 26.0)}, 4)["playback"] == 8  # 120 ms worse MTM: next longest
    with_dev = {0: row(0.82, 30.0, dev=0.76), 4: row(0.85, 25.0, dev=0.80), 8: row(0.86, 23.0, dev=0.79), 12: row(0.87, 22.0, dev=0.785)}
    assert choose_latency_modes(with_dev, 4) == {"live": 4, "balanced": 4, "playback": 8}  # real voices decide
    assert choose_latency_modes({4: row(0.85, 25.0)}, 4) == {"live": 4, "balanced": 4, "playback": 4}


def test_closure_weight_applies_to_the_given_frames_or_to_closed_teacher_lips():
    from training.train_generator import geometric_loss

    torch.manual_seed(0)
    target = torch.zeros(1, 20, 63)  # neutral: the teacher's lips closed on every frame
    pred = target + torch.randn(1, 20, 63) * 1e-3
    mask = torch.ones(1, 20)
    plain, _ = geometric_loss(pred, target, mask, 0, 0.0)
    none_marked, _ = geometric_loss(pred, target, mask, 0, 4.0, torch.zeros(1, 20))
    assert torch.isclose(none_marked, plain)
    some = torch.zeros(1, 20)
    some[0, 5:10] = 1
    part, parts_part = geometric_loss(pred, target, mask, 0, 4.0, some)
    closed, parts_closed = geometric_loss(pred, target, mask, 0, 4.0)
    assert plain < part < closed  # closed teacher lips everywhere: every frame weighted
    assert parts_part["pos"] == parts_closed["pos"]  # only the aperture term is weighted


def test_data_card_corpus_path_is_repo_relative(tmp_path):
    """The shipped manifest names the corpus by its place in the repo, not by the training machine's path."""
    from pathlib import Path

    from training.models.data import corpus_card

    root = Path(__file__).resolve().parents[2]
    assert corpus_card(root / "training" / "build" / "corpus")["corpus"] == "training/build/corpus"
    assert corpus_card(tmp_path)["corpus"] == str(tmp_path)  # outside the repo: as given
