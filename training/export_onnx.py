"""Exports the shipped models to ONNX (opset 17, fp32) + models/manifest.json + parity fixtures.

Writes <out>/generator.onnx, speech_encoder.onnx, mesh_encoder.onnx (the `metric` copy: PLRS and live
telemetry; the `loss` copy only trained the generator and is not shipped) and manifest.json in the shape
src/models/modelManifest.ts validates, plus documentary fields. With --fixtures, PyTorch outputs on
small inputs go to test/fixtures/models/*.json for the Chromium parity test.
"""
from __future__ import annotations

import os

# Under CPU oversubscription (shared 2-core machine) OpenMP's spin-waiting wastes ~20x CPU per step
# (measured: 1.31 vs 0.09 CPU-s per encoder step); must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import onnx
import torch

from training.models.calibration import ApertureCalibration, Calibrated
from training.models.common import load_ckpt
from training.models.encoders import MESH_WINDOW, SPEECH_WINDOW, TAU, MeshEncoder, SpeechEncoder
from training.models.generator import MELS, OUT, LipGenerator, count_params
from training.models.streaming import StatefulLipGenerator
from training.spec import FEATURES, spec_hash

OPSET = 17
ALLOWED_OPS = {"Conv", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Relu", "Gelu", "Tanh", "Sigmoid", "Erf",
               "Transpose", "Reshape", "Slice", "Concat", "Pad", "LayerNormalization", "ReduceMean",
               "ReduceSum", "Sqrt", "Constant", "Identity", "Unsqueeze", "Shape", "Gather", "Cast"}


def _export(model: torch.nn.Module, example, in_name, out_name, dyn: dict) -> bytes:
    model.eval()
    buf = io.BytesIO()
    ins = list(in_name) if isinstance(in_name, (list, tuple)) else [in_name]
    outs = list(out_name) if isinstance(out_name, (list, tuple)) else [out_name]
    with torch.no_grad():
        torch.onnx.export(model, tuple(example) if isinstance(example, (list, tuple)) else (example,), buf, input_names=ins,
                          output_names=outs, opset_version=OPSET, dynamic_axes=dyn, do_constant_folding=True)
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m)
    ops = {n.op_type for n in m.graph.node}
    bad = ops - ALLOWED_OPS
    if bad:
        raise RuntimeError(f"ONNX graph uses ops outside the WebGPU-safe list: {sorted(bad)}")
    return buf.getvalue()


def export_generator(g: StatefulLipGenerator) -> bytes:
    """The stateful graph: one file serves streaming (state carried) and offline (one run from zeros)."""
    ins, outs = ["mel", *g.state_names], ["lips", *[f"next_{n}" for n in g.state_names]]
    return _export(g, [torch.zeros(1, 64, MELS) - 5.0, *g.zero_state()], ins, outs, {"mel": {1: "T"}, "lips": {1: "U"}})


def export_speech(s: SpeechEncoder) -> bytes:
    return _export(s, torch.zeros(2, SPEECH_WINDOW, MELS) - 5.0, "mel", "embedding", {"mel": {0: "N"}, "embedding": {0: "N"}})


