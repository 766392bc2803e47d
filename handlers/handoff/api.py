"""The agent console's JSON API under `/api/agent/` and its live WebSocket (the page: bot/web/console_page.py).

Every console action is a typed endpoint here (shapes in schemas.py, all in `/api/openapi.json`);
the page only calls these. An agent sees the conversations they hold; supervisors and admins see
all. Phone numbers are masked (138****5678): the console never needs the full number. The Chinese
words for reason and error codes (labels.py) come from `GET /api/labels` (bot/web/labels.py).
"""

from __future__ import annotations

from aiohttp import web

from bot.extension import area_service
from bot.splitter import pack
from bot.store.keys import CONSOLE_TOPIC, agent_topic
from bot.templates import spec
from bot.web.auth import AGENT, authenticate
from bot.web.sessions import console_socket
from bot.web.typed import ApiError, endpoint
from handlers.handoff import schemas as s
from handlers.handoff.delivery import category, part_delivery
from handlers.handoff.metrics import get_metrics
from handlers.handoff.nicknames import shown_on_one_line, taken_by_another
from handlers.handoff.people import sends_left, typed
from handlers.handoff.send_once import SendBegins, send_once
from handlers.handoff.service import HANDOFF, ChannelNotHere, EmptyReply, ForbiddenLanguage, Handoff, NotServing
from handlers.handoff.views import conversation_out, message_out, supervisor_summary
from models.agent import SERVING, SUPERVISORS, Agent
from models.conversation import Conversation
from models.handoff import HandoverNote
from models.message import Message

CANNED_KEYS = ("greeting", "checking", "more_help", "order_no", "thanks_wait", "sorry", "goodbye")
SCRIPTS = tuple(spec(f"canned.{key}", "agent_name") for key in CANNED_KEYS)
BASE = "/api/agent/conversations/{conversation_id}"
TAG = "console"
ON_ONE = {403: "held by someone else (held_by_someone_else)", 404: "no such conversation (no_such_conversation)"}


def handoff_of(request: web.Request) -> Handoff:
    return area_service(request, HANDOFF)


async def conversation_for(request: web.Request, *, queued_ok: bool = False) -> Conversation:
    """The conversation in the path, if this agent may act on it (403 otherwise, 404 if absent)."""
    try:
        conversation_id = int(request.match_info["conversation_id"])
    except ValueError:
        conversation_id = None
    return await allowed_conversation(request, conversation_id, queued_ok=queued_ok)


async def allowed_conversation(request: web.Request, conversation_id: int | None, *,
                               queued_ok: bool = False, holder_only: bool = False) -> Conversation:
    """The conversation if this agent may act on it (403 otherwise, 404 if absent); `holder_only`:
    only its holder (not a supervisor looking on)."""
    conversation = await Conversation.get_or_none(id=conversation_id) if conversation_id is not None else None
    if conversation is None:
        raise ApiError(404, "no_such_conversation", "no such conversation")
    agent = request[AGENT]
    if conversation.assignee_id == agent.id or (agent.role in SUPERVISORS and not holder_only):
        return conversation
    if queued_ok and conversation.status == "queued":
        return conversation
    raise ApiError(403, "held_by_someone_else", "this conversation is held by someone else")


def agent_out(agent: Agent) -> s.AgentOut:
    return s.AgentOut(agent=s.AgentBrief(id=agent.id, name=agent.name, display_name=agent.display_name,
                                         presence=agent.presence))


#: The 403 of a staff member whose role serves no customers (models/agent.py `SERVING`), acting as if it did.
NOT_SERVING = "your role serves no customers: never online, taking or transferred a conversation (role_not_serving)"


def role_not_serving() -> ApiError:
    return ApiError(403, "role_not_serving", "your role serves no customers")


@endpoint("POST", "/api/agent/presence", body=s.PresenceIn, response=s.AgentOut, tag=TAG,
          errors={403: f"online or away: {NOT_SERVING}"},
          summary="Set presence (online / away / offline); going offline hands conversations on")
async def post_presence(request: web.Request, body: s.PresenceIn) -> s.AgentOut:
    agent = request[AGENT]
    try:
        await handoff_of(request).set_presence(agent, body.presence)
    except NotServing:
        raise role_not_serving() from None
    return agent_out(agent)


@endpoint("POST", "/api/agent/typing", body=s.TypingIn, response=s.AgentOut, tag=TAG,
          summary="The agent is typing to a customer they hold: proof of presence, away becomes online")
async def post_typing(request: web.Request, body: s.TypingIn) -> s.AgentOut:
    agent = request[AGENT]
    conversation = await allowed_conversation(request, body.conversation_id, holder_only=True)
    handoff = handoff_of(request)
    await typed(handoff.store, handoff.clock, agent.id, conversation.id)  # working on this answer: it stays theirs
    await handoff.touch(agent)
    return agent_out(agent)


