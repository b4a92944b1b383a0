"""Speech-mesh representation (paper §1, scaled down for the browser): two small conv encoders whose
mean-pooled, L2-normalised embeddings live in one space, trained with symmetric InfoNCE (tau = 0.07).

- SpeechEncoder: log-mel window [B, 20, 80] (200 ms; global normalisation baked in) -> [B, D].
- MeshEncoder: lips-v1 DISPLACEMENT window [B, 10, 63] (10 frames at 50 fps = 200 ms, metres) -> [B, D].
Window k pairs mel frames [2k, 2k + 20) with lips frames [k, k + 10) (same 200 ms of time).
Non-causal inside the window (zero 'same' padding); ONNX ops: Conv, Gelu, Add, Mul, ReduceMean,
ReduceSum, Sqrt, Div, Transpose, MatMul.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from training.models.generator import MELS, OUT

TAU = 0.07
SPEECH_WINDOW = 20
MESH_WINDOW = 10
MESH_SCALE = 0.005  # metres -> network units


class _Res(nn.Module):
    def __init__(self, ch: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(ch, ch, 3, padding=dilation, dilation=dilation)
        self.mix = nn.Conv1d(ch, ch, 1)

    def forward(self, x):
        return x + self.mix(F.gelu(self.conv(x)))


def _l2(y):
    return y / torch.sqrt((y * y).sum(dim=-1, keepdim=True) + 1e-12)


class _ConvEncoder(nn.Module):
    def __init__(self, in_ch: int, width: int, dim: int, dilations=(1, 2, 4)):
        super().__init__()
        self.inp = nn.Conv1d(in_ch, width, 3, padding=1)
        self.blocks = nn.ModuleList([_Res(width, d) for d in dilations])
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, dim)

    def frames(self, x):
        """x (B, C_in, W) normalised -> per-frame features (B, W, width)."""
        h = F.gelu(self.inp(x))
        for b in self.blocks:
            h = b(h)
        return self.norm(h.transpose(1, 2))

    def pooled(self, x):
        return _l2(self.proj(self.frames(x).mean(dim=1)))


class SpeechEncoder(_ConvEncoder):
    def __init__(self, width: int = 96, dim: int = 64, phones: int = 40):
        super().__init__(MELS, width, dim)
        self.register_buffer("mel_mean", torch.zeros(MELS))
        self.register_buffer("mel_inv_std", torch.ones(MELS))
        self.phone_head = nn.Linear(width, phones)  # stage-1 supervision only; not exported

    def set_normalisation(self, mean, std):
        self.mel_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.mel_inv_std.copy_(1.0 / torch.as_tensor(std, dtype=torch.float32))

    def _norm(self, mel):
        return ((mel - self.mel_mean) * self.mel_inv_std).transpose(1, 2)

    def phone_logits(self, mel):
        return self.phone_head(self.frames(self._norm(mel)))

    def forward(self, mel):
        return self.pooled(self._norm(mel))


class MeshEncoder(_ConvEncoder):
    def __init__(self, width: int = 96, dim: int = 64):
        super().__init__(OUT, width, dim)

    def forward(self, lips):
        return self.pooled((lips * (1.0 / MESH_SCALE)).transpose(1, 2))


def info_nce(a, b, tau: float = TAU):
    """Symmetric InfoNCE (CLIP style, fixed temperature) over matched rows of unit vectors a, b."""
    logits = a @ b.t() / tau
    target = torch.arange(a.shape[0], device=a.device)
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


def speech_windows(mel, n: int | None = None):
    """mel (T, 80) -> stride-1 (50 fps) windows (N, 20, 80); window k = mel frames [2k, 2k+20)."""
    t = mel.shape[0]
    count = (t - SPEECH_WINDOW) // 2 + 1
    if n is not None:
        count = min(count, n)
    idx = 2 * torch.arange(count)[:, None] + torch.arange(SPEECH_WINDOW)[None, :]
    return mel[idx]


def mesh_windows(lips, n: int | None = None):
    """lips (U, 63) -> stride-1 windows (N, 10, 63); window k = lips frames [k, k+10)."""
    count = lips.shape[0] - MESH_WINDOW + 1
    if n is not None:
        count = min(count, n)
    idx = torch.arange(count)[:, None] + torch.arange(MESH_WINDOW)[None, :]
    return lips[idx]
