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


def test_run_without_credentials_opens_the_console_and_says_what_to_set(tmp_path):
    started = time.monotonic()
    result = subprocess.run(TASKBOT + ["run"], env=clean_env(tmp_path), cwd=tmp_path, capture_output=True,
                            text=True, timeout=30, input=":quit\n")
    assert time.monotonic() - started < 10
    assert result.returncode == 0
    assert "SLACK_BOT_TOKEN" in result.stderr and "api.slack.com/apps" in result.stderr
    assert "Taskbot console" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_malformed_settings_name_each_variable_and_never_echo_secrets(tmp_path):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxp-user-token-not-a-bot", SLACK_SIGNING_SECRET="s3cr3t-value",
                    PORT="eighty", DEFAULT_TZ="Mars/Olympus", LSQ_RATE_LIMIT="lots")
    result = subprocess.run(TASKBOT + ["run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["SLACK_BOT_TOKEN", "PORT", "LSQ_RATE_LIMIT", "DEFAULT_TZ"]
    assert "xoxp-user-token-not-a-bot" not in result.stderr and "s3cr3t-value" not in result.stderr


def test_run_serves_health_and_acks_a_signed_command_then_stops_on_sigterm(tmp_path, slack):
    port = free_port()
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", PORT=str(port))
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


def test_doctor_passes_with_a_working_slack(tmp_path, slack):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="200")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    assert "Slack auth.test" in result.stdout and "FAIL" not in result.stdout


def test_doctor_names_missing_scopes_and_the_fix(tmp_path, slack):
    slack.granted_scopes = "commands,chat:write"
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="200")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "users:read.email" in result.stdout and "reinstall the app" in result.stdout


def test_doctor_fails_on_a_bad_token(tmp_path, slack):
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-wrong", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack.base_url + "/api/", COLUMNS="200")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "invalid_auth" in result.stdout


def test_doctor_checks_leadsquared_keys_and_host(tmp_path, slack, lsq):
    base = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=slack.base_url + "/api/", LSQ_API_URL=lsq.base_url + "/v2/", COLUMNS="200")
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
                GHL_API_URL=ghl.base_url, GHL_LOCATION_ID=GHL_LOCATION, COLUMNS="200")

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
                    LSQ_ACCESS_KEY=LSQ_ACCESS, LSQ_SECRET_KEY=LSQ_SECRET, COLUMNS="200")
    result = subprocess.run(TASKBOT + ["doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "LSQ_API_URL=https://api-us11.example.test/v2/" in result.stdout


def test_socket_mode_connects_and_acks_a_command_over_the_socket(tmp_path, slack):
    slack.app_token = "xapp-1-sandbox-app-token"
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=slack.app_token,
                    SLACK_API_URL=slack.base_url + "/api/", PORT=str(free_port()))
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