@endpoint("POST", "/api/agent/profile", body=s.ProfileIn, response=s.AgentOut, tag=TAG,
          errors={400: "shows nothing, breaks the line or turns the text around (nickname_invalid)",
                  409: "another agent's login name or 昵称 (nickname_taken)"},
          summary="Set the 昵称 customers see (the login name stays internal)")
async def post_profile(request: web.Request, body: s.ProfileIn) -> s.AgentOut:
    name = body.display_name.strip()
    if not shown_on_one_line(name):
        raise ApiError(400, "nickname_invalid", "the 昵称 must show something, on one line, left to right")
    agent = request[AGENT]
    if await taken_by_another(name, agent.id):
        raise ApiError(409, "nickname_taken", "another agent has this login name or 昵称")
    agent.display_name = name
    await agent.save(update_fields=["display_name"])
    return agent_out(agent)


@endpoint("GET", "/api/agent/queue", response=s.QueueOut, tag=TAG, summary="Customers waiting for a person, in order")
async def get_queue(request: web.Request) -> s.QueueOut:
    handoff = handoff_of(request)
    items = []
    for position, conversation in enumerate(await handoff.queue.waiting(), 1):
        item = await conversation_out(conversation, handoff)
        items.append(s.QueueItem(conversation_id=conversation.id, customer=item.customer, position=position,
                                 reason=conversation.escalation_reason, reason_label=item.reason_label,
                                 waiting_since=conversation.queued_at))
    return s.QueueOut(queue=items, now=handoff.clock.now())


@endpoint("GET", "/api/agent/conversations", response=s.ConversationsOut, tag=TAG,
          summary="Conversations held by a person (an agent's own; all for supervisors)")
async def get_conversations(request: web.Request) -> s.ConversationsOut:
    agent, handoff = request[AGENT], handoff_of(request)
    held = Conversation.filter(status="handoff")
    if agent.role not in SUPERVISORS:
        held = held.filter(assignee_id=agent.id)
    items = [await conversation_out(c, handoff) for c in await held.order_by("assigned_at")]
    return s.ConversationsOut(conversations=items, now=handoff.clock.now())


@endpoint("GET", BASE, response=s.ConversationDetail, tag=TAG, errors=ON_ONE,
          summary="One conversation with its messages and handover notes")
async def get_conversation(request: web.Request) -> s.ConversationDetail:
    handoff = handoff_of(request)
    conversation = await conversation_for(request)
    now = handoff.clock.now()
    messages = await Message.filter(conversation_id=conversation.id).order_by("created_at", "id")
    notes = await HandoverNote.filter(conversation_id=conversation.id).order_by("created_at").prefetch_related("author")
    return s.ConversationDetail(
        conversation=await conversation_out(conversation, handoff),
        messages=[message_out(m, now) for m in messages],
        notes=[s.NoteOut(author=n.author.name, open_questions=n.open_questions, pending=n.pending,
                         created_at=n.created_at) for n in notes],
        now=now,
    )


@endpoint("POST", f"{BASE}/take", response=s.OneConversation, tag=TAG,
          errors={**ON_ONE, 403: f"{ON_ONE[403]}, or {NOT_SERVING}",
                  409: "already taken, or at capacity (already_taken)"},
          summary="Take a queued conversation")
async def post_take(request: web.Request) -> s.OneConversation:
    conversation = await conversation_for(request, queued_ok=True)
    try:
        taken = await handoff_of(request).take(conversation, request[AGENT])
    except NotServing:
        raise role_not_serving() from None
    if not taken:
        raise ApiError(409, "already_taken", "already taken, or you are at capacity")
    return s.OneConversation(conversation=await conversation_out(conversation, handoff_of(request)))


@endpoint("POST", f"{BASE}/messages", body=s.AgentMessageIn, response=s.SentOut, tag=TAG,
          errors={**ON_ONE, 400: "nothing to send: blank (reply_empty)",
                  409: "not held by a person (not_held), or forbidden phrases (forbidden_language: "
                       "error.phrases lists them; resend with confirm), or this client_msg_id's send began and "
                       "failed or never answered: the reply may have gone, look at the conversation "
                       "(reply_maybe_sent; never sent again)",
                  413: f"text over {s.AGENT_TEXT_MAX} characters (text_too_long)",
                  422: "the text needs more messages than the customer's channel still lets us send "
                       "(over_send_budget: error.parts_needed, error.sends_left)",
                  502: "the platform did not take every part (not_delivered: error.outcomes gives each part's "
                       "outcome, \"sent\" or why not; error.parts each part's text, delivery (sent, "
                       "unconfirmed, undelivered) and category; error.counted whether the SLA counts it as "
                       "answered; error.refused_for_good a part refused until the customer writes again or "
                       "for good; error.left_messages_open the conversation's 留言 still open)",
                  503: "the customer's channel does not run on this server (channel_not_running), or a "
                       "request with the same client_msg_id still sending (reply_in_flight, Retry-After)"},
          summary="Send the customer a message (split to the channel's limits; once per client_msg_id)")
