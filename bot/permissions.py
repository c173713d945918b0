"""Who may do what: search the CRMs, create work in them, run bulk imports.

Guests (Slack's single- and multi-channel guests) and people without an active LeadSquared user
see no CRM data and create nothing; bulk runs are for admins and the bulk group. Every refusal says
why and who can help, so nobody is left guessing.
"""

from __future__ import annotations

import asyncio

from bot.config import Settings
from bot.crm.errors import CRMError
from bot.people import People
from bot.store import Store
from bot.ui.text import escape

LOOKUP_SECONDS = 1.0


class Permissions:
    def __init__(self, settings: Settings, people: People, store: Store):
        self.settings = settings
        self.people = people
        self.store = store

    def helpers(self) -> str:
        """Who to ask: the configured admins by mention, else the workspace's admins."""
        admins = sorted(self.settings.admins)
        return ", ".join(f"<@{admin}>" for admin in admins) if admins else "your Slack admin"

    async def may_create(self, slack_id: str) -> str | None:
        """None when this person may search the CRMs and create tasks and meetings; else why not."""
        person = await self.people.get(slack_id)
        if person.guest:
            return self._guest()
        lookup = asyncio.ensure_future(self.people.crm_user(slack_id))
        try:
            crm_user = await asyncio.wait_for(asyncio.shield(lookup), LOOKUP_SECONDS)
        except asyncio.TimeoutError:
            return None  # the form must open inside the trigger's 3 s; the submission and the outbox check again
        except CRMError as error:
            return f"Taskbot could not check your LeadSquared user, so nothing was opened: {error.message}"
        if crm_user is None:
            email = f" ({escape(person.email)})" if person.email else ""
            return (f"Taskbot creates work only for people with an active LeadSquared user, and your Slack "
                    f"email{email} doesn't match one. Ask {self.helpers()} to add you in LeadSquared or to link "
                    "you with `/taskbot link`.")
        return None

    def may_search(self, slack_id: str) -> bool:
        """Typeahead answers within Slack's window, so only what is already known counts: someone the
        bot has not yet let open a form (a guest, someone without a CRM user) gets no results."""
        person = self.people.cached(slack_id)
        return bool(person and not person.guest and self.people.cached_crm_user(slack_id))

    def may_submit(self, slack_id: str) -> str | None:
        """Checked inside a modal's ack (no network): a guest's forged submission is refused inline."""
        person = self.people.cached(slack_id)
        if person is not None and person.guest:
            return self._guest()
        return None

    async def may_bulk(self, slack_id: str) -> str | None:
        """Admins and the bulk group (sales ops, who assign tasks to others and need no CRM user of their own)."""
        if slack_id in self.settings.admins or slack_id in self.settings.bulk_users:
            return self._guest() if (await self.people.get(slack_id)).guest else None
        return (f"`/bulktasks` is for Taskbot admins and the bulk group (TASKBOT_BULK_USERS). Ask {self.helpers()} "
                "to add you, or to run the import for you.")

    async def may_start_bulk(self, slack_id: str) -> str | None:
        """One bulk run per person at a time: a second would compete with the first for the same limit."""
        refusal = await self.may_bulk(slack_id)
        if refusal is None and self.store.running_bulk_run(slack_id) is not None:
            return ("Your earlier bulk run is still creating tasks; start this one when it has finished "
                    "(its progress message says when).")
        return refusal

    def may_submit_bulk(self, slack_id: str) -> str | None:
        """Inside the bulk modal's ack (no network): only the bulk group may submit one."""
        if slack_id in self.settings.admins or slack_id in self.settings.bulk_users:
            return self.may_submit(slack_id)
        return f"Bulk runs are for Taskbot admins and the bulk group. Ask {self.helpers()} to add you."

    def _guest(self) -> str:
        return (f"Guests can't search the CRM or create tasks with Taskbot. If you need to, ask {self.helpers()} "
                "to make you a full member of the workspace.")
