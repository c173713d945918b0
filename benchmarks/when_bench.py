"""Time reading: accuracy on the corpus beside plain dateparser, warm latency, and cold start.

    .venv/bin/python benchmarks/when_bench.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.when import Reading, Refusal, _span_spec, read, split  # noqa: E402
from tests.when_corpus import Case, load_cases  # noqa: E402


def ours_right(case: Case) -> bool:
    result = read(case.phrase, case.now, case.tz)
    if isinstance(case.expected, str):
        return isinstance(result, Refusal) and result.kind == case.expected
    return isinstance(result, Reading) and result.start == case.expected


def dateparser_right(case: Case) -> bool:
    import dateparser

    local_now = case.now.astimezone(__import__("zoneinfo").ZoneInfo(case.tz)).replace(tzinfo=None)
    parsed = dateparser.parse(case.phrase, languages=["en"], settings={
        "RELATIVE_BASE": local_now, "TIMEZONE": case.tz, "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "future"})
    if isinstance(case.expected, str):
        return parsed is None if case.expected != "past" else (parsed is not None and parsed <= case.now)
    return parsed is not None and parsed.astimezone(UTC) == case.expected


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(function, cases: list[Case], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            function(case)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def cold(command: list[str], runs: int = 5) -> float:
    best = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, input=b'{"phrase": "tmrw 3pm", "ref": "2025-03-04T10:15:00-08:00", "tz": "UTC"}\n',
                       capture_output=True, check=True)
        best.append(time.perf_counter() - started)
    return statistics.median(best)


def main() -> None:
    cases = load_cases()
    ours = sum(ours_right(c) for c in cases)
    started = time.perf_counter()
    theirs = sum(dateparser_right(c) for c in cases)
    dateparser_total = time.perf_counter() - started
    print(f"corpus: {len(cases)} phrases in {len({c.tz for c in cases})} zones")
    print(f"accuracy   taskbot {ours / len(cases):6.1%} ({ours})   plain dateparser {theirs / len(cases):6.1%} ({theirs})")

    read_ms = timed(lambda c: read(c.phrase, c.now, c.tz), cases, rounds=5)
    plain_ms = [dateparser_total / len(cases) * 1000]
    lines = [f"call Priya re pricing {c.phrase}" for c in cases]
    split_ms = []
    for _ in range(5):
        _span_spec.cache_clear()
        for case, line in zip(cases, lines, strict=False):
            started = time.perf_counter()
            split(line, case.now, case.tz)
            split_ms.append((time.perf_counter() - started) * 1000)
    print(f"read (warm)   median {statistics.median(read_ms):.3f} ms   p99 {percentile(read_ms, 0.99):.3f} ms"
          f"   (plain dateparser mean {plain_ms[0]:.3f} ms)")
    print(f"split (warm process, empty span cache)  median {statistics.median(split_ms):.3f} ms   p99 {percentile(split_ms, 0.99):.3f} ms")
    import_first = cold([sys.executable, "-c", "import sys; from datetime import datetime, UTC; "
                         "import bot.when as w; w.read('tmrw 3pm', datetime.now(UTC), 'UTC'); sys.stdin.read()"])
    taskbot = str(Path(sys.executable).with_name("taskbot"))
    cli = cold([taskbot, "when", "--jsonl"])
    print(f"import + first parse {import_first * 1000:.0f} ms   `taskbot when --jsonl` cold start {cli * 1000:.0f} ms")


if __name__ == "__main__":
    main()
