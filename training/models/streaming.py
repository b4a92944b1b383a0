"""Stateful (incremental) form of LipGenerator for export: the same weights, run chunk by chunk.

The fixed-window graph recomputes ~60 steps of receptive field for every 20 ms of audio; this form
carries each convolution's left context as explicit state tensors instead, so a run costs only the new
steps (bench/results). Contract (src/models/statefulGenerator.ts):
  inputs  `mel` [1, 2n, 80] raw log-mel (n >= 1 new 50 Hz steps), `state_stem` [1, 80, 2] (the last two
          normalised mel frames), `state_<i>` [1, C, 2 d_i] (block i's last 2 d_i inputs); zeros start a
          stream, exactly like the zero padding of the offline graph.
  outputs `lips` [1, n, 63] metres for steps t .. t+n-1, which are lips-v1 frames t - L/2 (the look-ahead:
          frame j is final once step j + L/2 has run), and `next_state_*` to feed back.
Only Conv/Slice/Concat/Add/Mul/Erf/Transpose ops (wasm and WebGPU both run them).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from training.models.generator import MELS, OUT_SCALE, LipGenerator


class StatefulLipGenerator(nn.Module):
    def __init__(self, g: LipGenerator, post: nn.Module | None = None):
        """`post` maps the lips frames (1, n, 63) -> (1, n, 63) frame by frame (the aperture calibration)."""
        super().__init__()
        self.g = g
        self.post = post
        self.state_names = ["state_stem"] + [f"state_{i}" for i in range(len(g.blocks))]

    @property
    def output_lag(self) -> int:
        """Steps between the newest step a run computes and the lips frame it finalises."""
        return self.g.lookahead // 2

    def state_shapes(self) -> list[list[int]]:
        ch = self.g.config["channels"]
        return [[1, MELS, 2]] + [[1, ch, b.pad] for b in self.g.blocks]

    def zero_state(self) -> list[torch.Tensor]:
        return [torch.zeros(s) for s in self.state_shapes()]

    def forward(self, mel, state_stem, *block_states):
        g = self.g
        x = ((mel - g.mel_mean) * g.mel_inv_std).transpose(1, 2)
        buf = torch.cat([state_stem, x], dim=2)
        new_states = [buf[:, :, -2:]]
        h = F.gelu(F.conv1d(buf, g.stem.weight, g.stem.bias, stride=2))
        for b, s in zip(g.blocks, block_states):
            buf = torch.cat([s, h], dim=2)
            new_states.append(buf[:, :, -b.pad :])
            y = F.gelu(F.conv1d(buf, b.conv.weight, b.conv.bias, dilation=b.conv.dilation[0]))
            h = h + b.mix(y)
        lips = (F.conv1d(h, g.head.weight, g.head.bias) * OUT_SCALE).transpose(1, 2)
        if self.post is not None:
            lips = self.post(lips)
        return (lips, *new_states)
