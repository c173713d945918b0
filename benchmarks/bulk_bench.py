"""/bulktasks against the sandboxes at 25/5s: create calls, wall time beside the rate-limit floor, memory.

The bot runs in this process with a PUBLIC_URL pointing at itself, so LeadSquared's StatusWebhookURL
results come back as they would in production (no reading back). A bulk run is background work: it
uses at most 20 of every 25 calls (the rest wait for clicks), and the sandbox creates each chunk's
tasks BULK_DELAY seconds after accepting it, as LeadSquared works asynchronously.

    .venv/bin/python benchmarks/bulk_bench.py [--rows 1000 5000]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock  # noqa: E402
from bot.sandbox.leadsquared import RateLimitRule  # noqa: E402
from bot.sandbox.stack import SandboxStack  # noqa: E402

LIMIT_CALLS, LIMIT_SECONDS = 25, 5.0
BACKGROUND_CALLS = LIMIT_CALLS - LIMIT_CALLS // 5
BULK_DELAY = 3.0


def floor_seconds(calls: int) -> float:
    """The least time `calls` background calls can take at the limit: a first window free, then the steady
    rate, then LeadSquared's processing of the last chunk."""
    return max(0, calls - BACKGROUND_CALLS) * LIMIT_SECONDS / BACKGROUND_CALLS + BULK_DELAY


def one_run(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = SandboxStack(Path(folder) / "bulk.db", clock=SystemClock(), lsq_rate_limit="25/5s",
                             lsq_bulk_rate_limit="25/5s", taskbot_admins="UOPS")
        stack.lsq.rate = RateLimitRule(LIMIT_CALLS, LIMIT_SECONDS)
        stack.lsq.bulk_delay = BULK_DELAY
        stack.start()
        try:
            stack.settings.public_url = stack.bot_url
            ops = stack.user("UOPS")
            content = "Name,DueDate,OwnerEmailAddress\n" + "".join(
                f"webinar follow-up {i:05d},fri {1 + i % 8}pm,maria@acme-sales.test\n" for i in range(rows))
            time.sleep(LIMIT_SECONDS)  # let the start-up calls leave the rate window
            started = time.perf_counter()
            ops.command("/bulktasks")
            ops.wait_for_modal("bulk_modal")
            ops.submit(bulk_file=ops.upload("webinar.csv", content.encode()))
            summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=120)
            checked = time.perf_counter() - started
            calls_before = len(stack.lsq.calls_to("Task.svc/Bulk/Create"))
            started = time.perf_counter()
            ops.click("bulk_create", message=summary)
            report = ops.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), timeout=600)
            sending = time.perf_counter() - started
            peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            creates = len(stack.lsq.calls_to("Task.svc/Bulk/Create")) - calls_before
            expected = math.ceil(rows / 50)
            floor = floor_seconds(expected)
            print(f"{rows:,} rows: checked in {checked:.2f} s; {creates} Bulk/Create calls (ceil(n/50) = {expected}); "
                  f"sent in {sending:.1f} s beside a floor of {floor:.1f} s (target <= {1.2 * floor + 2:.1f} s); "
                  f"peak memory (whole process: bot and sandboxes) {peak_mib:.0f} MiB; {report.text}")
            print(f"  LeadSquared saw at most {stack.lsq.max_in_any_window(LIMIT_SECONDS)} calls in any "
                  f"{LIMIT_SECONDS:g} s window; {len(stack.lsq.webhook_deliveries)} webhook deliveries")
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    for rows in parser.parse_args().rows:
        one_run(rows)  # run one size per process for a clean peak-memory figure


if __name__ == "__main__":
    main()
