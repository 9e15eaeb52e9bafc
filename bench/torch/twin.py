"""PyTorch twin of our NAC / Perceiver IO (bench/torch/README.md). Usage: /usr/bin/python3 twin.py <job dir>

Reads job.json, weights.safetensors and batch.safetensors written by bench/torch-bridge.mjs, checks that
the eval-mode loss and logits equal ours, then times the eval forward (no_grad) and the train step
(train mode with its own noise; forward + soft-target cross-entropy + backward + clip_grad_norm_(1) +
torch.optim.AdamW with our decay split), warm-up runs first, then the median of the repeats.
Prints one JSON line."""
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Params, soft_cross_entropy  # noqa: E402
from nac import NACTwin  # noqa: E402
from pio import PIOTwin  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402


def main(job_dir):
    job = json.load(open(os.path.join(job_dir, "job.json")))
    device = job.get("device", "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("twin: device 'cuda' requested but this torch has no CUDA (torch.cuda.is_available() is False)")
    # float32 throughout, as ours: no TF32 in cuBLAS or cuDNN.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    threads = int(job.get("threads", 1))
    torch.set_num_threads(threads)
    weights = read_safetensors(os.path.join(job_dir, "weights.safetensors"))
    batch = read_safetensors(os.path.join(job_dir, "batch.safetensors"))
    P = Params(weights, set(job["trainable"]), device)
    cfg = job["config"]
    model = NACTwin(cfg, P, device) if cfg["model"] == "nac" else PIOTwin(cfg, P, device)
    x = torch.tensor(batch["x"], device=device)
    t = torch.tensor(batch["targets"], device=device)
    ours = torch.tensor(batch["logits"], device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    # Parity in eval mode.
    model.training = False
    with torch.no_grad():
        logits = model.forward(x)
        loss = soft_cross_entropy(logits, t).item()
    diff = (logits - ours).abs()
    parity = {
        "lossOurs": job["evalLoss"],
        "lossTorch": loss,
        "lossAbsDiff": abs(loss - job["evalLoss"]),
        "logitsMaxAbsDiff": diff.max().item(),
        "logitsMaxRelDiff": (diff.max() / ours.abs().max().clamp_min(1e-30)).item(),
    }
    parity["ok"] = parity["lossAbsDiff"] <= 1e-4 and parity["logitsMaxRelDiff"] <= 1e-4

    warmup, repeats, what = int(job["warmup"]), int(job["repeats"]), job.get("what", "both")

    def timed(fn):
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            sync()
            times.append((time.perf_counter() - t0) * 1000)
        return {"ms": statistics.median(times), "times": times, "samplesPerSec": x.shape[0] / statistics.median(times) * 1000}

    out = {"parity": parity}
    if what != "train":
        def infer():
            with torch.no_grad():
                model.forward(x).cpu()

        model.training = False
        out["infer"] = timed(infer)
    if what != "infer":
        names = job["trainable"]
        decay = set(job["decay"])
        params = [P(n) for n in names]
        opt = torch.optim.AdamW(
            [
                {"params": [P(n) for n in names if n in decay], "weight_decay": 0.05},
                {"params": [P(n) for n in names if n not in decay], "weight_decay": 0.0},
            ],
            lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
        )
        model.training = True
        last = {}

        def step():
            opt.zero_grad(set_to_none=True)
            l = soft_cross_entropy(model.forward(x), t)
            l.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            last["loss"] = l.item()

        out["train"] = timed(step)
        out["train"]["lastLoss"] = last.get("loss")
        model.training = False
    out["memory"] = {"peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if device == "cuda":
        out["memory"]["cudaPeakMB"] = torch.cuda.max_memory_allocated() / 2**20
    out["env"] = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
        "threads": torch.get_num_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "blas": next((l.strip() for l in torch.__config__.show().split("\n") if "BLAS_INFO" in l), "unknown"),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: twin.py <job dir>")
    main(sys.argv[1])
