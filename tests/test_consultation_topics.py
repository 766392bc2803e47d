"""Topics within a consultation intent (scripts_zh/topics.yaml, docs/consultation.md): 包邮吗 and 能便宜点吗
are both `promotion` yet each gets its own template, 能开专票吗 is not answered with the e-invoice one,
and a message matching no topic keeps the intent's general template. Over the web chat's HTTP API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import cli
from bot.config import PROJECT_ROOT
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_referral_support import say

pytestmark = pytest.mark.timeout(60)

SHIPPED = PROJECT_ROOT / "scripts_zh"
#: Words only one shipped template of the two intents says.
MARKERS = {
    "promotion": "店铺首页有当期的优惠券",
    "promotion_free_shipping": "是否包邮、运费多少",
    "promotion_price": "统一标价",
    "invoice": "本店支持开具电子发票",
    "invoice_special": "增值税专用发票",
}


async def answer(client, user_id: str, text: str) -> str:
    return "\n".join(await say(client, user_id, text))


@pytest.mark.parametrize(("text", "template"), [
    ("包邮吗", "promotion_free_shipping"),
    ("能便宜点吗", "promotion_price"),
    ("包邮能便宜点吗", "promotion_free_shipping"),  # the first topic as written wins
    ("有优惠券吗", "promotion"),
    ("能开专票吗", "invoice_special"),
    ("发票怎么开", "invoice"),
])
async def test_each_common_question_gets_its_own_template(bot, text, template):
    reply = await answer(bot.client, "topic-" + template, text)
    assert MARKERS[template] in reply
    assert not any(marker in reply for name, marker in MARKERS.items() if name != template), reply


def scripts_copy(tmp_path: Path, topics: str, **templates: str) -> Path:
    """The shipped scripts with the shop's own topics file and extra consultation templates; the intent
    files are links, so the bot's matcher is the one already built."""
    directory = tmp_path / "scripts_zh"
    directory.mkdir()
    for source in SHIPPED.iterdir():
        if source.name.startswith("intents"):
            (directory / source.name).symlink_to(source)
        else:
            shutil.copy(source, directory / source.name)
    (directory / "topics.yaml").write_text(topics, encoding="utf-8")
    with (directory / "consultation.yaml").open("a", encoding="utf-8") as file:
        file.writelines(f"\n{name}: {text}" for name, text in templates.items())
    return directory


async def test_a_shop_adds_a_topic_and_orders_topics_by_writing_them(tmp_path, clock):
    topics = """
consultation:
  promotion:
    - template: promotion_price
      words: [便宜]
    - template: promotion_free_shipping
      words: [包邮]
  payment:
    - template: payment_instalments
      words: [分期]
"""
    directory = scripts_copy(tmp_path, topics, payment_instalments="亲，花呗和信用卡分期都支持，下单时选期数就好~")
    async with running_bot(make_settings(tmp_path, scripts_dir=directory), clock=clock) as running:
        assert "花呗和信用卡分期都支持" in await answer(running.client, "shop1", "可以分期吗")
        assert "支付遇到问题" in await answer(running.client, "shop2", "付不了款怎么办")
        assert MARKERS["promotion_price"] in await answer(running.client, "shop3", "包邮能便宜点吗")


def test_lint_scripts_names_a_topic_whose_template_is_missing(tmp_path, monkeypatch, capsys):
    directory = scripts_copy(tmp_path, (SHIPPED / "topics.yaml").read_text(encoding="utf-8"))
    consultation = directory / "consultation.yaml"
    kept = [line for line in consultation.read_text(encoding="utf-8").splitlines()
            if not line.startswith("invoice_special:")]
    consultation.write_text("\n".join(kept) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SCRIPTS_DIR", str(directory))
    assert cli.main(["lint-scripts"]) == 1
    assert "consultation.invoice_special: missing: the code uses this template" in capsys.readouterr().err
