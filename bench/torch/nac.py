"""The NAC's function in PyTorch, from our named weights (docs/architecture.md §1, spec §1): codes and
signatures, seeder (eval: mean), read-in in its folded form (src/circuits/read-in.ts), ModFC, ModAttention,
the signature kernel with truncation and bandwidth, propagators with persistent read-in, read-out, ModFFN
with GEGLU, LayerScale, output pooling. In training mode every noise source is drawn (code noise, seeder
noise, relaxed-Bernoulli kernel, DropPath, Gumbel pooling) so the work is the same (not the numbers)."""
import math

import torch
import torch.nn.functional as F

from common import geglu, gelu, layer_norm, linear, merge_heads, split_heads, tokenize

PROB_EPS = 1.1920928955078125e-7


class NACTwin:
    def __init__(self, cfg, P, device):
        self.c = cfg
        self.P = P
        self.device = device
        self.training = False
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed(0)

    # --- noise helpers -------------------------------------------------------------------------
    def _uniform(self, shape, lo, hi):
        return torch.rand(shape, generator=self.gen, device=self.device) * (hi - lo) + lo

    def code_noise(self, codes, sigma):
        if not self.training or sigma <= 0:
            return codes
        return codes + codes.abs() * self._uniform(codes.shape, -1.0, 1.0) * sigma

    def drop_path(self, x, p):
        if not self.training or p <= 0:
            return x
        keep = 1 - p
        mask = (self._uniform((x.shape[0],) + (1,) * (x.dim() - 1), 0.0, 1.0) < keep).float()
        return x * mask / keep

    # --- building blocks -----------------------------------------------------------------------
    def modulation(self, pre, codes):
        P = self.P
        proj = torch.matmul(codes, P(pre + ".codeProj"))
        m = layer_norm(proj) * P(pre + ".gain")
        return m + 1 if self.c["modfc"]["addOneToScale"] else m

    def modfc(self, pre, x, codes):
        return linear(x * self.modulation(pre, codes), self.P, pre)

    def layer_scale(self, pre, x):
        g = self.P.get(pre + ".gamma")
        return x if g is None else x * g

    def ffn(self, pre, x, codes, drop):
        h = self.modfc(pre + ".fc1", layer_norm(x, self.P, pre + ".norm"), codes)
        a = geglu(h) if self.c["geglu"] else gelu(h)
        return x + self.drop_path(self.layer_scale(pre + ".layerScale", self.modfc(pre + ".fc2", a, codes)), drop)

    def seeder(self, codes, B):
        P = self.P
        sigma = self.c["codeNoise"] if self.c["seederCodeNoise"] else 0
        cn = layer_norm(self.code_noise(codes, sigma), P, "circuit.seeder.norm")
        mu = linear(cn, P, "circuit.seeder.mean")
        if not self.training:
            return mu.unsqueeze(0).expand(B, -1, -1)
        std = torch.exp(linear(cn, P, "circuit.seeder.logVar") * 0.5)
        eps = torch.randn((B,) + tuple(mu.shape), generator=self.gen, device=self.device)
        return mu.unsqueeze(0) + std.unsqueeze(0) * eps

    def codes(self, group):
        return self.code_noise(self.P(f"circuit.latents.{group}.codes"), self.c["codeNoise"])

    def log_kernel(self, pre, kcfg, rs, ss, B):
        an = rs / rs.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        bn = ss / ss.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        d = 1 - an @ bn.t()
        logk = -d / self.P(pre + ".bandwidth")
        tau = kcfg["truncation"]
        cut = None
        if tau is not None:
            cut = torch.where(d <= tau, torch.zeros_like(d), torch.full_like(d, -math.inf)).detach()
        if not (self.training and kcfg["stochastic"]):
            return logk if cut is None else logk + cut
        ek = torch.exp(logk)
        k = ek + (ek.clamp(PROB_EPS, 1 - PROB_EPS) - ek).detach()  # straight-through clip
        logits = torch.log(k) - torch.log1p(-k)
        u = self._uniform((B,) + tuple(d.shape), PROB_EPS, 1 - PROB_EPS)
        z = (logits.unsqueeze(0) + torch.log(u) - torch.log1p(-u)) / kcfg["temperature"]
        log_sample = -F.softplus(-z)
        return log_sample if cut is None else log_sample + cut.unsqueeze(0)

    def attention(self, pre, receivers, senders, rc, sc, bias, shared_norm):
        P, c = self.P, self.c
        H = c["numHeads"]
        rn = layer_norm(receivers, P, pre + ".receiverNorm")
        sn = layer_norm(senders, P, pre + (".receiverNorm" if shared_norm else ".senderNorm"))
        q = split_heads(self.modfc(pre + ".query", rn, rc), H)
        k = split_heads(self.modfc(pre + ".key", sn, sc), H)
        v = split_heads(self.modfc(pre + ".value", sn, sc), H)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1 / math.sqrt(c["headDim"]))
        if bias is not None:
            scores = scores + (bias.unsqueeze(1) if bias.dim() == 3 else bias)
        attn = torch.softmax(scores, dim=-1)
        mixed = merge_heads(torch.matmul(attn, v))
        return self.layer_scale(pre + ".layerScale", self.modfc(pre + ".output", mixed, rc))

    def read_in(self, seeds, tokens, codes):
        P, c = self.P, self.c
        pre = "circuit.readIn.attention"
        H, dh = c["readInHeads"], c["headDim"]
        B, U, _ = seeds.shape
        x = layer_norm(tokens, P, pre + ".senderNorm")
        din = x.shape[-1]
        q = split_heads(self.modfc(pre + ".query", layer_norm(seeds, P, pre + ".receiverNorm"), codes), H)
        wk = P(pre + ".key.weight").reshape(din, H, dh).permute(1, 2, 0)
        qh = q.permute(1, 0, 2, 3).reshape(H, B * U, dh)
        qk = torch.matmul(qh, wk).reshape(H, B, U, din).permute(1, 0, 2, 3) * self.modulation(pre + ".key", codes)
        scores = torch.matmul(qk.reshape(B, H * U, din), x.transpose(1, 2)) * (1 / math.sqrt(dh))
        attn = torch.softmax(scores, dim=-1)
        pooled = torch.matmul(attn, x).reshape(B, H, U, din) * self.modulation(pre + ".value", codes)
        wv = P(pre + ".value.weight").reshape(din, H, dh).permute(1, 0, 2)
        vals = torch.matmul(pooled.permute(1, 0, 2, 3).reshape(H, B * U, din), wv)
        vals = vals.reshape(H, B, U, dh).permute(1, 0, 2, 3)
        mixed = merge_heads(vals)
        vb = P.get(pre + ".value.bias")
        if vb is not None:
            mixed = mixed + vb
        m = self.layer_scale(pre + ".layerScale", self.modfc(pre + ".output", mixed, codes))
        m = self.drop_path(m, c["dropPath"]["readIn"])
        if c["readInResidual"]:
            m = seeds + m
        return self.ffn("circuit.readIn.ffn", m, codes, c["dropPath"]["readIn"])

    def kernel_layer(self, pre, kcfg, r, s, residual, drop, shared_norm):
        B = r["states"].shape[0]
        logk = self.log_kernel(pre + ".kernel", kcfg, r["sig"], s["sig"], B)
        m = self.attention(pre + ".attention", r["states"], s["states"], r["codes"], s["codes"], logk, shared_norm)
        x = self.drop_path(m, drop)
        if residual:
            x = r["states"] + x
        return self.ffn(pre + ".ffn", x, r["codes"], drop)

    def circuit(self, tokens):
        P, c = self.P, self.c
        B = tokens.shape[0]
        sig = lambda g: P(f"circuit.latents.{g}.signatures")  # noqa: E731
        raw = lambda g: P(f"circuit.latents.{g}.codes")  # noqa: E731
        inputs = self.read_in(self.seeder(raw("readIn"), B), tokens, self.codes("readIn"))

        def senders_with_inputs(med):
            return {
                "states": torch.cat([inputs, med], 1),
                "codes": torch.cat([self.codes("readIn"), self.codes("propagator")], 0),
                "sig": torch.cat([sig("readIn"), sig("propagator")], 0),
            }

        med = self.seeder(raw("propagator"), B)
        for l in range(c["numLayers"]):
            r = {"states": med, "codes": self.codes("propagator"), "sig": sig("propagator")}
            if l == 0 or c["persistentReadIn"]:
                s = senders_with_inputs(med)
            else:
                s = {"states": med, "codes": self.codes("propagator"), "sig": sig("propagator")}
            med = self.kernel_layer(f"circuit.propagators.{l}", c["kernel"], r, s, True, c["dropPath"]["propagator"], True)
        r = {"states": self.seeder(raw("readOut"), B), "codes": self.codes("readOut"), "sig": sig("readOut")}
        return self.kernel_layer("circuit.readOut", c["readOutKernel"], r, senders_with_inputs(med),
                                 c["readOutResidual"], c["dropPath"]["readOut"], False)

    def pooling(self, states):
        P = self.P
        scores = linear(states, P, "pooling.scorer").squeeze(2)
        if self.training and self.c["pooling"] == "gumbel":
            u = self._uniform(scores.shape, 1e-10, 1.0)
            scores = scores - torch.log(-torch.log(u))
        w = torch.softmax(scores, dim=-1)
        pooled = torch.matmul(w.unsqueeze(1), states).squeeze(1)
        return linear(pooled, P, "pooling.classifier")

    def forward(self, x):
        return self.pooling(self.circuit(tokenize(x, self.P, self.c["tokenizer"])))