def export_mesh(m: MeshEncoder) -> bytes:
    return _export(m, torch.zeros(2, MESH_WINDOW, OUT), "lips", "embedding", {"lips": {0: "N"}, "embedding": {0: "N"}})


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _fixture(path: Path, name: str, inputs: dict[str, torch.Tensor], outputs: dict[str, torch.Tensor], tol: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = lambda d, r: {k: {"dims": list(v.shape), "data": [r(float(x)) for x in v.flatten()]} for k, v in d.items()}
    path.write_text(json.dumps({
        "model": name, "inputs": t(inputs, lambda x: round(x, 6)), "outputs": t(outputs, lambda x: x), "tolerance": tol,
        "$comment": "PyTorch reference written by training/export_onnx.py; ONNX (wasm/webgpu) must match within tolerance.",
    }))


def generator_entry(g: LipGenerator, sg: StatefulLipGenerator, cal: ApertureCalibration | None, file: str, data: bytes) -> dict:
    """One generator's manifest entry (the shape src/models/modelManifest.ts validates): `generator` and each
    `latencyModes` head."""
    return {
        "file": file, "sha256": _sha(data),
        "outputKind": "lips-v1-displacement", "inputName": "mel", "outputName": "lips",
        "featureSpec": FEATURES["version"], "melFramesPerOutputFrame": 2, "frameRateHz": 50,
        "contextFrames": g.context_frames, "lookaheadFrames": g.lookahead,
        "lookaheadMs": g.lookahead * 10, "inputShape": [1, "2n", MELS], "outputShape": [1, "n", OUT],
        "state": {
            "inputs": sg.state_names, "outputs": [f"next_{n}" for n in sg.state_names], "shapes": sg.state_shapes(),
            "outputLagFrames": sg.output_lag,
            "$comment": "stateful streaming: feed `next_*` back as `state_*` (zeros start a stream); a run on 2n mel "
            "frames returns n lips frames, the first being frame (steps run before) - outputLagFrames",
        },
        "parameters": count_params(g), "architecture": f"causal dilated TCN: stem Conv(k3,s2) + {len(g.blocks)} residual "
        f"blocks (k3, dilations {g.config['dilations']}, {g.config['channels']} ch, GELU) + look-ahead shift + 1x1 head; "
        "log-mel mean/std baked in" + ("; aperture calibration baked in" if cal else ""),
        **({"apertureCalibration": cal.manifest()} if cal else {}),
    }


def export_modes(specs: list[str], files: dict[str, bytes]) -> dict:
    """Each NAME=CKPT[,CALIBRATION] head as generator-NAME.onnx (into `files`); returns the latencyModes entries."""
    modes = {}
    for spec in specs:
        name, _, paths = spec.partition("=")
        ckpt, _, cal_path = paths.partition(",")
        g = load_generator(ckpt).eval()
        cal = ApertureCalibration.load(cal_path) if cal_path else None
        sg = StatefulLipGenerator(g, cal).eval()
        file = f"generator-{name}.onnx"
        files[file] = export_generator(sg)
        modes[name] = generator_entry(g, sg, cal, file, files[file])
    return modes


def add_modes(manifest_path: Path, specs: list[str], extra: str | None) -> None:
    """Adds latency-mode heads to shipped models without touching the generator and encoders already there."""
    manifest = json.loads(manifest_path.read_text())
    files: dict[str, bytes] = {}
    modes = export_modes(specs, files)
    for name, b in files.items():
        (manifest_path.parent / name).write_bytes(b)
        manifest["files"][name] = {"bytes": len(b), "sha256": _sha(b)}
    manifest["latencyModes"] = modes
    manifest["totalBytes"] = sum(f["bytes"] for f in manifest["files"].values())
    if extra:
        manifest["training"]["latencyModes"] = json.loads(Path(extra).read_text())["training"]["latencyModes"]
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"added {', '.join(files)} to {manifest_path} (total {manifest['totalBytes'] / 1e6:.2f} MB)")


