"""Sampling the project server with py-spy while a bench loads it, and the top entries.

py-spy attaches to a running process from outside (no code change, little overhead), so the
profile shows the server exactly as the bench measures it. ``top_entries`` reads py-spy's raw
(collapsed) output: self time is the innermost frame of each sample, inclusive time every frame
on the stack counted once per sample.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


def _py_spy() -> str | None:
    # Installed with the dev extras, next to the interpreter running the bench.
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


def available() -> bool:
    return _py_spy() is not None


def start(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """Samples ``pid`` and its worker processes for ``seconds`` into ``out`` (collapsed)."""
    return subprocess.Popen(  # noqa: S603 - py-spy from PATH, our arguments
        [
            str(_py_spy()),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "250",
            "--subprocesses",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _frames(stack: str) -> list[str]:
    # The first frame names the process/thread; the rest are "function (file:line)".
    frames = [f for f in stack.split(";") if "(" in f]
    return [_LINE.sub(")", f).replace(str(Path.cwd()) + "/", "") for f in frames]


def _samples(out: Path) -> Iterator[tuple[list[str], int]]:
    """(frames, count) for each stack py-spy wrote."""
    for line in out.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if count_text.isdigit():
            yield _frames(stack), int(count_text)


def top_entries(out: Path, n: int = 12) -> tuple[int, list[tuple[str, float, float]]]:
    """(samples, [(function, self %, inclusive %)]) by self time, most first."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for frames, count in _samples(out):
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if total == 0:
        return 0, []
    rows = [(f, 100 * c / total, 100 * inclusive[f] / total) for f, c in own.most_common(n)]
    return total, rows


def hottest_inclusive(out: Path, prefix: str, n: int = 12) -> list[tuple[str, float]]:
    """Inclusive share of the functions whose file starts with ``prefix`` (our own code)."""
    inclusive: Counter[str] = Counter()
    total = 0
    for frames, count in _samples(out):
        total += count
        for frame in {f for f in frames if f"({prefix}" in f}:
            inclusive[frame] += count
    return [(f, 100 * c / max(total, 1)) for f, c in inclusive.most_common(n)]
