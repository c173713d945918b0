"""`taskbot when`: one phrase as JSON, or a stream of JSON lines."""

import json
import subprocess
import sys

WHEN = [sys.executable, "-m", "bot", "when"]


def test_one_phrase_prints_json():
    out = subprocess.run(WHEN + ["tmrw 3pm", "--tz", "America/New_York", "--now", "2025-03-07T18:40:00-05:00"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["utc"] == "2025-03-08T20:00:00Z"


def test_jsonl_answers_each_line_and_survives_bad_ones():
    lines = "\n".join([
        json.dumps({"phrase": "next mon 10am", "ref": "2025-03-07T18:40:00-05:00", "tz": "America/New_York"}),
        "this is not json",
        json.dumps({"phrase": "yesterday", "ref": "2025-03-07T18:40:00-05:00", "tz": "UTC"}),
        json.dumps({"phrase": "fri 2pm for 45m", "ref": "2025-03-04T10:15:00-08:00", "tz": "America/Los_Angeles"}),
    ]) + "\n"
    out = subprocess.run(WHEN + ["--jsonl"], input=lines, capture_output=True, text=True, check=True).stdout
    answers = [json.loads(line) for line in out.splitlines()]
    assert answers[0]["utc"] == "2025-03-10T14:00:00Z" and answers[0]["error"] is None
    assert answers[1]["utc"] is None and answers[1]["error"].startswith("bad input")
    assert answers[2]["utc"] is None and answers[2]["error"].startswith("past:")
    assert answers[3]["end_utc"] == "2025-03-07T22:45:00Z"


def test_jsonl_flushes_each_answer_before_reading_the_next():
    process = subprocess.Popen(WHEN + ["--jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    process.stdin.write(json.dumps({"phrase": "in 45 mins", "ref": "2025-03-04T10:15:00-08:00", "tz": "UTC"}) + "\n")
    process.stdin.flush()
    first = json.loads(process.stdout.readline())
    process.stdin.close()
    process.wait(timeout=10)
    assert first["utc"] == "2025-03-04T19:00:00Z"
