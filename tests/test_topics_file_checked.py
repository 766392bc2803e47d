"""The topics file of the scripts directory in use (SCRIPTS_DIR, not only the shipped one) is checked
whole: a broken one refuses the start and fails `lint-scripts`, naming the entry; one broken while the
bot runs is logged once and the last sound version keeps answering, never a 500 (handlers/topics.py)."""

from __future__ import annotations

import logging
import os

import pytest

from bot import cli
from bot.errors import ConfigError
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_consultation_topics import MARKERS, answer, scripts_copy
from tests.test_referral_support import say

pytestmark = pytest.mark.timeout(90)

#: Each fault shape and the words the problem must name.
BROKEN = {
    "yaml_syntax": ("consultation: [oops\n", "not valid YAML"),
    "top_level_list": ("- a\n- b\n", "top level must map areas"),
    "topics_not_a_list": ("consultation:\n  promotion: oops\n", "consultation.promotion"),
    "missing_template": ("consultation:\n  promotion:\n    - template: promotion_nonexistent\n      words: [包邮]\n",
                         "consultation.promotion_nonexistent"),
    "unknown_intent": ("consultation:\n  promotoin:\n    - template: promotion_price\n      words: [便宜]\n",
                       "promotoin"),
    "unknown_area": ("consultaion:\n  promotion: []\n", "consultaion"),
    "referral_shape": ("referral:\n  standing: 几个\n", "referral.standing"),
    "after_sales_template": ("after_sales:\n  after_sales.return:\n    - template: policy_gone\n      words: [运费]\n",
                             "after_sales.policy_gone"),
}

#: A sound shop file: 便宜 answered by the shipped free-shipping template, to tell it from the shipped order.
SOUND = """
consultation:
  promotion:
    - template: promotion_free_shipping
      words: [便宜]
referral:
  standing: [几个]
after_sales:
  after_sales.return:
    - template: policy_shipping
      words: [运费]
"""


@pytest.mark.parametrize("fault", BROKEN)
async def test_a_broken_topics_file_refuses_the_start_naming_the_entry(tmp_path, clock, fault):
    topics, named = BROKEN[fault]
    directory = scripts_copy(tmp_path, topics)
    with pytest.raises(ConfigError, match=r"topics\.yaml") as refused:
        async with running_bot(make_settings(tmp_path, scripts_dir=directory), clock=clock):
            pass
    assert named in str(refused.value)


@pytest.mark.parametrize("fault", BROKEN)
def test_lint_scripts_checks_the_topics_of_the_directory_in_use(tmp_path, monkeypatch, capsys, fault):
    topics, named = BROKEN[fault]
    directory = scripts_copy(tmp_path, topics)
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SCRIPTS_DIR", str(directory))
    assert cli.main(["lint-scripts"]) == 1
    err = capsys.readouterr().err
    assert "topics.yaml" in err and named in err, err


def rewrite(path, text: str) -> None:
    """Write the file with a later modification time than the version the bot read."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


async def test_a_file_broken_while_running_keeps_the_last_sound_version(tmp_path, clock, caplog):
    directory = scripts_copy(tmp_path, SOUND)
    async with running_bot(make_settings(tmp_path, scripts_dir=directory), clock=clock) as running:
        assert MARKERS["promotion_free_shipping"] in await answer(running.client, "before", "能便宜点吗")
        for fault, (topics, named) in BROKEN.items():
            rewrite(directory / "topics.yaml", topics)
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="csbot.topics"):
                for turn in range(2):
                    user = f"{fault}-{turn}"
                    # say() asserts a 200 for each area that reads the file
                    reply = await answer(running.client, user + "-c", "能便宜点吗")
                    assert MARKERS["promotion_free_shipping"] in reply, (fault, reply)
                    await say(running.client, user + "-r", "我推荐了几个人")
                    await say(running.client, user + "-a", "退货运费谁出")
            rejected = [record for record in caplog.records if "rejected" in record.getMessage()]
            assert len(rejected) == 1, (fault, [r.getMessage() for r in caplog.records])
            assert named in rejected[0].getMessage()
            assert "便宜点" not in rejected[0].getMessage()  # the customer's words stay out of the log
        rewrite(directory / "topics.yaml", "consultation:\n  promotion:\n    - template: promotion_price\n"
                                           "      words: [包邮]\n")
        assert MARKERS["promotion_price"] in await answer(running.client, "mended", "包邮吗")


async def test_a_file_broken_before_any_sound_version_answers_with_the_intents_own_templates(tmp_path, clock):
    directory = scripts_copy(tmp_path, SOUND)
    (directory / "topics.yaml").unlink()  # no topics at the start: every intent answers with its own
    async with running_bot(make_settings(tmp_path, scripts_dir=directory), clock=clock) as running:
        (directory / "topics.yaml").write_text(BROKEN["missing_template"][0], encoding="utf-8")
        reply = await answer(running.client, "none", "包邮吗")
        assert MARKERS["promotion"] in reply and "帮您记下了" not in reply