async def post_message(request: web.Request, body: s.AgentMessageIn) -> s.SentOut:
    await handoff_of(request).touch(request[AGENT])  # even refused, the attempt proves presence
    conversation = await conversation_for(request)
    if len(body.text) > s.AGENT_TEXT_MAX:
        raise ApiError(413, "text_too_long", f"text is limited to {s.AGENT_TEXT_MAX} characters")
    if body.client_msg_id is None:
        return await send_message(request, conversation, body, _sent_anyway)
    handoff = handoff_of(request)
    scope = (str(conversation.id), str(request[AGENT].id), body.client_msg_id)
    return await send_once(handoff.store, handoff.clock, scope,
                           lambda begins: send_message(request, conversation, body, begins))


async def _sent_anyway(longest_s: float) -> None:
    """A reply without a `client_msg_id`: nothing to mark before its send."""


#: HTTP calls one part may take at worst: an access token and the send, again with a fresh token when the
#: platform refused the first (bot/channels/wechat_api.py), each within `wechat_http_timeout_s`.
CALLS_PER_PART = 4


def longest_send_s(handoff: Handoff, conversation: Conversation, text: str) -> float:
    """The longest sending `text` to this customer can take (send_once.py keeps its claim past it)."""
    parts = handoff.messenger.split(conversation.key.split(":", 1)[0], text)
    return (len(parts) * CALLS_PER_PART + 1) * handoff.settings.wechat_http_timeout_s


async def send_message(request: web.Request, conversation: Conversation, body: s.AgentMessageIn,
                       begins: SendBegins) -> s.SentOut:
    """One agent's message to the customer, refused before anything goes when it cannot all go;
    `begins` is told just before the first part may go (once-only sending, send_once.py)."""
    if conversation.status != "handoff":
        raise ApiError(409, "not_held", "the conversation is not held by a person")
    handoff = handoff_of(request)
    await refuse_over_budget(handoff, conversation, body.text)
    await begins(longest_send_s(handoff, conversation, body.text))
    try:
        reply = await handoff.agent_message(conversation, request[AGENT], body.text, confirm=body.confirm)
    except ForbiddenLanguage as exc:
        raise ApiError(409, "forbidden_language", "the message holds forbidden phrases",
                       phrases=exc.phrases) from None
    except EmptyReply:
        raise ApiError(400, "reply_empty", "the message is blank") from None
    except ChannelNotHere:
        raise ApiError(503, "channel_not_running", "the customer's channel does not run on this server") from None
    parts = [s.PartOut(text=text, outcome=outcome, delivery=part_delivery(outcome), category=category(outcome))
             for text, outcome in zip(reply.parts, reply.outcomes, strict=True)]
    if not reply.delivered:  # recorded as undeliverable on its rows, and not an answer to the 留言
        raise ApiError(502, "not_delivered", "the reply did not reach the customer", outcomes=reply.outcomes,
                       parts=[part.model_dump() for part in parts], counted=reply.counted,
                       refused_for_good=reply.refused_for_good,
                       left_messages_open=reply.left_open)
    return s.SentOut(sent=reply.parts, parts=parts)  # a part sent later by the channel: `retrying`


async def refuse_over_budget(handoff: Handoff, conversation: Conversation, text: str) -> None:
    """A 422 when `text` needs more messages than the platform still lets us push to this customer,
    after the outbox's merging of parts (`pack`): its first parts would go and the rest be refused,
    the budget spent on half an answer. With none left the send goes on as before: the platform's
    refusal for good is recorded and counts for the SLA (handlers/handoff/delivery.py `FINAL`)."""
    left = await sends_left(handoff.messenger, conversation)
    if not left:  # no cap on this channel, or none left (see above)
        return
    channel = conversation.key.split(":", 1)[0]
    parts = handoff.messenger.split(channel, text)
    needed = len(pack(parts, left, handoff.messenger.channels[channel].max_bytes))
    if needed > left:
        raise ApiError(422, "over_send_budget", f"the text needs {needed} messages; the customer's channel "
                       f"lets us send {left} more now", parts_needed=needed, sends_left=left)


@endpoint("POST", f"{BASE}/hand-back", response=s.OkOut, tag=TAG,
          errors={**ON_ONE, 409: "not held by a person (not_held)"}, summary="Hand the conversation back to the bot")
