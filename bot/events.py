"""What flows through the dispatcher, independent of any channel.

An adapter turns a platform's request into an `Inbound`; handlers answer with a `Reply` (what to say,
by template key, and what to do); the dispatcher renders the reply into `Outbound` texts for the
adapter to deliver. Nothing here knows about WeChat, HTTP or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.text_input import clean_text

#: `Inbound.event` a channel sends when a person serving the customer outside the bot (a WeCom
#: servicer in the WeCom app) ended the session: the conversation is the bot's again.
SESSION_ENDED_BY_PERSON = "session_ended_by_person"
#: Events a channel passes on that the customer did not do (the platform's notices): handled like any
#: event, but not recorded as the customer's message, so not their contact (docs/rules.md R-RETENTION-1).
PLATFORM_NOTICES = frozenset({SESSION_ENDED_BY_PERSON})


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a customer did: a message or a platform event.

    `kind` is the platform's message type ("text", "image", "voice", "location", "event", ...);
    `source_id` is the platform's id for it (WeChat MsgId, a web-chat client id), used to make a
    retried delivery a no-op in the database as well as in the store.
    """

    channel: str
    user_id: str
    kind: str
    received_at: datetime
    text: str = ""
    source_id: str | None = None
    event: str | None = None
    event_key: str | None = None
    media_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: An event the bot raises in the conversation itself (bot/messenger.py `Redispatcher.event`, e.g. a
    #: deadline's retry): handled like the customer's, but neither their message nor their contact.
    raised_by_bot: bool = False

    def __post_init__(self) -> None:
        # Every channel builds an Inbound: cleaning here covers them all (see bot.text_input).
        object.__setattr__(self, "text", clean_text(self.text))

    @property
    def by_customer(self) -> bool:
        """False for a platform's notice (`PLATFORM_NOTICES`) or the bot's own event: not recorded as the
        customer's message, so it neither keeps them past retention nor reopens WeChat's 48-hour window."""
        return not (self.raised_by_bot or (self.kind == "event" and self.event in PLATFORM_NOTICES))

    @property
    def conversation_key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Say:
    """One template to render: `key` is `<file>.<name>` in scripts_zh, `fields` fill its placeholders."""

    key: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer the customer may pick instead of typing it.

    `reply` is exactly what picking it means: the text the customer would type (a handler parses a
    pick and a typed answer alike); `label` is what a button shows (the reply when empty). Channels
    that show buttons (WeCom's `msgmenu`, docs/wecom.md) send them; the others send the text alone,
    whose wording already names the answers (回复1-5分, 回复序号).
    """

    reply: str
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.reply


@dataclass(slots=True)
class Reply:
    """A handler's answer: templates to say, in order, and what the dispatcher should do.

    `escalate` carries the reason when the conversation needs a person; `intent` overrides the
    classified intent in the record (a dialogue step knows better than the matcher); `choices` are
    the answers the customer may pick after the last text (`offer`).
    """

    says: list[Say] = field(default_factory=list)
    escalate: str | None = None
    intent: str | None = None
    choices: list[Choice] = field(default_factory=list)

    @classmethod
    def say(cls, key: str, **fields: Any) -> Reply:
        return cls(says=[Say(key, fields)])

    def tagged(self, intent: str) -> Reply:
        """Record this reply under `intent` (for a media message or event the matcher did not classify)."""
        self.intent = intent
        return self

    def then(self, key: str, **fields: Any) -> Reply:
        self.says.append(Say(key, fields))
        return self

    def offer(self, *choices: Choice) -> Reply:
        """End the answer with answers to pick (buttons where the channel has them)."""
        self.choices.extend(choices)
        return self


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the dispatcher produced for one inbound: texts ready to deliver, already split to the limit."""

    texts: list[str]
    message_ids: list[str] = field(default_factory=list)  # the outbound rows' source ids, in order
    choices: tuple[Choice, ...] = ()  # answers to pick after the last text (Reply.choices)
