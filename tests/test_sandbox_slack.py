"""The Slack sandbox answers as Slack does where a bot can get it wrong."""

from datetime import UTC, datetime

import httpx
import pytest

from bot.clock import ManualClock
from bot.sandbox.slack import SlackSandbox, seed_workspace
from bot.serving import BackgroundServer

pytestmark = pytest.mark.refusals_expected
TOKEN = "xoxb-test"
MODAL = {"type": "modal", "callback_id": "x", "title": {"type": "plain_text", "text": "New to-do"},
         "submit": {"type": "plain_text", "text": "Create"},
         "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Subject"},
                     "element": {"type": "plain_text_input", "action_id": "title"}}]}


@pytest.fixture
def clock():
    return ManualClock(datetime(2025, 3, 4, 18, 15, tzinfo=UTC))


@pytest.fixture
def slack(clock):
    sandbox = SlackSandbox(bot_token=TOKEN, clock=clock, trigger_clock=clock)
    seed_workspace(sandbox)
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    yield sandbox
    server.stop()


def call(slack: SlackSandbox, method: str, token: str = TOKEN, **args) -> httpx.Response:
    return httpx.post(f"{slack.base_url}/api/{method}", json=args, headers={"authorization": f"Bearer {token}"})


def test_wrong_token_is_invalid_auth(slack):
    assert call(slack, "auth.test", token="xoxb-nope").json() == {"ok": False, "error": "invalid_auth"}


def test_trigger_ids_are_single_use_and_expire_after_three_seconds(slack, clock):
    first = slack.issue_trigger("UMARIA")
    assert call(slack, "views.open", trigger_id=first, view=MODAL).json()["ok"]
    assert call(slack, "views.open", trigger_id=first, view=MODAL).json()["error"] == "exchanged_trigger_id"
    late = slack.issue_trigger("UMARIA")
    clock.advance(3.1)
    assert call(slack, "views.open", trigger_id=late, view=MODAL).json()["error"] == "expired_trigger_id"


def test_invalid_views_and_blocks_are_refused(slack):
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title longer than 24 chars"}}
    assert call(slack, "views.open", trigger_id=slack.issue_trigger("UMARIA"),
                view=long_title).json()["error"] == "invalid_arguments"
    too_many = [{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}} for i in range(51)]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x",
                blocks=too_many).json()["error"] == "invalid_blocks"
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x",
                blocks=too_long).json()["error"] == "invalid_blocks"


def test_view_hash_guards_against_races_and_the_stack_holds_three(slack):
    opened = call(slack, "views.open", trigger_id=slack.issue_trigger("UMARIA"), view=MODAL).json()["view"]
    assert call(slack, "views.update", view_id=opened["id"], hash="stale", view=MODAL).json()["error"] == "hash_conflict"
    assert call(slack, "views.update", view_id=opened["id"], hash=opened["hash"], view=MODAL).json()["ok"]
    for _ in range(2):
        assert call(slack, "views.push", trigger_id=slack.issue_trigger("UMARIA"), view=MODAL).json()["ok"]
    assert call(slack, "views.push", trigger_id=slack.issue_trigger("UMARIA"),
                view=MODAL).json()["error"] == "push_limit_reached"


def test_channels_users_and_membership(slack):
    assert call(slack, "chat.postMessage", channel="CNOPE", text="x").json()["error"] == "channel_not_found"
    assert call(slack, "chat.postMessage", channel="GDEALROOM", text="x").json()["error"] == "not_in_channel"
    assert call(slack, "chat.postMessage", channel="CGENERAL", text="public, chat:write.public").json()["ok"]
    assert call(slack, "users.info", user="UNOBODY").json()["error"] == "user_not_found"
    dm = call(slack, "chat.postMessage", channel="UMARIA", text="hi").json()
    assert dm["channel"].startswith("D") and slack.history(dm["channel"])[0].text == "hi"
    assert call(slack, "chat.postEphemeral", channel="CGENERAL", user="UMARIA", text="x").json()["ok"]


