"""Training throughput of the fusion model: samples per second for full training steps
(forward, loss, backward, AdamW step) on synthetic inputs of the real shapes, on the CPU and,
when one is available, on CUDA. Also inference-only throughput, measured in the same run.

    .venv/bin/python benchmarks/train_step.py [--device cpu|cuda|all] [--batch 32] [--steps 20]
"""

from __future__ import annotations

import argparse
import time

import torch

from chromatic.model.fusion import AXES, FusionConfig, FusionModel, count_parameters, fusion_loss


def make_batch(cfg: FusionConfig, b: int, device: str) -> tuple[dict, dict]:
    g = torch.Generator().manual_seed(0)
    inputs = {
        "audio": torch.randn(b, cfg.audio_dim, generator=g),
        "audio_mask": torch.ones(b),
        "roll": (torch.rand(b, cfg.roll_pitches, cfg.roll_steps, generator=g) < 0.03).float(),
        "midi_mask": torch.ones(b),
        "concept": torch.randn(b, cfg.text_dim, generator=g),
        "concept_mask": torch.ones(b),
        "lyric": torch.randn(b, cfg.text_dim, generator=g),
        "lyric_mask": torch.ones(b),
    }
    targets = {a: torch.softmax(torch.randn(b, 3, generator=g), -1) for a in AXES}
    return {k: v.to(device) for k, v in inputs.items()}, {
        k: v.to(device) for k, v in targets.items()
    }


def bench(device: str, batch: int, steps: int) -> dict:
    cfg = FusionConfig()
    model = FusionModel(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    inputs, targets = make_batch(cfg, batch, device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    model.train()
    for _ in range(3):  # warm-up
        loss, _ = fusion_loss(model(**inputs), targets, 0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sync()
    t = time.perf_counter()
    for _ in range(steps):
        loss, _ = fusion_loss(model(**inputs), targets, 0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sync()
    train_sps = batch * steps / (time.perf_counter() - t)
    model.eval()
    with torch.inference_mode():
        model(**inputs)
        sync()
        t = time.perf_counter()
        for _ in range(steps):
            model(**inputs)
        sync()
        infer_sps = batch * steps / (time.perf_counter() - t)
    return {
        "device": device,
        "params": count_parameters(model),
        "train": train_sps,
        "infer": infer_sps,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="all")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    if "cuda" in devices and not torch.cuda.is_available():
        devices.remove("cuda")
        print("cuda: not available here")
    rows = [bench(d, args.batch, args.steps) for d in devices]
    print(
        f"fusion model, default config ({rows[0]['params']:,} parameters), batch {args.batch}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads"
    )
    for r in rows:
        name = torch.cuda.get_device_name() if r["device"] == "cuda" else "cpu"
        print(
            f"  {name:28s} train {r['train']:9.0f} samples/s   inference {r['infer']:9.0f} samples/s"
        )
    if len(rows) == 2:
        print(
            f"  cuda / cpu: train {rows[1]['train'] / rows[0]['train']:.1f}x, inference {rows[1]['infer'] / rows[0]['infer']:.1f}x"
        )


if __name__ == "__main__":
    main()
