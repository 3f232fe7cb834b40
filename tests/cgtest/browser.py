"""Debian's headless Chromium for tests of the HTML report: the DOM after scripts had their
chance to run (``--dump-dom``) and screenshots.

Chromium is ``/usr/bin/chromium`` (``apt-get install -y chromium``) or ``$CG_CHROMIUM``. When it
is missing, :func:`require_chromium` skips the test, or fails it under ``CG_REQUIRE_BROWSER=1``.
Every run gets its own empty profile directory, no network services of its own (no
background networking, component updates, sync or QUIC) and a hard timeout after which the
whole process group is killed.

Regenerate the screenshot in the docs from the demo report::

    .venv/bin/python tests/browser.py docs/demo-report.png
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "apt-get update && apt-get install -y chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
TIMEOUT_S = 90.0


class BrowserError(RuntimeError):
    """Chromium did not start, crashed or timed out."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$CG_CHROMIUM``, else Debian's ``/usr/bin/chromium``."""
    candidate = os.environ.get("CG_CHROMIUM") or CHROMIUM
    path = shutil.which(candidate)
    return path


def require_chromium() -> str:
    """Chromium, or skip the calling test (fail it when ``CG_REQUIRE_BROWSER=1``)."""
    import pytest

    exe = find_chromium()
    if exe is None:
        reason = (
            f"headless Chromium not found at {os.environ.get('CG_CHROMIUM') or CHROMIUM} "
            f"(install it: {INSTALL_HINT})"
        )
        if os.environ.get("CG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; CG_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
        pytest.skip(reason)
    return exe


def run_chromium(args: Sequence[str], *, timeout: float = TIMEOUT_S) -> str:
    """Run Chromium with :data:`FLAGS`, a fresh profile and ``args``; its stdout."""
    exe = find_chromium()
    if exe is None:
        raise BrowserError(f"Chromium not found; install it: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="cg-chromium-") as profile:
        command = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
        env = {**os.environ, "HOME": profile}
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: a timeout ends every child
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise BrowserError(f"Chromium timed out after {timeout:.0f} s: {command}") from None
        finally:
            if proc.poll() is None:  # pragma: no cover - only when communicate() raised
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.returncode != 0:
            raise BrowserError(f"Chromium exited with {proc.returncode}: {err[-3000:]}")
        return out


def dump_dom(page: Path, *, virtual_time_ms: int = 3000) -> str:
    """The serialized DOM of ``page`` after loading it from a file:// URL.

    ``--virtual-time-budget`` lets timers and event handlers (``onerror``, ``setTimeout``)
    run before the DOM is taken, so a payload that would run later is caught too.
    """
    return run_chromium(
        [f"--virtual-time-budget={virtual_time_ms}", "--dump-dom", page.resolve().as_uri()]
    )


def screenshot(page: Path, out: Path, *, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of the first ``width`` x ``height`` pixels of ``page``, written to ``out``."""
    out = out.resolve()
    out.unlink(missing_ok=True)
    run_chromium(
        [
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            # without it the bottom tiles are sometimes captured before they are painted;
            # it does not combine with --virtual-time-budget (Chromium then hangs)
            "--run-all-compositor-stages-before-draw",
            page.resolve().as_uri(),
        ]
    )
    if not out.is_file():
        raise BrowserError(f"Chromium wrote no screenshot to {out}")
    return out


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def demo_screenshot(out: Path, *, lang: str = "en") -> Path:
    """Run `cgconform demo`, render its report.json as HTML in ``lang`` and screenshot it."""
    import json

    from cgconform.report.html import render_html

    with tempfile.TemporaryDirectory(prefix="cg-demo-") as tmp:
        subprocess.run(
            [sys.executable, "-m", "cgconform", "demo", "--report-dir", tmp],
            check=True,
            capture_output=True,
            cwd=tmp,
            timeout=300,
        )
        report = json.loads((Path(tmp) / "report.json").read_text("utf-8"))
        page = Path(tmp) / "report.html"
        page.write_text(render_html(report, lang=lang), encoding="utf-8")
        return screenshot(page, out)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (1, 2) or args[0].startswith("-"):
        print("usage: python tests/browser.py OUT.png [nl|en]", file=sys.stderr)
        return 2
    out = demo_screenshot(Path(args[0]), lang=args[1] if len(args) == 2 else "en")
    print(f"{out} {png_size(out)[0]}x{png_size(out)[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
