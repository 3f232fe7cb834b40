#!/usr/bin/env python3
"""Wall time and peak memory: `cgconform lint` versus Spectral with the official ADR ruleset.

    python benchmarks/adr_lint_vs_spectral.py [--runs 3] [FILES...]

Without FILES it lints the OpenAPI documents of ../shared/corpus. Each tool lints all FILES in
one process; the two alternate, N timed runs each after a warm-up, and the medians and the
ratio spectral/cgconform are printed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import spectral_oracle as so  # noqa: E402  (stdlib only; lives with the parity tests)

GNU_TIME = Path("/usr/bin/time")
OK_EXIT = {"spectral": {0, 1}, "cgconform": {0, 1, 3}}  # 2 = usage/configuration error

# Runs a command and reports its wall time and the peak RSS of its process tree
# (RUSAGE_CHILDREN: the largest maxrss among the waited-for descendants).
_RUSAGE_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "wall": wall, "maxrss": maxrss}))
"""


@dataclass
class Sample:
    wall_s: float
    peak_rss_mb: float


def measure(command: list[str], tool: str, method: str) -> Sample:
    """Run ``command`` once (stdout discarded) and measure it with ``method``."""
    if method == "gnu-time":
        with tempfile.NamedTemporaryFile("r", suffix=".time", encoding="utf-8") as report:
            start = time.perf_counter()
            done = subprocess.run(
                [str(GNU_TIME), "-v", "-o", report.name, *command],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - start
            text = report.read()
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if found is None:
            sys.exit(f"{tool}: no peak RSS in /usr/bin/time -v output:\n{text}")
        code, rss_kb = done.returncode, int(found[1])
        stderr = done.stderr
    else:
        done = subprocess.run(
            [sys.executable, "-c", _RUSAGE_WRAPPER, *command],
            capture_output=True,
            text=True,
            check=False,
        )
        data = json.loads(done.stdout)
        code, wall, stderr = data["code"], data["wall"], done.stderr
        # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
        rss_kb = data["maxrss"] // 1024 if sys.platform == "darwin" else data["maxrss"]
    if code not in OK_EXIT[tool]:
        sys.exit(f"{tool} failed with exit code {code}:\n{' '.join(command)}\n{stderr[-2000:]}")
    return Sample(wall, rss_kb / 1024)


def node_version() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def cgconform_command() -> list[str]:
    script = Path(sys.executable).parent / "cgconform"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cgconform"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILES")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument(
        "--ruleset", type=Path, default=so.RULESET_FILES["2.2.0"], help="Spectral ruleset"
    )
    parser.add_argument(
        "--spectral-network",
        action="store_true",
        help="let Spectral fetch remote $refs (default: .ci/spectral-offline-resolver.js)",
    )
    parser.add_argument(
        "--rusage",
        action="store_true",
        help="measure with getrusage(RUSAGE_CHILDREN) even if /usr/bin/time exists",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    files = [f.resolve() for f in args.files] or so.corpus_documents()
    if not files:
        parser.error("no FILES given and ../shared/corpus is not there")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    spectral = so.spectral_binary()
    if spectral is None:
        parser.error("Spectral is not installed: run .ci/spectral.sh (or set CG_SPECTRAL)")
    if not args.ruleset.is_file():
        parser.error(f"no ruleset at {args.ruleset}")
    method = "gnu-time" if GNU_TIME.is_file() and not args.rusage else "rusage"

    spectral_cmd = [str(spectral), "lint", "-r", str(args.ruleset), "-f", "json"]
    if not args.spectral_network:
        spectral_cmd += ["--resolver", str(so.OFFLINE_RESOLVER)]
    commands = {
        "spectral": [*spectral_cmd, *map(str, files)],
        "cgconform": [*cgconform_command(), "lint", "--format", "json", *map(str, files)],
    }
    samples: dict[str, list[Sample]] = {tool: [] for tool in commands}
    order = list(commands)
    for i in range(args.warmup + args.runs):
        for tool in order if i % 2 == 0 else order[::-1]:  # alternate who goes first
            sample = measure(commands[tool], tool, method)
            if i >= args.warmup:
                samples[tool].append(sample)
            print(
                f"{'warm-up' if i < args.warmup else f'run {i - args.warmup + 1}'}"
                f" {tool:9} {sample.wall_s:7.2f} s {sample.peak_rss_mb:8.1f} MB",
                file=sys.stderr,
            )

    median = {
        tool: {
            "wall_s": statistics.median(s.wall_s for s in runs),
            "peak_rss_mb": statistics.median(s.peak_rss_mb for s in runs),
        }
        for tool, runs in samples.items()
    }
    ratio = {
        key: median["spectral"][key] / median["cgconform"][key] for key in ("wall_s", "peak_rss_mb")
    }
    result = {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "runs": args.runs,
        "method": method,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "spectral_version": so.spectral_version(spectral),
        "node": node_version(),
        "commands": {
            tool: " ".join(cmd[: -len(files)]) + " FILES..." for tool, cmd in commands.items()
        },
        "median": median,
        "ratio_spectral_over_cgconform": ratio,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{result['files']} documents, {result['bytes'] / 1e6:.1f} MB; {args.runs} runs each; "
        f"peak RSS by {method}; {result['cpus']} CPUs; Spectral {result['spectral_version']}"
    )
    for tool, cmd in result["commands"].items():
        print(f"  {tool}: {cmd}")
    print(f"{'':10} {'median wall':>12} {'median peak RSS':>16}")
    for tool, m in median.items():
        print(f"{tool:10} {m['wall_s']:10.2f} s {m['peak_rss_mb']:13.1f} MB")
    print(f"{'ratio':10} {ratio['wall_s']:11.2f}x {ratio['peak_rss_mb']:15.2f}x", end="")
    print("   (spectral / cgconform)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