def test_bursts_over_the_posting_rate_are_ratelimited_with_retry_after(slack, clock):
    answers = [call(slack, "chat.postMessage", channel="CSALES", text=str(i)) for i in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert answers[-1].json()["error"] == "ratelimited" and int(answers[-1].headers["retry-after"]) >= 1
    clock.advance(4.1)
    assert call(slack, "chat.postMessage", channel="CSALES", text="later").json()["ok"]


def test_threads_updates_and_scheduled_messages(slack, clock):
    parent = call(slack, "chat.postMessage", channel="CSALES", text="parent").json()
    call(slack, "chat.postMessage", channel="CSALES", text="reply", thread_ts=parent["ts"])
    assert [m.text for m in slack.replies("CSALES", parent["ts"])] == ["reply"]
    assert call(slack, "chat.update", channel="CSALES", ts=parent["ts"], text="edited").json()["ok"]
    assert slack.find_message("CSALES", parent["ts"]).edited == 1
    post_at = int(clock.now().timestamp()) + 60
    scheduled = call(slack, "chat.scheduleMessage", channel="CSALES", text="later", post_at=post_at).json()
    assert call(slack, "chat.scheduleMessage", channel="CSALES", text="x",
                post_at=post_at - 120).json()["error"] == "time_in_past"
    clock.advance(61)
    assert slack.deliver_scheduled() == 1 and scheduled["scheduled_message_id"] not in slack.scheduled


def test_files_upload_in_three_steps_and_download_with_the_token(slack):
    step = call(slack, "files.getUploadURLExternal", filename="failed.csv", length=9).json()
    httpx.post(step["upload_url"], content=b"a,b\n1,2\n")
    done = call(slack, "files.completeUploadExternal", files=[{"id": step["file_id"], "title": "Failed rows"}],
                channel_id="CSALES").json()
    url = done["files"][0]["url_private"]
    assert httpx.get(url, headers={"authorization": f"Bearer {TOKEN}"}).content == b"a,b\n1,2\n"
    assert httpx.get(url).status_code == 403


def test_command_text_is_escaped_as_slack_escapes_it(clock):
    sandbox = SlackSandbox(bot_token=TOKEN, clock=clock)
    seed_workspace(sandbox)
    escaped = sandbox.escape_command_text("link @dev dev@acme.test <@UOPS|olivia> in #sales & <b>bold</b> @nobody")
    assert escaped == ("link <@UDEV|dev> <mailto:dev@acme.test|dev@acme.test> <@UOPS|olivia> in <#CSALES|sales> "
                       "&amp; &lt;b&gt;bold&lt;/b&gt; @nobody")


def buttons(*action_ids: str) -> list[dict]:
    return [{"type": "actions", "block_id": "b", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": f"B{i}"}, "action_id": action_id}
        for i, action_id in enumerate(action_ids)]}]


def test_ids_must_be_unique_and_refusals_say_where(slack):
    answer = call(slack, "chat.postMessage", channel="CSALES", text="x", blocks=buttons("snooze", "snooze")).json()
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] duplicate action_id 'snooze' in one block [json-pointer:/blocks/0/elements/1/action_id]"]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x", blocks=buttons("snooze:15m", "snooze:1h")).json()["ok"]
    twice = [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x", blocks=twice).json()["error"] == "invalid_blocks"
    modal = {**MODAL, "blocks": MODAL["blocks"] * 2}
    assert call(slack, "views.open", trigger_id=slack.issue_trigger("UMARIA"),
                view=modal).json()["error"] == "invalid_arguments"


def test_every_documented_limit_on_every_surface(slack):
    assert call(slack, "chat.postMessage", channel="CSALES", text="x" * 40_001).json()["error"] == "msg_too_long"
    emoji_label = [{"type": "header", "text": {"type": "plain_text", "text": "🎉" * 76}}]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x",
                blocks=emoji_label).json()["error"] == "invalid_blocks", "Slack counts an emoji twice"
    metadata = {**MODAL, "private_metadata": "m" * 3001}
    assert call(slack, "views.open", trigger_id=slack.issue_trigger("UMARIA"),
                view=metadata).json()["error"] == "invalid_arguments"
    huge = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2999}}] * 90}
    assert call(slack, "views.publish", user_id="UMARIA", view=huge).json()["error"] == "view_too_large"
    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    assert call(slack, "views.publish", user_id="UMARIA", view=home).json()["error"] == "invalid_arguments"
    stray = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": "red"}]
    assert call(slack, "chat.postMessage", channel="CSALES", text="x", blocks=stray).json()["error"] == "invalid_blocks"
    hook = slack.issue_response_url("CSALES", "UMARIA")
    refused = httpx.post(hook, json={"text": "x", "blocks": [{"type": "divider"}] * 51})
    assert (refused.status_code, refused.text) == (400, "invalid_blocks")
    assert httpx.post(hook, json={"text": "fine"}).text == "ok"


def test_acks_are_judged_too(slack):
    view = {**MODAL, "id": "V1"}
    assert slack.check_ack("view_submission", {"response_action": "errors", "errors": {"title": "Too short"}},
                           view) is None
    assert slack.check_ack("view_submission", {"response_action": "errors", "errors": {"nope": "x"}},
                           view) == "invalid_arguments"
    assert slack.check_ack("command", {"text": "x", "blocks": [{"type": "divider"}] * 51}) == "invalid_blocks"
    options = [{"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(101)]
    assert slack.check_ack("block_suggestion", {"options": options}) == "invalid_arguments"
    assert [call.method for call in slack.refusals()] == ["ack:view_submission", "ack:command", "ack:block_suggestion"]


def test_dms_to_deactivated_people_and_bots_are_refused(slack):
    slack.users["UDEV"].deleted = True
    assert call(slack, "chat.postMessage", channel="UDEV", text="hi").json()["error"] == "user_disabled"
    assert call(slack, "chat.postMessage", channel="UTASKBOT", text="hi").json()["error"] == "cannot_dm_bot"
