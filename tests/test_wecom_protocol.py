"""WeCom 微信客服's formats as pure functions: every synced message type and event mapped to the
dispatcher's `Inbound`, malformed items skipped, callbacks decrypted with the corp id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from multidict import MultiDict

from bot.channels.wecom_protocol import parse_item, read_callback, to_inbound, verify_url
from bot.errors import BadRequest
from tests.fakes.wecom_server import OPEN_KFID, FakeWeCom

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
USER = "wmCustomer000000001"


def item(msgtype: str, body: dict, **head) -> dict:
    return {"msgid": head.pop("msgid", "MSG1"), "open_kfid": OPEN_KFID, "external_userid": USER, "send_time": 1,
            "origin": head.pop("origin", 3), "msgtype": msgtype, msgtype: body, **head}


@pytest.mark.parametrize(("msgtype", "body", "text", "extra"), [
    ("text", {"content": "在吗"}, "在吗", {}),
    ("text", {"content": "查物流", "menu_id": "track"}, "查物流", {"menu_id": "track"}),
    ("image", {"media_id": "M1"}, "", {"media_id": "M1"}),
    ("voice", {"media_id": "M2"}, "", {"media_id": "M2"}),
    ("video", {"media_id": "M3"}, "", {"media_id": "M3"}),
    ("file", {"media_id": "M4"}, "", {"media_id": "M4"}),
    ("location", {"latitude": 23.1, "longitude": 113.3, "name": "天河城", "address": "广州市天河路"}, "天河城",
     {"latitude": 23.1, "longitude": 113.3, "name": "天河城", "address": "广州市天河路"}),
    ("link", {"title": "这个杯子", "desc": "玻璃", "url": "https://shop.example/1", "pic_url": "https://p/1.jpg"},
     "这个杯子", {"title": "这个杯子", "description": "玻璃", "url": "https://shop.example/1",
                 "pic_url": "https://p/1.jpg"}),
    ("business_card", {"userid": "lisi"}, "", {"userid": "lisi"}),
    ("miniprogram", {"title": "商品页", "appid": "wx123", "pagepath": "pages/item?id=1", "thumb_media_id": "T"},
     "商品页", {"title": "商品页", "appid": "wx123", "pagepath": "pages/item?id=1", "thumb_media_id": "T"}),
])
def test_every_message_type_becomes_an_inbound(msgtype, body, text, extra):
    inbound = to_inbound(parse_item(item(msgtype, body), OPEN_KFID), NOW)
    assert (inbound.channel, inbound.user_id, inbound.kind, inbound.text, inbound.source_id) == (
        "wecom", USER, msgtype, text, "MSG1")
    assert inbound.extra == {**extra, "open_kfid": OPEN_KFID} and inbound.event is None


@pytest.mark.parametrize(("event", "fields"), [
    ("enter_session", {"scene": "qr", "scene_param": "ref_abc", "welcome_code": "W1"}),
    ("msg_send_fail", {"fail_msgid": "out-1", "fail_type": 4}),
    ("servicer_status_change", {"servicer_userid": "zhangsan", "status": 2}),
    ("session_status_change", {"change_type": 3, "old_servicer_userid": "zhangsan"}),
])
def test_events_keep_their_type_and_fields(event, fields):
    body = {"event_type": event, "open_kfid": OPEN_KFID, "external_userid": USER, **fields}
    inbound = to_inbound(parse_item({"msgid": "EV1", "origin": 4, "msgtype": "event", "event": body}, OPEN_KFID), NOW)
    assert (inbound.kind, inbound.event, inbound.user_id) == ("event", event, USER)
    kept = {k: v for k, v in fields.items() if k != "scene_param"}
    assert {k: inbound.extra[k] for k in kept} == kept
    assert inbound.event_key == (fields.get("scene_param") or None)


@pytest.mark.parametrize("bad", [
    "not a dict", {"msgid": "", "msgtype": "text", "text": {}}, {"msgid": "M", "msgtype": "Text!"},
    {"msgid": "M", "msgtype": "text", "external_userid": "<script>", "text": {}},
    {"msgid": "M", "msgtype": "text", "origin": "three", "text": {}},
])
def test_malformed_items_are_skipped(bad):
    assert parse_item(bad, OPEN_KFID) is None


async def test_callbacks_decrypt_with_the_corp_id_and_refuse_anything_else():
    fake = FakeWeCom()
    params, body = fake.callback_request("wkOther0000000001")
    callback = read_callback(fake.crypto, body, MultiDict(params))
    assert callback.open_kfid == "wkOther0000000001" and callback.token.startswith("SYNC")
    with pytest.raises(BadRequest) as refused:
        read_callback(fake.crypto, body, MultiDict({**params, "nonce": "1"}))
    assert refused.value.status == 403
    with pytest.raises(BadRequest):
        read_callback(fake.crypto, b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>", MultiDict(params))
    assert verify_url(fake.crypto, fake.token, MultiDict(fake.verify_params("hello"))) == "hello"
