"""The archive's command line, run as an operator runs it (`csbot ...`, in this process: the same
parser, settings from the environment, and a runtime opened per command):
`audit` prints the read log with its filters, `agents leave` hands over and disables the login,
`agents revoke` ends the sessions, `customers erase` erases one record; bad input is one line."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import close_database, open_database
from bot.web.auth import create_agent, issue_api_token
from models.agent import Agent
from models.archive import AccessLog, Person, PersonLink, StaffLeave
from models.conversation import Conversation
from models.customer import Customer

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def run(tmp_path, monkeypatch, csbot):
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.sqlite3'}")
    return csbot


def seed(tmp_path: Path) -> dict[str, int]:
    async def go() -> dict[str, int]:
        await open_database(f"sqlite://{tmp_path / 'cli.sqlite3'}")
        try:
            amy = await create_agent("amy", "agent", "secret-pass-123", now=AT)
            await create_agent("bob", "agent", "secret-pass-123", now=AT)
            await issue_api_token(amy)
            customer = await Customer.create(channel="webchat", external_id="v1", phone="13800138000", name="王芳",
                                             created_at=AT, last_agent_id=amy.id)
            await Conversation.create(customer=customer, channel="webchat", key="webchat:v1", status="handoff",
                                      assignee=amy, opened_at=AT)
            person = await Person.create(name="王芳", phone="13800138000", created_at=AT, updated_at=AT)
            await PersonLink.create(customer=customer, person=person, how="new", linked_at=AT)
            for day, (name, part) in enumerate([("amy", "contact"), ("bob", "orders"), ("amy", "notes")], 1):
                await AccessLog.create(at=datetime(2026, 11, 20 + day, 2, 0, tzinfo=UTC), staff_name=name,
                                       person_id=person.id, part=part, action="read", via="api", basis="holding")
            await AccessLog.create(at=AT, staff_name="bob", person_id=person.id + 1, part="contact", action="read",
                                   via="console", basis="role")
            return {"person": person.id, "customer": customer.id}
        finally:
            await close_database()

    return asyncio.run(go())


def check(tmp_path: Path, query) -> object:
    async def go() -> object:
        await open_database(f"sqlite://{tmp_path / 'cli.sqlite3'}")
        try:
            return await query()
        finally:
            await close_database()

    return asyncio.run(go())


def test_audit_leave_revoke_and_erase_from_the_command_line(tmp_path, run):
    ids = seed(tmp_path)
    result = run("audit", "--customer", str(ids["person"]), "--since", "2026-11-22", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["staff"], line["part"]) for line in lines] == [("amy", "notes"), ("bob", "orders")]
    assert lines[0]["at"] == "2026-11-23T02:00:00+00:00"
    table = run("audit", "--staff", "bob")
    assert table.returncode == 0 and len(table.stdout.splitlines()) == 2 and "orders" in table.stdout
    bad = run("audit", "--since", "yesterday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr

    assert run("agents", "leave", "amy", "--to", "nobody").returncode == 2
    left = run("agents", "leave", "amy", "--to", "bob")
    assert left.returncode == 0, left.stderr
    assert "1 customers, 1 conversations, 0 cases" in left.stdout

    async def after_leave():
        amy, bob = await Agent.get(name="amy"), await Agent.get(name="bob")
        conversation = await Conversation.get(key="webchat:v1")
        return (amy.active, amy.api_token_digest, conversation.assignee_id == bob.id,
                (await Customer.get(id=ids["customer"])).last_agent_id == bob.id, await StaffLeave.get(by="cli"))

    active, token, moved, customer_moved, record = check(tmp_path, after_leave)
    assert (active, token, moved, customer_moved) == (False, None, True, True)
    assert record.counts["conversations"] == 1
    again = run("agents", "leave", "amy", "--to", "bob")
    assert again.returncode == 2 and "left already" in again.stderr

    revoked = run("agents", "revoke", "bob")
    assert revoked.returncode == 0
    assert check(tmp_path, lambda: Agent.get(name="bob")).session_epoch == 1

    assert run("customers", "erase", "999").returncode == 2
    erased = run("customers", "erase", str(ids["person"]))
    assert erased.returncode == 0, erased.stderr
    assert "13800138000" not in erased.stdout and "王芳" not in erased.stdout
    customer = check(tmp_path, lambda: Customer.get(id=ids["customer"]))
    assert (customer.phone, customer.name) == (None, None)
    log = run("audit", "--customer", str(ids["person"]), "--json")
    assert json.loads(log.stdout.splitlines()[0])["action"] == "erase"
