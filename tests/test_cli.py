"""`taskbot run` and `taskbot doctor` as an admin runs them, as separate processes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.sandbox.highlevel import LOCATION_ID as GHL_LOCATION
from bot.sandbox.highlevel import TOKEN as GHL_TOKEN
from bot.sandbox.leadsquared import ACCESS_KEY as LSQ_ACCESS
from bot.sandbox.leadsquared import SECRET_KEY as LSQ_SECRET
from bot.sandbox.slack import SlackSandbox, seed_workspace
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET
from bot.sandbox.virtual_user import VirtualUser
from bot.serving import BackgroundServer, free_port

TASKBOT = [sys.executable, "-m", "bot"]


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {**keep, "TASKBOT_DB": str(tmp_path / "cli.db"), **variables}


@pytest.fixture
def slack(tmp_path):
    sandbox = SlackSandbox(bot_token=BOT_TOKEN)
    seed_workspace(sandbox)
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    yield sandbox
    server.stop()


SLACK = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)


def taskbot(tmp_path: Path, *arguments: str, stdin: str | None = None, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(TASKBOT + list(arguments), env=clean_env(tmp_path, COLUMNS="400", **variables), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, input=stdin)


def test_run_without_settings_names_every_missing_variable_and_never_opens_the_console(tmp_path):
    started = time.monotonic()
    result = subprocess.run(TASKBOT + ["run"], env=clean_env(tmp_path), cwd=tmp_path, capture_output=True,
                            text=True, timeout=30, input=":quit\n")
    assert time.monotonic() - started < 10
    assert result.returncode == 2
    named = [line.split(":")[0] for line in result.stderr.strip().splitlines()[:-1]]
    assert named == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "LSQ_ACCESS_KEY", "LSQ_SECRET_KEY", "GHL_TOKEN",
                     "GHL_LOCATION_ID"]
    assert "api.slack.com/apps" in result.stderr and "TASKBOT_SANDBOX=1" in result.stderr
    assert "Taskbot console" not in result.stdout and "Traceback" not in result.stderr


def test_make_run_opens_the_console_without_slack_and_says_so(tmp_path):
    result = taskbot(tmp_path, "run", "--or-console", stdin=":quit\n")
    assert result.returncode == 0
    assert "SLACK_BOT_TOKEN is not set, so this opens the console" in result.stderr
    assert "Taskbot console" in result.stdout and "Traceback" not in result.stderr + result.stdout
    assert "run --or-console" in (Path(__file__).parents[1] / "Makefile").read_text()


def test_a_half_set_crm_stops_run_even_when_sandboxes_are_allowed(tmp_path):
    result = taskbot(tmp_path, "run", **SLACK, TASKBOT_SANDBOX="1", LSQ_ACCESS_KEY="u$r-access", GHL_TOKEN="pit-x")
    assert result.returncode == 2
    assert "LSQ_SECRET_KEY: not set, but LSQ_ACCESS_KEY is: LeadSquared needs both" in result.stderr
    assert "GHL_LOCATION_ID: not set, but GHL_TOKEN is: HighLevel needs both" in result.stderr
    assert "u$r-access" not in result.stderr


def test_a_misspelt_variable_is_named_with_the_likely_meant_one(tmp_path):
    (tmp_path / ".env").write_text("GHL_LOCATIONID=loc1\n")
    result = taskbot(tmp_path, "run", **SLACK, LSQ_ACESS_KEY="k", LSQ_SECRET_KEY="s")
    assert result.returncode == 2
    assert "warning: LSQ_ACESS_KEY: not a Taskbot setting, so it is ignored (did you mean LSQ_ACCESS_KEY?)" in \
        result.stderr
    assert "GHL_LOCATIONID: not a Taskbot setting, so it is ignored (did you mean GHL_LOCATION_ID?)" in result.stderr
    assert "LSQ_ACCESS_KEY: not set, but LSQ_SECRET_KEY is" in result.stderr


@pytest.mark.parametrize("arguments", [
    [], ["frobnicate"], ["run", "--bogus"], ["doctor", "extra"], ["console", "--now", "yesterday"],
    ["console", "--now", "2025-03-07T18:40:00"], ["when"], ["when", "tmrw 3pm", "--tz", "Mars/Base"],
    ["when", "tmrw 3pm", "--now", "yesterday"], ["when", "tmrw 3pm", "--now", "2025-03-07T18:40:00"],
])
def test_every_command_answers_bad_arguments_with_one_line_and_exit_code_2(tmp_path, arguments):
    result = taskbot(tmp_path, *arguments)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("taskbot") and "--help" in result.stderr and "Traceback" not in result.stderr


def test_when_names_what_is_wrong_with_a_zone_or_an_instant(tmp_path):
    assert "'Mars/Base' is not a time zone" in taskbot(tmp_path, "when", "tmrw", "--tz", "Mars/Base").stderr
    assert "'yesterday' is not an ISO 8601 instant" in taskbot(tmp_path, "when", "tmrw", "--now", "yesterday").stderr


def test_malformed_settings_name_each_variable_and_never_echo_secrets(tmp_path):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxp-user-token-not-a-bot", SLACK_SIGNING_SECRET="s3cr3t-value",
                    PORT="eighty", DEFAULT_TZ="Mars/Olympus", LSQ_RATE_LIMIT="lots", TASKBOT_SANDBOX="maybe")
    result = subprocess.run(TASKBOT + ["run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["SLACK_BOT_TOKEN", "PORT", "LSQ_RATE_LIMIT", "TASKBOT_SANDBOX",
                                                      "DEFAULT_TZ"]
    assert "PORT: expected a port number from 1 to 65535, got 'eighty'" in result.stderr
    assert "TASKBOT_SANDBOX: expected 1 or 0, got 'maybe'" in result.stderr
    assert "xoxp-user-token-not-a-bot" not in result.stderr and "s3cr3t-value" not in result.stderr


def test_run_serves_health_and_acks_a_signed_command_then_stops_on_sigterm(tmp_path, slack):
    port = free_port()
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", PORT=str(port), TASKBOT_SANDBOX="1")
    process = subprocess.Popen(TASKBOT + ["run"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        health = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert health is not None and health.status_code == 200
        assert health.json()["slack"] == "ok"
        rep = VirtualUser(slack, f"http://127.0.0.1:{port}", SIGNING_SECRET, "UMARIA", "CSALES")
        ack = rep.command("/taskbot help")
        assert ack.status == 200 and ack.latency_ms < 3000
        assert "LeadSquared: sandbox" in str(ack.body) and "HighLevel: sandbox" in str(ack.body)
        rep.command("/meet Priya demo next mon 10am")
        rep.wait_for_modal("meet_modal", where=lambda v: any(b.get("block_id") == "meet_calendar"
                                                             for b in v.view["blocks"]), timeout=10)
        assert rep.submit().errors == {}
        booked = rep.wait_for_message(lambda m: "Meeting booked: Priya demo" in m.text, timeout=10)
        assert "HighLevel (sandbox)" in str(booked.blocks)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode in (0, -signal.SIGTERM)
    assert "stopped: in-flight work finished, database closed" in stderr
    assert "slack command /taskbot user=UMARIA outcome=ok" in stderr
    assert "HighLevel: sandbox" in stderr and "LeadSquared: sandbox" in stderr
    assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr


def test_doctor_passes_with_a_working_slack_and_sandboxes_asked_for(tmp_path, slack):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="400", TASKBOT_SANDBOX="1")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    assert "Slack auth.test" in result.stdout and "FAIL" not in result.stdout
    assert "the built-in sandbox (TASKBOT_SANDBOX=1)" in result.stdout
    assert "does not exist yet; it is created at start-up" in result.stdout
    assert not (tmp_path / "cli.db").exists(), "doctor looks; it creates nothing"


def test_doctor_fails_on_half_set_or_missing_crm_keys_with_the_fix(tmp_path, slack):
    base = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.base_url + "/api/")
    half = taskbot(tmp_path, "doctor", **base, TASKBOT_SANDBOX="1", LSQ_ACCESS_KEY="u$r-access")
    assert half.returncode == 1
    assert "LSQ_SECRET_KEY" in half.stdout and "LeadSquared needs both" in half.stdout
    assert "API and Webhooks > Secret Key" in half.stdout and "u$r-access" not in half.stdout
    unset = taskbot(tmp_path, "doctor", **base)
    assert unset.returncode == 1 and "GHL_LOCATION_ID" in unset.stdout and "TASKBOT_SANDBOX=1" in unset.stdout


def test_doctor_gives_the_fix_for_malformed_settings_and_warns_of_typos(tmp_path):
    result = taskbot(tmp_path, "doctor", PORT="eighty", SLACK_BOT_TOKN="xoxb-1")
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if "PORT" in line)
    assert "expected a port number from 1 to 65535, got 'eighty'" in row and "any free TCP port" in row
    assert "Input should be" not in result.stdout
    typo = next(line for line in result.stdout.splitlines() if "SLACK_BOT_TOKN" in line)
    assert "warn" in typo and "did you mean SLACK_BOT_TOKEN?" in typo


def test_doctor_calls_an_unknown_host_a_dns_failure_not_a_wait(tmp_path, slack):
    result = taskbot(tmp_path, "doctor", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                     SLACK_API_URL=slack.base_url + "/api/", LSQ_API_URL="https://api-nope.invalid/v2/",
                     LSQ_ACCESS_KEY=LSQ_ACCESS, LSQ_SECRET_KEY=LSQ_SECRET, TASKBOT_SANDBOX="1")
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if "LeadSquared" in line)
    assert "cannot find the host api-nope.invalid (DNS lookup failed)" in row and "LSQ_API_URL" in row
    assert "try again in a minute" not in result.stdout


def test_doctor_leaves_an_existing_database_as_it_is(tmp_path, slack):
    from bot.clock import SystemClock
    from bot.store import Store, newest_revision

    Store(tmp_path / "cli.db", SystemClock()).close()
    before = sorted(path.name for path in tmp_path.iterdir())
    result = taskbot(tmp_path, "doctor", **SLACK, SLACK_API_URL=slack.base_url + "/api/", TASKBOT_SANDBOX="1")
    assert result.returncode == 0, result.stdout
    assert f"cli.db (schema v{int(newest_revision())})" in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == before


def test_doctor_names_missing_scopes_and_the_fix(tmp_path, slack):
    slack.granted_scopes = "commands,chat:write"
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="400")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "users:read.email" in result.stdout and "reinstall the app" in result.stdout


def test_doctor_fails_on_a_bad_token(tmp_path, slack):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-wrong", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="400")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "invalid_auth" in result.stdout


def test_doctor_checks_leadsquared_keys_and_host(tmp_path, slack, lsq):
    base = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, TASKBOT_SANDBOX="1",
                SLACK_API_URL=slack.base_url + "/api/", LSQ_API_URL=lsq.base_url + "/v2/", COLUMNS="400")
    good = subprocess.run(TASKBOT + ["doctor"], env=clean_env(tmp_path, **base, LSQ_ACCESS_KEY=LSQ_ACCESS,
                                                              LSQ_SECRET_KEY=LSQ_SECRET),
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stdout
    assert "olivia@acme-sales.test" in good.stdout and "LeadSquared host" in good.stdout
    bad = subprocess.run(TASKBOT + ["doctor"], env=clean_env(tmp_path, **base, LSQ_ACCESS_KEY="wrong-key",
                                                             LSQ_SECRET_KEY="wrong-secret"),
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "API and Webhooks" in bad.stdout and "wrong-secret" not in bad.stdout


def test_doctor_checks_the_highlevel_token_and_calendar(tmp_path, slack, ghl):
    base = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.base_url + "/api/",
                GHL_API_URL=ghl.base_url, GHL_LOCATION_ID=GHL_LOCATION, COLUMNS="400", TASKBOT_SANDBOX="1")

    def doctor(**variables: str) -> subprocess.CompletedProcess:
        return subprocess.run(TASKBOT + ["doctor"], env=clean_env(tmp_path, **base, **variables), cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)

    good = doctor(GHL_TOKEN=GHL_TOKEN, GHL_CALENDAR_ID="calDemo00000000001")
    assert good.returncode == 0, good.stdout
    assert "2 calendars in location" in good.stdout and "/meet books on Product demo" in good.stdout
    unknown = doctor(GHL_TOKEN=GHL_TOKEN, GHL_CALENDAR_ID="calNope")
    assert unknown.returncode == 1 and "Discovery call (calDiscovery000002)" in unknown.stdout
    bad = doctor(GHL_TOKEN="pit-wrong-token")
    assert bad.returncode == 1 and "Private Integration" in bad.stdout and "pit-wrong-token" not in bad.stdout


def lsq_port(lsq) -> int:
    return int(lsq.base_url.rsplit(":", 1)[1])


def test_doctor_names_the_right_regional_host(tmp_path, slack, lsq):
    port = lsq_port(lsq)
    lsq.base_url = "http://api-us11.example.test"
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", LSQ_API_URL=f"http://127.0.0.1:{port}/v2/",
                    LSQ_ACCESS_KEY=LSQ_ACCESS, LSQ_SECRET_KEY=LSQ_SECRET, COLUMNS="400", TASKBOT_SANDBOX="1")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "LSQ_API_URL=https://api-us11.example.test/v2/" in result.stdout


def test_socket_mode_connects_and_acks_a_command_over_the_socket(tmp_path, slack):
    slack.app_token = "xapp-1-sandbox-app-token"
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=slack.app_token,
                    SLACK_API_URL=slack.base_url + "/api/", PORT=str(free_port()), TASKBOT_SANDBOX="1")
    process = subprocess.Popen(TASKBOT + ["run"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        slack.wait_for(lambda: slack.socket, timeout=20)
        envelope = slack.send_envelope("slash_commands", {
            "command": "/taskbot", "text": "help", "user_id": "UMARIA", "user_name": "maria",
            "channel_id": "CSALES", "team_id": slack.team_id, "trigger_id": slack.issue_trigger("UMARIA"),
            "response_url": slack.issue_response_url("CSALES", "UMARIA")})
        ack = slack.wait_for(lambda: slack.socket_acks.get(envelope), timeout=5)
        assert "/todo" in str(ack)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert "Socket Mode connected" in stderr and BOT_TOKEN not in stderr and "xapp-1-sandbox" not in stderr