async def post_hand_back(request: web.Request) -> s.OkOut:
    conversation = await conversation_for(request)
    if conversation.status != "handoff":
        raise ApiError(409, "not_held", "the conversation is not held by a person")
    await handoff_of(request).hand_back(conversation, request[AGENT])
    return s.OkOut()


@endpoint("POST", f"{BASE}/transfer", body=s.TransferIn, response=s.OneConversation, tag=TAG,
          errors={**ON_ONE, 403: f"{ON_ONE[403]}, or the target's role serves no customers (target_not_serving)",
                  409: "nobody available (nobody_available) or the target is full (target_at_capacity)"},
          summary="Transfer to an agent (to_agent_id) or to a supervisor (to_supervisor)")
async def post_transfer(request: web.Request, body: s.TransferIn) -> s.OneConversation:
    conversation = await conversation_for(request)
    if body.to_supervisor:
        target = await Agent.filter(role__in=SUPERVISORS, presence="online").exclude(id=request[AGENT].id).first()
    elif body.to_agent_id is not None:
        target = await Agent.get_or_none(id=body.to_agent_id)
        if target is not None and target.role in SERVING and target.presence == "offline":
            target = None  # nobody there to take it (a role serving no customers: 403 whatever its presence)
    else:
        raise ApiError(400, "transfer_target_missing", "give to_agent_id or to_supervisor")
    if target is None or target.id == conversation.assignee_id:
        raise ApiError(409, "nobody_available", "nobody available to take it; it stays with you")
    try:
        moved = await handoff_of(request).transfer(conversation, request[AGENT], target, body.note)
    except NotServing:
        raise ApiError(403, "target_not_serving", "that staff member's role serves no customers; "
                       "it stays with you") from None
    if not moved:
        raise ApiError(409, "target_at_capacity", f"{target.name} is at capacity; it stays with you")
    return s.OneConversation(conversation=await conversation_out(conversation, handoff_of(request)))


@endpoint("POST", f"{BASE}/notes", body=s.NoteIn, response=s.NoteCreated, status=201, tag=TAG,
          errors=ON_ONE, summary="Leave a handover note (open questions, what is pending)")
async def post_note(request: web.Request, body: s.NoteIn) -> s.NoteCreated:
    conversation = await conversation_for(request)
    if not (body.open_questions.strip() or body.pending.strip()):
        raise ApiError(400, "note_empty", "open_questions or pending is required")
    note = await HandoverNote.create(conversation=conversation, author=request[AGENT],
                                     open_questions=body.open_questions, pending=body.pending,
                                     created_at=handoff_of(request).clock.now())
    return s.NoteCreated(note=s.NoteId(id=note.id))


@endpoint("GET", "/api/agent/canned", response=s.CannedOut, tag=TAG,
          summary="Canned replies, filled with the agent's 昵称")
async def get_canned(request: web.Request) -> s.CannedOut:
    handoff = handoff_of(request)
    templates, fields = handoff.templates, {"agent_name": handoff.nickname(request[AGENT])}
    texts = {key: templates.render(f"canned.{key}", fields) for key in CANNED_KEYS}
    return s.CannedOut(replies=[s.CannedReply(key=key, title=text[:12], text=text) for key, text in texts.items()])


@endpoint("GET", "/api/agent/agents", response=s.AgentsOut, tag=TAG, summary="Staff with presence and load")
async def get_agents(request: web.Request) -> s.AgentsOut:
    loads = await handoff_of(request).queue.loads()
    return s.AgentsOut(agents=[
        s.AgentRow(id=a.id, name=a.name, display_name=a.display_name, role=a.role, presence=a.presence,
                   load=loads[a.id], capacity=a.capacity)
        for a in await Agent.all().order_by("name")])


@endpoint("GET", "/api/agent/supervisor", response=s.SupervisorOut, roles=SUPERVISORS, tag=TAG,
          summary="Queue, near breaches and today's response-time figures")
async def get_supervisor(request: web.Request) -> s.SupervisorOut:
    return await supervisor_summary(handoff_of(request))


async def agent_socket(request: web.Request) -> web.WebSocketResponse:
    agent = await authenticate(request)
    if agent is None:
        raise ApiError(401, "login_required", "log in first")
    return await console_socket(request, agent_topic(agent.id), CONSOLE_TOPIC)


ENDPOINTS = [post_presence, post_typing, post_profile, get_queue, get_conversations, get_conversation, post_take,
             post_message, post_hand_back, post_transfer, post_note, get_canned, get_agents, get_supervisor]
ROUTES = [
    web.get("/ws/agent", agent_socket),
    web.get("/metrics", get_metrics),
]
