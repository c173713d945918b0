"""Settings: defaults, shapes, and messages that name the variable and where to get it."""

import pytest

from bot.config import (
    RateLimit,
    Settings,
    SettingsError,
    half_set,
    load_settings,
    require_for_run,
    unknown_variables,
)
from bot.people import date_order


def settings(**values) -> Settings:
    return load_settings(_env_file=None, **values)


def test_defaults_are_the_documented_ones(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "LSQ_ACCESS_KEY", "GHL_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    s = settings()
    assert s.slack_api_url == "https://slack.com/api/" and s.port == 3000
    assert s.lsq_limit == RateLimit(25, 5.0) and s.lsq_is_sandbox and s.ghl_is_sandbox
    assert s.default_tz == "UTC" and s.log_format == "text" and not s.socket_mode


def test_each_bad_value_is_one_line_naming_variable_and_source():
    with pytest.raises(SettingsError) as caught:
        settings(slack_app_token="xoxb-wrong-kind", lsq_api_url="ftp://x", log_format="xml",
                 taskbot_admins="UADMIN1,not-an-id")
    problems = caught.value.problems
    assert [p.variable for p in problems] == ["SLACK_APP_TOKEN", "LSQ_API_URL", "TASKBOT_ADMINS", "LOG_FORMAT"]
    assert "App-Level Tokens" in problems[0].fix and str(problems[0]).startswith("SLACK_APP_TOKEN: ")
    assert "xoxb-wrong-kind" not in str(caught.value)


def test_http_mode_needs_the_signing_secret_socket_mode_does_not():
    crm = dict(lsq_access_key="k", lsq_secret_key="s", ghl_token="t", ghl_location_id="l")
    assert [p.variable for p in require_for_run(settings(slack_bot_token="xoxb-1", **crm))] == ["SLACK_SIGNING_SECRET"]
    assert require_for_run(settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1", **crm)) == []


def test_a_crm_without_keys_is_a_sandbox_only_when_asked_for_and_never_half_set():
    slack = dict(slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert [p.variable for p in require_for_run(settings(**slack))] == [
        "LSQ_ACCESS_KEY", "LSQ_SECRET_KEY", "GHL_TOKEN", "GHL_LOCATION_ID"]
    assert require_for_run(settings(**slack, taskbot_sandbox="1")) == []
    half = settings(**slack, taskbot_sandbox=True, lsq_secret_key="s", ghl_location_id="  ")
    assert [p.variable for p in half_set(half)] == ["LSQ_ACCESS_KEY"]
    assert [p.variable for p in require_for_run(half)] == ["LSQ_ACCESS_KEY"]


def test_unknown_variables_with_our_prefixes_are_named_with_the_closest_setting(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TASKBOT_ADMIN=U1\nDEFAULT_TZ=UTC\n")
    found = unknown_variables({"LSQ_SECERT_KEY": "x", "SLACK_BOT_TOKEN": "xoxb-1", "HOME": "/root",
                               "GHL_SOMETHING_ELSE": "1"}, env_file)
    assert [(p.variable, p.fix) for p in found] == [
        ("GHL_SOMETHING_ELSE", "remove it, or see .env.example"), ("LSQ_SECERT_KEY", "did you mean LSQ_SECRET_KEY?"),
        ("TASKBOT_ADMIN", "did you mean TASKBOT_ADMINS?")]


def test_rate_limits_parse_and_admins_split():
    assert RateLimit.parse("10 / 5s") == RateLimit(10, 5.0) and str(RateLimit(25, 5)) == "25/5s"
    with pytest.raises(ValueError):
        RateLimit.parse("0/5s")
    assert settings(taskbot_admins="UADMIN1, UADMIN2").admins == {"UADMIN1", "UADMIN2"}


def test_secrets_are_hidden_in_repr():
    s = settings(slack_bot_token="xoxb-very-secret", lsq_access_key="ak-secret")
    assert "xoxb-very-secret" not in repr(s) and "ak-secret" not in repr(s)
    assert set(s.secret_values()) == {"xoxb-very-secret", "ak-secret"}


def test_the_date_order_is_mdy_dmy_or_unset_and_a_persons_choice_comes_first():
    assert settings().taskbot_date_order is None and settings(taskbot_date_order="").taskbot_date_order is None
    assert settings(taskbot_date_order=" dmy ").taskbot_date_order == "DMY"
    with pytest.raises(SettingsError) as caught:
        settings(taskbot_date_order="YMD")
    assert [p.variable for p in caught.value.problems] == ["TASKBOT_DATE_ORDER"]
    assert "MDY (3/12 is March 12)" in caught.value.problems[0].fix
    assert date_order(None, None, "America/Mexico_City") == "MDY" and date_order(None, None, "Europe/London") == "DMY"
    assert date_order(None, "DMY", "America/Los_Angeles") == "DMY"
    assert date_order("MDY", "DMY", "Europe/London") == "MDY"
