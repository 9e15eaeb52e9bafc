#!/usr/bin/env python3
"""Fits the rational erf(x) ~ x·P(x²)/Q(x²), Q(0) = 1, on [0, 4] used by GELU in wasm/src/unary.c.

Linearised least squares (Sanathanan–Koerner: reweighted by the previous denominator) on 10,000 nodes,
then Lawson-style weights towards the minimax error. Prints the coefficients and the error in float64
and in float32 Horner evaluation. Needs numpy and scipy (Debian: python3-numpy, python3-scipy).

    python3 wasm/fit-erf.py
"""
import numpy as np
from scipy.special import erf

NP, NQ = 7, 5  # coefficients of P; degree of Q in x²

x = np.unique(np.concatenate([np.cos(np.linspace(0, np.pi, 6000)) * 2 + 2, np.linspace(0, 4, 4000)]))
z, f = x * x, erf(x)
w, q_prev = np.ones_like(x), np.ones_like(x)
for it in range(60):
    a = np.hstack([np.stack([x * z**i for i in range(NP)], 1), -np.stack([f * z**j for j in range(1, NQ + 1)], 1)])
    scale = (w / np.abs(q_prev))[:, None]
    sol, *_ = np.linalg.lstsq(a * scale, f * scale[:, 0], rcond=None)
    p, q = sol[:NP], np.concatenate([[1.0], sol[NP:]])
    q_prev = sum(q[j] * z**j for j in range(NQ + 1))
    err = x * sum(p[i] * z**i for i in range(NP)) / q_prev - f
    if it > 10:
        w = w * np.sqrt(np.abs(err) / np.abs(err).max()) + 1e-12
        w /= w.max()

xs = np.linspace(0, 4, 200001).astype(np.float32)
zs = (xs * xs).astype(np.float32)
pp = np.full_like(xs, np.float32(p[-1]))
for c in p[-2::-1]:
    pp = (pp * zs + np.float32(c)).astype(np.float32)
qq = np.full_like(xs, np.float32(q[-1]))
for c in q[-2::-1]:
    qq = (qq * zs + np.float32(c)).astype(np.float32)
e32 = np.abs(((xs * pp).astype(np.float32) / qq).astype(np.float64) - erf(xs.astype(np.float64)))
print(f"max abs error: {np.abs(err).max():.2e} (float64), {e32.max():.2e} (float32 Horner)")
print("P:", ", ".join(f"{c:.9e}f" for c in p))
print("Q:", ", ".join(f"{c:.9e}f" for c in q))
