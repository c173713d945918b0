"""Settings: defaults, shapes, and messages that name the variable and where to get it."""

import pytest

from bot.config import RateLimit, Settings, SettingsError, load_settings, require_for_http


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
    assert [p.split(":")[0] for p in problems] == ["SLACK_APP_TOKEN", "LSQ_API_URL", "TASKBOT_ADMINS", "LOG_FORMAT"]
    assert "App-Level Tokens" in problems[0]
    assert "xoxb-wrong-kind" not in str(caught.value)


def test_http_mode_needs_the_signing_secret_socket_mode_does_not():
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        require_for_http(settings(slack_bot_token="xoxb-1"))
    require_for_http(settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1"))


def test_rate_limits_parse_and_admins_split():
    assert RateLimit.parse("10 / 5s") == RateLimit(10, 5.0) and str(RateLimit(25, 5)) == "25/5s"
    with pytest.raises(ValueError):
        RateLimit.parse("0/5s")
    assert settings(taskbot_admins="UADMIN1, UADMIN2").admins == {"UADMIN1", "UADMIN2"}


def test_secrets_are_hidden_in_repr():
    s = settings(slack_bot_token="xoxb-very-secret", lsq_access_key="ak-secret")
    assert "xoxb-very-secret" not in repr(s) and "ak-secret" not in repr(s)
    assert set(s.secret_values()) == {"xoxb-very-secret", "ak-secret"}
