"""Pieces shared by the NAC and Perceiver IO twins: parameter store, LayerNorm, GELU/GEGLU, linear
layers in our [in, out] weight layout, the image tokenizers (patch, ConvNeXt; NHWC inputs as ours)."""
import math

import torch
import torch.nn.functional as F


class Params:
    """Our named parameters as torch leaf tensors (names and layouts exactly as in weights.safetensors)."""

    def __init__(self, arrays, trainable, device):
        self.t = {}
        for name, a in arrays.items():
            self.t[name] = torch.tensor(a, device=device, requires_grad=name in trainable)

    def __call__(self, name):
        if name not in self.t:
            raise KeyError(f"parameter {name} missing from the exported weights")
        return self.t[name]

    def get(self, name):
        return self.t.get(name)

    def has(self, name):
        return name in self.t


def layer_norm(x, P=None, prefix=None, eps=1e-5):
    """LayerNorm over the last axis (affine when prefix is given: prefix.weight / prefix.bias)."""
    if prefix is None:
        return F.layer_norm(x, x.shape[-1:], None, None, eps)
    return F.layer_norm(x, x.shape[-1:], P(prefix + ".weight"), P(prefix + ".bias"), eps)


def linear(x, P, prefix):
    """x·W (+ b), W stored [in, out] as ours."""
    y = torch.matmul(x, P(prefix + ".weight"))
    b = P.get(prefix + ".bias")
    return y if b is None else y + b


def gelu(x):
    return F.gelu(x)  # exact (erf) GELU, as ours


def geglu(z):
    a, g = z.chunk(2, dim=-1)
    return a * gelu(g)


def patch_tokens(x, P, tok):
    """Images [B, H, W, C] → patches [B, V, p·p·C] (as src/tokenizers/patch.ts) → Linear + positions."""
    p = tok["patchSize"]
    H, W = tok["imageSize"]
    C = tok["inChannels"]
    gh, gw = H // p, W // p
    b = x.shape[0]
    y = x.reshape(b * gh, p, gw, p * C).permute(0, 2, 1, 3).reshape(b, gh * gw, p * p * C)
    return linear(y, P, "tokenizer.projection") + P("tokenizer.positionalEmbedding")


CONVNEXT_DEPTHS = {
    "tiny": [3, 3, 9], "mini": [3, 3, 6], "micro": [3, 3, 3], "nano": [1, 1, 1],
    "pico": [1, 1, 0], "femto": [1, 0, 0], "atto": [0, 0, 0],
}


def _conv(x, P, prefix, stride):
    """NHWC conv with our filter [k, k, in, out], 'valid' padding."""
    w = P(prefix + ".filter").permute(3, 2, 0, 1)
    y = F.conv2d(x.permute(0, 3, 1, 2), w, P(prefix + ".bias"), stride=stride)
    return y.permute(0, 2, 3, 1)


def _dwconv(x, P, prefix):
    """NHWC depthwise 7×7 'same' conv with our filter [k, k, c, 1]."""
    f = P(prefix + ".filter")
    k, c = f.shape[0], f.shape[2]
    w = f.permute(2, 3, 0, 1)
    y = F.conv2d(x.permute(0, 3, 1, 2), w, P(prefix + ".bias"), padding=k // 2, groups=c)
    return y.permute(0, 2, 3, 1)


def convnext_tokens(x, P, tok):
    """ConvNeXt tokenizer (src/tokenizers/convnext.ts): stem/downsamples, blocks, positional grid."""
    depths = CONVNEXT_DEPTHS[tok["preset"]]
    y = x
    for i in range(tok["numStages"]):
        pre = f"tokenizer.downsamples.{i}"
        if i == 0:
            y = layer_norm(_conv(y, P, pre + ".conv", 4), P, pre + ".norm", eps=1e-6)
        else:
            y = _conv(layer_norm(y, P, pre + ".norm", eps=1e-6), P, pre + ".conv", 2)
        for j in range(depths[i]):
            s = f"tokenizer.stages.{i}.{j}"
            h = layer_norm(_dwconv(y, P, s + ".dwconv"), P, s + ".norm", eps=1e-6)
            h = linear(gelu(linear(h, P, s + ".pwconv1")), P, s + ".pwconv2")
            y = y + h * P(s + ".gamma")
    b, h, w, c = y.shape
    grid = P.get("tokenizer.positionalGrid")
    if grid is not None:
        y = torch.cat([y, grid.unsqueeze(0).expand(b, -1, -1, -1)], dim=-1)
    return y.reshape(b, h * w, y.shape[-1])


def tokenize(x, P, tok):
    if tok["type"] == "patch":
        return patch_tokens(x, P, tok)
    if tok["type"] == "convnext":
        return convnext_tokens(x, P, tok)
    raise ValueError(f"the PyTorch twin mirrors the patch and convnext tokenizers only, not '{tok['type']}'")


def split_heads(x, heads):
    B, U, D = x.shape
    return x.reshape(B, U, heads, D // heads).permute(0, 2, 1, 3)


def merge_heads(x):
    B, H, U, dh = x.shape
    return x.permute(0, 2, 1, 3).reshape(B, U, H * dh)


def soft_cross_entropy(logits, targets):
    """−(1/B) Σ t·log softmax(z), as src/train/loss.ts."""
    return -(targets * torch.log_softmax(logits, dim=-1)).sum(dim=1).mean()


INV_SQRT = lambda d: 1.0 / math.sqrt(d)  # noqa: E731
