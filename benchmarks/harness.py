"""What the speed benchmarks share: each contestant in a fresh process, rounds interleaved.

The machines are shared and noisy, so a benchmark never compares numbers taken at different
times: every round runs every contestant once (A, B, C, A, B, C, ...), each in its own
process, and the report gives medians and the ratios between them, all from this one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys


def peak_mb():
    """This process's peak memory (max RSS) in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def command_line(doc, contestants):
    """Read --rounds and --child. Returns the number of rounds; but when started as a
    child (by `interleaved`), times that one contestant, prints its seconds and peak
    memory as JSON, and exits."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=contestants)
    args = parser.parse_args()
    if args.child:
        seconds = contestants[args.child]()
        print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))
        sys.exit(0)
    return args.rounds


def interleaved(script, names, rounds):
    """Run `script --child NAME` for every name, `rounds` times, interleaved.

    Returns {name: {"seconds": median seconds, "peak_mb": largest peak}}.
    """
    runs = {name: [] for name in names}
    for r in range(rounds):
        for name in names:  # interleaved, so a slow spell of the machine hits everyone
            out = subprocess.run(
                [sys.executable, script, "--child", name],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"round {r + 1}: {name:14s} {runs[name][-1]['seconds']:.3f} s", flush=True)
    return {
        name: {
            "seconds": statistics.median(m["seconds"] for m in measured),
            "peak_mb": max(m["peak_mb"] for m in measured),
        }
        for name, measured in runs.items()
    }


def torch_installed():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch is not installed: skipping the PyTorch baseline (pip install torch)")
        return False
    return True
