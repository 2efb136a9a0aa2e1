#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""CPU seconds of the PyTorch reference BS-RoFormer on one chunk (the anchor of bench/roformer_bench).

Builds Music-Source-Separation-Training's `BSRoformer` from a released YAML config with random
weights and times one forward over one `audio.chunk_size` chunk (batch 1, no_grad, float32, CPU)
after a short warm-up. The reference code is not part of this project: pass the folder that holds
its `models/bs_roformer/bs_roformer.py` (and where `einops`, `beartype` and
`rotary_embedding_torch` import from) with --reference. BENCHMARKS.md gives the commands and the
environment that caps each instruction-set level.
"""
import argparse
import ctypes
import ctypes.util
import importlib.util
import os
import resource
import sys
import time


def load_bs_roformer(reference):
    sys.path.insert(0, reference)
    path = os.path.join(reference, "models", "bs_roformer", "bs_roformer.py")
    spec = importlib.util.spec_from_file_location("models.bs_roformer.bs_roformer", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.BSRoformer


def openblas_core():
    name = ctypes.util.find_library("openblas")
    try:
        lib = ctypes.CDLL(name or "libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    import torch
    import yaml

    torch.set_num_threads(args.threads)
    with open(args.config) as f:
        config = yaml.load(f, Loader=yaml.FullLoader)
    model_args = dict(config["model"])
    # torch 1.13 has no scaled_dot_product_attention; the non-flash path is the same formula.
    model_args["flash_attn"] = False
    for key in ("sage_attention",):
        model_args.pop(key, None)
    torch.manual_seed(0)
    model = load_bs_roformer(args.reference)(**model_args).eval()
    chunk = int(config.get("inference", {}).get("chunk_size", config["audio"]["chunk_size"]))
    channels = 2 if model_args.get("stereo") else 1

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"ATen capability {torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else os.environ.get('ATEN_CPU_CAPABILITY', 'default')}, "
          f"OpenBLAS core {openblas_core()}")
    print(f"params {sum(p.numel() for p in model.parameters()):,}, chunk {chunk} samples")
    with torch.no_grad():
        model(torch.randn(1, channels, 44100))  # warm-up: first-call allocations and dispatch
        for run in range(args.runs):
            x = torch.randn(1, channels, chunk)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            model(x)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            print(f"run {run}: {cpu:.1f} CPU-s, {wall:.1f} s wall per chunk")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