def load_generator(path: str) -> LipGenerator:
    c = load_ckpt(Path(path))
    g = LipGenerator(lookahead=c["extra"]["lookaheads"][0], **c["extra"]["config"])
    g.load_state_dict(c["model"])
    return g


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--generator", required=True, help="generator checkpoint (finetune mode) or 'random'")
    ap.add_argument("--encoders", required=True, help="metric-copy encoders.pt or 'random'")
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", help="folder for parity fixtures (test/fixtures/models)")
    ap.add_argument("--fixture-mel", help="npy (T, 80) log-mel for the fixtures (else synthetic)")
    ap.add_argument("--extra", help="json of documentary fields to merge (data card, metrics, limits)")
    ap.add_argument("--calibration", help="calibration.json from calibrate_generator.py: bake the aperture map into the graph")
    ap.add_argument("--mode", action="append", default=[], metavar="NAME=CKPT[,CALIBRATION]",
                    help="a latency-mode head (live, playback) exported as generator-NAME.onnx under manifest latencyModes")
    ap.add_argument("--lookahead", type=int, default=8)
    ap.add_argument("--channels", type=int, default=96)
    ap.add_argument("--add-modes-to", metavar="MANIFEST", help="only export the --mode heads next to an existing "
                    "manifest.json and add them (latencyModes, files, totalBytes; --extra's training.latencyModes) to it")
    args = ap.parse_args()
    if args.add_modes_to:
        return add_modes(Path(args.add_modes_to), args.mode, args.extra)
    torch.manual_seed(0)
    g = LipGenerator(channels=args.channels, lookahead=args.lookahead) if args.generator == "random" else load_generator(args.generator)
    s, m = SpeechEncoder(), MeshEncoder()
    if args.encoders != "random":
        c = load_ckpt(Path(args.encoders))
        s.load_state_dict(c["model"]["speech"])
        m.load_state_dict(c["model"]["mesh"])
    for x in (g, s, m):
        x.eval()
    cal = ApertureCalibration.load(args.calibration) if args.calibration else None
    sg = StatefulLipGenerator(g, cal).eval()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"generator.onnx": export_generator(sg), "speech_encoder.onnx": export_speech(s), "mesh_encoder.onnx": export_mesh(m)}
    # Latency modes (issue #12): more heads of the same architecture, each its own stateful graph.
    modes = export_modes(args.mode, files)
    for name, b in files.items():
        (out / name).write_bytes(b)
    speech_params = count_params(s) - count_params(s.phone_head)
    manifest = {
        "layout": "lips-v1",
        "generator": generator_entry(g, sg, cal, "generator.onnx", files["generator.onnx"]),
        **({"latencyModes": modes} if modes else {}),
        "metricEncoders": {
            "speechFile": "speech_encoder.onnx", "meshFile": "mesh_encoder.onnx",
            "speechInputName": "mel", "meshInputName": "lips",
            "speechOutputName": "embedding", "meshOutputName": "embedding",
            "speechWindowFrames": SPEECH_WINDOW, "meshWindowFrames": MESH_WINDOW,
            "speechSha256": _sha(files["speech_encoder.onnx"]), "meshSha256": _sha(files["mesh_encoder.onnx"]),
            "meshInput": "lips-v1-displacement", "speechInput": "log-mel features-v1 (raw; normalisation baked in)",
            "speechInputShape": ["N", SPEECH_WINDOW, MELS], "meshInputShape": ["N", MESH_WINDOW, OUT],
            "embeddingDims": int(s.proj.out_features), "embedding": "mean-pooled, L2-normalised",
            "windowPairing": "speech window k = mel frames [2k, 2k+20) pairs with lips frames [k, k+10) (200 ms)",
            "temperature": TAU, "copy": "metric (PLRS + live telemetry); the generator was trained against the separate `loss` copy",
            "parameters": {"speech": speech_params, "mesh": count_params(m)},
        },
        "featureSpecHash": spec_hash("features-v1.json"), "lipsSpecHash": spec_hash("lips-v1.json"),
        "sampleRateHz": FEATURES["sampleRateHz"], "opset": OPSET, "precision": "fp32",
        "files": {k: {"bytes": len(v), "sha256": _sha(v)} for k, v in files.items()},
        "totalBytes": sum(len(v) for v in files.values()),
    }
    if args.extra:
        manifest.update(json.loads(Path(args.extra).read_text()))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"exported to {out}: " + ", ".join(f"{k} {len(v) / 1e6:.2f} MB" for k, v in files.items()))
    if args.fixtures:
        fx = Path(args.fixtures)
        if args.fixture_mel:
            mel = torch.from_numpy(np.load(args.fixture_mel)[:48].astype(np.float32))[None]
        else:
            mel = torch.from_numpy(np.random.default_rng(0).normal(-6, 3, (1, 48, MELS)).astype(np.float32))
        with torch.no_grad():
            # two runs: the fixture is the second, so non-zero carried state is checked too
            first = sg(mel[:, :24], *sg.zero_state())
            state = dict(zip(sg.state_names, first[1:]))
            second = sg(mel[:, 24:], *state.values())
            _fixture(fx / "generator.json", "generator", {"mel": mel[:, 24:], **state},
                     dict(zip(["lips", *[f"next_{n}" for n in sg.state_names]], second)), 1e-4)
            sw = torch.stack([mel[0, :SPEECH_WINDOW], mel[0, 10 : 10 + SPEECH_WINDOW]])
            _fixture(fx / "speech_encoder.json", "speech_encoder", {"mel": sw}, {"embedding": s(sw)}, 1e-4)
            lw = (Calibrated(g, cal) if cal else g)(mel)[0, :MESH_WINDOW][None].repeat(2, 1, 1)
            lw[1] = lw[1] * 1.5
            _fixture(fx / "mesh_encoder.json", "mesh_encoder", {"lips": lw}, {"embedding": m(lw)}, 1e-4)
        print(f"fixtures -> {fx}")


if __name__ == "__main__":
    main()
