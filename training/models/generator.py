"""Streaming lip generator: causal dilated TCN on log-mel (100 Hz) -> lips-v1 displacements (50 fps).

Contract (src/models/modelManifest.ts, streamingGenerator.ts): input `mel` [1, T, 80] raw log-mel
(features-v1; the global mean/std normalisation is baked in), output `lips` [1, ceil(T/2), 63] metres.
Output j is aligned to mel frame 2j and depends only on mel frames [2j + L - context, 2j + L]:
 - stem: Conv(k=3, stride=2, pad 2) minus its last output -> 50 Hz step j sees mel frames 2j-2..2j;
 - residual blocks: causal dilated convs (k=3) at 50 Hz, written as a symmetric-padded Conv whose last
   2d outputs are sliced off (static Slice: no Pad/ConstantOfShape in the graph);
 - look-ahead: output j reads the causal state at step j + L/2: the 1x1 head conv is padded by L/2 on
   both sides and its first L (= 2 x L/2) outputs are sliced off; the last L/2 outputs are bias only
   and the runtime ignores them (their look-ahead lies beyond the input);
 - head output scaled to metres.
Only Conv/Slice/Add/Mul/Erf(GELU)/Transpose ops, which onnxruntime-web's wasm and WebGPU EPs both run.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

MELS = 80
OUT = 63
OUT_SCALE = 0.005  # metres per unit of network output (lips move a few mm)


class CausalBlock(nn.Module):
    def __init__(self, ch: int, dilation: int, kernel: int = 3):
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.conv = nn.Conv1d(ch, ch, kernel, dilation=dilation, padding=self.pad)
        self.mix = nn.Conv1d(ch, ch, 1)
        nn.init.normal_(self.mix.weight, std=0.02 / ch**0.5)
        nn.init.zeros_(self.mix.bias)

    def forward(self, x):
        y = F.gelu(self.conv(x)[:, :, : -self.pad])
        return x + self.mix(y)


class LipGenerator(nn.Module):
    def __init__(self, channels: int = 128, dilations=(1, 2, 4, 8, 1, 2, 4, 8), kernel: int = 3, lookahead: int = 0):
        super().__init__()
        if lookahead % 2:
            raise ValueError(f"lookahead must be an even number of mel frames, got {lookahead}")
        self.lookahead = lookahead
        self.config = dict(channels=channels, dilations=list(dilations), kernel=kernel, lookahead=lookahead)
        self.register_buffer("mel_mean", torch.zeros(MELS))
        self.register_buffer("mel_inv_std", torch.ones(MELS))
        self.stem = nn.Conv1d(MELS, channels, 3, stride=2, padding=2)
        self.blocks = nn.ModuleList([CausalBlock(channels, d, kernel) for d in dilations])
        self.head = nn.Conv1d(channels, OUT, 1, padding=lookahead // 2)
        nn.init.zeros_(self.head.bias)
        # receptive field in 50 Hz steps, then in mel frames left of frame 2j (stem adds 1)
        self.steps_rf = sum((kernel - 1) * d for d in dilations)

    @property
    def context_frames(self) -> int:
        """Mel frames left of 2j an output needs (stem: 2, blocks: 2 per 50 Hz step), minus the look-ahead."""
        return max(0, 2 + 2 * self.steps_rf - self.lookahead)

    def set_normalisation(self, mean, std):
        self.mel_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.mel_inv_std.copy_(1.0 / torch.as_tensor(std, dtype=torch.float32))

    def features(self, mel):
        """mel (B, T, 80) -> causal 50 Hz state (B, C, ceil(T/2)), before the look-ahead shift."""
        x = ((mel - self.mel_mean) * self.mel_inv_std).transpose(1, 2)
        h = F.gelu(self.stem(x)[:, :, :-1])
        for b in self.blocks:
            h = b(h)
        return h

    def forward(self, mel):
        y = self.head(self.features(mel))
        if self.lookahead:
            y = y[:, :, self.lookahead :]
        y = y * OUT_SCALE
        return y.transpose(1, 2)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
