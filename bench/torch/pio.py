"""Our Perceiver IO baseline (src/baselines/perceiver-io.ts, blocks.ts, attention.ts) in PyTorch, from our
named weights. It has no training noise, so train and eval modes compute the same function."""
import math

import torch

from common import geglu, layer_norm, linear, tokenize


class PIOTwin:
    def __init__(self, cfg, P, device):
        self.c = cfg["perceiver"]
        self.tok = cfg["tokenizer"]
        self.P = P
        self.training = False

    def attention(self, pre, x, ctx, heads, dim_head):
        P = self.P
        b, n, _ = x.shape
        m = ctx.shape[1]
        q = linear(x, P, pre + ".toQ").reshape(b, n, heads, dim_head).permute(0, 2, 1, 3)
        k, v = linear(ctx, P, pre + ".toKV").chunk(2, dim=-1)
        k = k.reshape(b, m, heads, dim_head).permute(0, 2, 1, 3)
        v = v.reshape(b, m, heads, dim_head).permute(0, 2, 1, 3)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1 / math.sqrt(dim_head))
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        return linear(out.permute(0, 2, 1, 3).reshape(b, n, heads * dim_head), P, pre + ".toOut")

    def cross(self, pre, x, ctx):
        P, c = self.P, self.c
        return self.attention(pre + ".attention", layer_norm(x, P, pre + ".norm"), layer_norm(ctx, P, pre + ".contextNorm"),
                              c["crossHeads"], c["crossDimHead"])

    def self_attention(self, pre, x):
        h = layer_norm(x, self.P, pre + ".norm")
        return self.attention(pre + ".attention", h, h, self.c["latentHeads"], self.c["latentDimHead"])

    def ff(self, pre, x):
        P = self.P
        return linear(geglu(linear(layer_norm(x, P, pre + ".norm"), P, pre + ".proj")), P, pre + ".out")

    def forward(self, images):
        P = self.P
        tokens = tokenize(images, P, self.tok)
        b = tokens.shape[0]
        x = P("latents").unsqueeze(0).expand(b, -1, -1)
        x = x + self.cross("encoder.crossAttention", x, tokens)
        x = x + self.ff("encoder.feedForward", x)
        for i in range(self.c["depth"]):
            x = x + self.self_attention(f"layers.{i}.selfAttention", x)
            x = x + self.ff(f"layers.{i}.feedForward", x)
        q = P("classificationQuery").unsqueeze(0).expand(b, -1, -1)
        z = self.cross("decoder.crossAttention", q, x)
        z = z + self.ff("decoder.feedForward", z)
        return linear(z, P, "toLogits").squeeze(1)
