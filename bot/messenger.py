"""The narrow services an area uses to reach customers, instead of the whole `Runtime`.

- `CustomerMessenger`: the one way to say something to a customer outside a reply (a case update,
  a campaign push, a notice): render the template, split it to the channel's byte limit
  (docs/rules.md R-TIME-3), and send it through the outbox, which records every part first and
  merges parts when the channel's send budget is short. It also knows the platforms' push rules an
  area needs to choose a route: whether a channel runs here, whether a WeChat customer is inside the
  48-hour customer-service window (bot/send_budget.py), and WeChat template messages for those
  outside it.
- `Redispatcher`: hands a customer's turn back to the dispatcher from outside a channel's request
  (a request kept while a source was down, a photo sent beside the chat), so the answer goes through
  the same lock, state, handlers, recorder and delivery as a message.

Both are built by `Runtime.open` (`runtime.messenger`, `runtime.redispatcher`) and given to the areas'
start-up in their `AreaKit` (bot/extension.py); an area takes the ones it needs into its own service
object (after-sales: `Desk`), so its modules never touch channels, the dispatcher or the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.errors import DeliveryFailed
from bot.events import Choice, Inbound, Outcome
from bot.send_budget import MESSAGE_WINDOW_S
from bot.splitter import split_message
from bot.templates import Templates

if TYPE_CHECKING:
    from bot.channels.base import Channel
    from bot.dispatcher import Dispatcher
    from bot.outbox import Outbox
    from bot.recorder import Recorder

#: Channels that only let the shop push within a window after the customer's last message (WeChat's
#: Official Account and WeCom 微信客服 alike); outside it only the Official Account has template messages.
PUSH_WINDOWS = {"wechat": timedelta(seconds=MESSAGE_WINDOW_S), "wecom": timedelta(seconds=MESSAGE_WINDOW_S)}
TEMPLATE_CHANNEL = "wechat"
#: The part size for a channel that does not run here (nothing is sent; `split` still answers).
DEFAULT_MAX_BYTES = 2000


class CustomerMessenger:
    def __init__(self, templates: Templates, outbox: Outbox, channels: Mapping[str, Channel], clock: Clock) -> None:
        self.templates = templates
        self.outbox = outbox
        self.channels = channels
        self.clock = clock

    @property
    def running(self) -> tuple[str, ...]:
        """The names of the channels that run in this process (the reports' channel filter)."""
        return tuple(self.channels)

    def reaches(self, channel: str) -> bool:
        """True when `channel` runs in this process (a WeChat follower is unreachable while WeChat is off)."""
        return channel in self.channels

    def windowed(self, channel: str) -> bool:
        """Whether `channel` lets the shop push only within a window after the customer's last message."""
        return channel in PUSH_WINDOWS

    def has_templates(self, channel: str) -> bool:
        """Whether `channel`'s customers can be reached by a template message outside the window."""
        return channel == TEMPLATE_CHANNEL

    def in_window(self, channel: str, last_inbound_at: datetime | None) -> bool:
        """Whether the shop may push to a customer of `channel` who last wrote at `last_inbound_at`:
        always on channels without a window, within it on those with one (WeChat: 48 h)."""
        window = PUSH_WINDOWS.get(channel)
        if window is None:
            return True
        return last_inbound_at is not None and self.clock.now() - last_inbound_at < window

    def render(self, key: str, fields: Mapping[str, Any] | None = None, seed: int = 0) -> str:
        """Template `key` filled in; a broken template becomes `common.fallback`, never an error."""
        return self.templates.render_safe(key, fields, seed)

    def split(self, channel: str, text: str) -> list[str]:
        """`text` in the parts the channel takes (its byte limit, R-TIME-3), as `send_text` sends them."""
        adapter = self.channels.get(channel)
        return split_message(text, adapter.max_bytes if adapter is not None else DEFAULT_MAX_BYTES)

    async def sends_left(self, channel: str, user_id: str) -> int | None:
        """Messages the platform still lets the shop push to this customer now; None when the channel has
        no such cap or does not run here."""
        adapter = self.channels.get(channel)
        return None if adapter is None else await adapter.sends_left(user_id)

    async def say(self, channel: str, user_id: str, key: str, fields: Mapping[str, Any] | None = None, *,
                  author: str = "bot", seed: int = 0, choices: Sequence[Choice] = ()) -> list[str] | None:
        """Render template `key` (see `render`) and send it; the outcome per part ("sent" or the
        platform's reason), None when the channel does not run here. `choices` go with the last part."""
        return await self.send_text(channel, user_id, self.render(key, fields, seed), author=author, choices=choices)

    async def send_text(self, channel: str, user_id: str, *texts: str, author: str = "bot",
                        choices: Sequence[Choice] = ()) -> list[str] | None:
        """Split already rendered texts to the channel's limit and send all their parts in order in one
        go, so the outbox can merge them when the send budget is short (see `say`)."""
        if channel not in self.channels:
            return None
        parts = [part for text in texts for part in self.split(channel, text)]
        return await self.outbox.send(channel, user_id, parts, author=author, choices=choices)

    async def template_message(self, user_id: str, template_id: str, fields: Mapping[str, str],
                               url: str | None = None) -> None:
        """A WeChat template message (for a follower outside the window); raises `ChannelError` with a
        `reason` when WeChat refuses it, `DeliveryFailed("no_template_channel")` when it does not run here."""
        api = getattr(self.channels.get(TEMPLATE_CHANNEL), "api", None)
        if api is None:
            raise DeliveryFailed("no_template_channel")
        data: dict[str, Any] = {name: {"value": value} for name, value in fields.items()}
        await api.send_template(user_id, template_id, data, url=url)


class Redispatcher:
    def __init__(self, dispatcher: Dispatcher, outbox: Outbox, recorder: Recorder,
                 channels: Mapping[str, Channel], clock: Clock) -> None:
        self.dispatcher = dispatcher
        self.outbox = outbox
        self.recorder = recorder
        self.channels = channels
        self.clock = clock

    async def event(self, conversation_key: str, event: str) -> bool:
        """Run `event` in the conversation as the customer's next turn, and push the answer through the
        outbox; False when the conversation's channel does not run here. Not recorded as their message."""
        channel, _, user_id = conversation_key.partition(":")
        outcome = await self._handle(Inbound(channel=channel, user_id=user_id, kind="event", event=event,
                                             received_at=self.clock.now(), raised_by_bot=True))
        if outcome is None:
            return False
        if outcome.texts:
            await self.outbox.send(channel, user_id, outcome.texts, source_ids=outcome.message_ids,
                                   choices=outcome.choices)
        return True

    async def answer(self, inbound: Inbound) -> Sequence[str] | None:
        """Handle `inbound` (built by an area's own endpoint) and return the answer for that endpoint to
        deliver in its response, recorded as sent; None when its channel does not run here."""
        outcome = await self._handle(inbound)
        if outcome is None:
            return None
        for source_id in outcome.message_ids:
            await self.recorder.mark_delivery(source_id, "sent")
        return outcome.texts

    async def _handle(self, inbound: Inbound) -> Outcome | None:
        channel = self.channels.get(inbound.channel)
        if channel is None:
            return None
        return await self.dispatcher.handle(inbound, channel.max_bytes)
