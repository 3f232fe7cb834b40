#!/usr/bin/env python3
"""Wall time and peak memory: `cgconform lint` versus Spectral with the official ADR ruleset.

    python benchmarks/adr_lint_vs_spectral.py [--runs 5] [--per-document] [FILES...]

Without FILES it lints the OpenAPI documents of ../shared/corpus. Each tool lints all FILES in
one process (or, with --per-document, each document in a process of its own); the two
alternate, N timed runs each after a warm-up, and the medians and the ratio spectral/cgconform
are printed. See benchmarks/README.md.
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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from cgtest import spectral_oracle as so  # noqa: E402  (stdlib only; lives with the parity tests)

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
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (default 5)")
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
    parser.add_argument(
        "--per-document",
        action="store_true",
        help="one process per tool per document (what a pre-commit hook or a CI job per file "
        "waits for), instead of one process per tool for all FILES",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=200_000,
        metavar="BYTES",
        help="with --per-document, also the ratio on documents of at least BYTES (200000)",
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
    cgconform_cmd = [*cgconform_command(), "lint", "--format", "json"]
    if not args.spectral_network:  # neither tool fetches what remote $refs point to
        cgconform_cmd.append("--offline")
    base = {"spectral": spectral_cmd, "cgconform": cgconform_cmd}
    if args.per_document:
        return per_document(files, base, args, method)
    median = medians(
        {tool: [*cmd, *map(str, files)] for tool, cmd in base.items()}, args, method, ""
    )
    ratio = ratios(median)
    result = {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        **setting(base, args, method, " FILES..."),
        "median": median,
        "ratio_spectral_over_cgconform": ratio,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print_setting(result, f"{result['files']} documents, {result['bytes'] / 1e6:.1f} MB")
    print(f"{'':10} {'median wall':>12} {'median peak RSS':>16}")
    for tool, m in median.items():
        print(f"{tool:10} {m['wall_s']:10.2f} s {m['peak_rss_mb']:13.1f} MB")
    print(f"{'ratio':10} {ratio['wall_s']:11.2f}x {ratio['peak_rss_mb']:15.2f}x", end="")
    print("   (spectral / cgconform)")
    return 0


def setting(
    base: dict[str, list[str]], args: argparse.Namespace, method: str, operand: str
) -> dict[str, Any]:
    """How it was measured, with what."""
    return {
        "runs": args.runs,
        "method": method,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "spectral_version": so.spectral_version(Path(base["spectral"][0])),
        "node": node_version(),
        "commands": {tool: " ".join(cmd) + operand for tool, cmd in base.items()},
    }


def print_setting(result: dict[str, Any], what: str) -> None:
    print(
        f"{what}; median of {result['runs']} runs each; peak RSS by {result['method']}; "
        f"{result['cpus']} CPUs; Python {result['python']}; Spectral "
        f"{result['spectral_version']} on node {result['node']}"
    )
    for tool, cmd in result["commands"].items():
        print(f"  {tool}: {cmd}")


def medians(
    commands: dict[str, list[str]], args: argparse.Namespace, method: str, label: str
) -> dict[str, dict[str, float]]:
    """Each tool's median wall time and peak RSS over `args.runs` runs after `args.warmup`,
    the tools alternating who goes first."""
    samples: dict[str, list[Sample]] = {tool: [] for tool in commands}
    order = list(commands)
    for i in range(args.warmup + args.runs):
        for tool in order if i % 2 == 0 else order[::-1]:  # alternate who goes first
            sample = measure(commands[tool], tool, method)
            if i >= args.warmup:
                samples[tool].append(sample)
            print(
                f"{label}{'warm-up' if i < args.warmup else f'run {i - args.warmup + 1}'}"
                f" {tool:9} {sample.wall_s:7.2f} s {sample.peak_rss_mb:8.1f} MB",
                file=sys.stderr,
            )
    return {
        tool: {
            "wall_s": statistics.median(s.wall_s for s in runs),
            "peak_rss_mb": statistics.median(s.peak_rss_mb for s in runs),
        }
        for tool, runs in samples.items()
    }


def ratios(median: dict[str, dict[str, float]]) -> dict[str, float]:
    return {key: median["spectral"][key] / median["cgconform"][key] for key in median["spectral"]}


def per_document(
    files: list[Path], base: dict[str, list[str]], args: argparse.Namespace, method: str
) -> int:
    """Every document in a process of its own, per tool: the medians per document, and the
    ratio of their sums on the whole corpus and on the large documents."""
    rows = []
    for file in files:
        median = medians(
            {tool: [*cmd, str(file)] for tool, cmd in base.items()}, args, method, f"{file.name} "
        )
        rows.append({"file": file.name, "bytes": file.stat().st_size, "median": median})

    def total(selected: list[dict[str, Any]]) -> dict[str, Any]:
        wall = {t: sum(r["median"][t]["wall_s"] for r in selected) for t in base}
        return {
            "documents": len(selected),
            "bytes": sum(r["bytes"] for r in selected),
            "wall_s": wall,
            "ratio_wall": wall["spectral"] / wall["cgconform"] if selected else None,
        }

    large = [r for r in rows if r["bytes"] >= args.large]
    result = {
        "mode": "per-document",
        **setting(base, args, method, " FILE"),
        "documents": rows,
        "corpus": total(rows),
        "large": {"min_bytes": args.large, **total(large)},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print_setting(result, f"{len(rows)} documents, one process per tool per document")
    print(f"{'document':48} {'KB':>6} {'spectral':>9} {'cgconform':>10} {'ratio':>7}  (wall)")
    for r in rows:
        s, c = r["median"]["spectral"]["wall_s"], r["median"]["cgconform"]["wall_s"]
        print(f"{r['file'][:48]:48} {r['bytes'] / 1e3:6.0f} {s:8.2f}s {c:9.2f}s {s / c:6.1f}x")
    for name in ("corpus", "large"):
        t = result[name]
        if t["documents"]:
            print(
                f"{name:10} {t['documents']:2} documents, {t['bytes'] / 1e6:4.1f} MB: spectral "
                f"{t['wall_s']['spectral']:.2f} s, cgconform {t['wall_s']['cgconform']:.2f} s, "
                f"ratio {t['ratio_wall']:.1f}x (sum of the per-document medians)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
