"""Time reading: accuracy on the team corpus (beside plain dateparser) and on the public Duckling and chrono
sets, warm latency, `taskbot when --jsonl` latency per phrase and cold start, and long input.

    .venv/bin/python benchmarks/when_bench.py
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.__main__ import reading_json  # noqa: E402
from bot.when import Reading, Refusal, read, split  # noqa: E402
from tests.timeparse import SOURCES, instant, judge, load  # noqa: E402
from tests.when_corpus import Case, load_cases  # noqa: E402

TASKBOT = str(Path(sys.executable).with_name("taskbot"))


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


def public_sets() -> list[dict]:
    every = []
    for source in SOURCES:
        cases = load(source)
        answers = [reading_json(c["phrase"], instant(c["ref"]), c["tz"]) for c in cases]
        strict = [(c, a) for c, a in zip(cases, answers, strict=True) if not c["conv"]]
        right = sum(judge(c, a)[0] for c, a in strict)
        given = [(c, a) for c, a in zip(cases, answers, strict=True) if a["utc"]]
        wrong = sum(not judge(c, a)[0] for c, a in given)
        print(f"{source:9s} strict {right}/{len(strict)} = {right / len(strict):.1%}   answers given {len(given)}, "
              f"wrong {wrong} (all house-convention overrides, see tests/test_when_timeparse.py)")
        every += cases
    return every


def cli_latency(cases: list[dict]) -> list[float]:
    reader = subprocess.Popen([TASKBOT, "when", "--jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              bufsize=1)
    assert reader.stdin and reader.stdout
    samples = []
    for case in cases:
        started = time.perf_counter()
        reader.stdin.write(json.dumps({"phrase": case["phrase"], "ref": case["ref"], "tz": case["tz"]}) + "\n")
        reader.stdin.flush()
        reader.stdout.readline()
        samples.append((time.perf_counter() - started) * 1000)
    reader.stdin.close()
    reader.wait()
    return samples


def cold(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, input=b'{"phrase": "tmrw 3pm", "ref": "2025-03-04T10:15:00-08:00", "tz": "UTC"}\n',
                       capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def long_input() -> None:
    now = datetime(2025, 3, 4, 18, 15, tzinfo=UTC)
    for label, text in (("40,000-character word", "x" * 40_000), ("1 MB paste", "call Lee tomorrow 3pm " * 47_700)):
        started = time.perf_counter()
        read(text, now, "UTC")
        split(text, now, "UTC")
        print(f"long input: {label}: read + split {(time.perf_counter() - started) * 1000:.1f} ms")


def main() -> None:
    cases = load_cases()
    ours = sum(ours_right(c) for c in cases)
    started = time.perf_counter()
    theirs = sum(dateparser_right(c) for c in cases)
    dateparser_total = time.perf_counter() - started
    print(f"corpus: {len(cases)} phrases in {len({c.tz for c in cases})} zones")
    print(f"accuracy   taskbot {ours / len(cases):6.1%} ({ours})   plain dateparser {theirs / len(cases):6.1%} ({theirs})")
    every = public_sets()

    read_ms = []
    for _ in range(5):
        for case in cases:
            began = time.perf_counter()
            read(case.phrase, case.now, case.tz)
            read_ms.append((time.perf_counter() - began) * 1000)
    split_ms = []
    for case in cases:
        line = f"call Priya re pricing {case.phrase}"
        began = time.perf_counter()
        split(line, case.now, case.tz)
        split_ms.append((time.perf_counter() - began) * 1000)
    print(f"read (warm)   median {statistics.median(read_ms):.3f} ms   p95 {percentile(read_ms, 0.95):.3f} ms   "
          f"p99 {percentile(read_ms, 0.99):.3f} ms   (plain dateparser mean {dateparser_total / len(cases) * 1000:.3f} ms)")
    print(f"split (warm)  median {statistics.median(split_ms):.3f} ms   p95 {percentile(split_ms, 0.95):.3f} ms")
    cli = cli_latency(every)
    print(f"`taskbot when --jsonl` on the public sets ({len(cli)} phrases): median {statistics.median(cli):.3f} ms   "
          f"p95 {percentile(cli, 0.95):.3f} ms a phrase")
    compileall.compile_dir(ROOT / "bot", quiet=1)  # as installed: bytecode written, not compiled on every start
    print(f"`taskbot when --jsonl` cold start, bytecode compiled (median of 7) {cold([TASKBOT, 'when', '--jsonl']) * 1000:.0f} ms")
    long_input()


if __name__ == "__main__":
    main()
