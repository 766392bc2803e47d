"""A question before buying vs an order under way, promotion vs product, and social words (issue 13,
docs/intents.md "Sixth round: before buying or under way (intents10)").

Each pattern is a keyword of one intent lying inside a phrase of another (寄出 inside 都寄出来了, 哪个快递
inside 哪个快递点, 包裹 inside 拆成几个包裹, 多大 inside 配送范围有多大), or a wording the corpus lacked
(the delivery man's words, cold chain, split or whole shipping, thanks and goodbye said briefly). Every
sentence was written for this file, in goods other than the shop files' wording, and is neither a
training line nor shares a run of six characters with a corpus line written for these patterns
(`test_sentences_are_not_training_data`).

- `PLACED`: the bot must act on the right intent (decision at the default threshold);
- `NEVER_WRONG`: a confident *other* intent is the failure; asking is acceptable.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks, training_texts

PLACED = {
    "a parcel already sent is tracking, though it asks how many days": [
        ("都寄出来了 寄到哈尔滨还得几天", "logistics.track"),
        ("看看我的配送进度", "logistics.track"),
    ],
    "a delivery area, a production time or a carrier mode asked before buying is shipping": [
        ("你们的配送范围到哪 郊县送吗", "shipping.when"),
        ("定做的沙发工期多久", "shipping.when"),
        ("书桌跟椅子分开发吗", "shipping.when"),
        ("这种冻品走冷链吗", "shipping.when"),
    ],
    "stock coming back is a product question, not shipping": [
        ("白色的什么时候能补货", "product.consult"),
    ],
    "thanks and goodbye said briefly": [
        ("谢过啦", "thanks"),
        ("好了我下线了", "goodbye"),
    ],
}
PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    ("山里头物流能送到不", "shipping.when"),  # whether the carrier reaches a place: asked before buying
    ("买两盒有没有赠送的小东西", "promotion"),  # a gift asked about, not a missing item
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)


def test_sentences_share_no_run_of_six_characters_with_the_corpus() -> None:
    """Stricter for this round: its sentences are not rewordings of the corpus lines written beside them."""
    training = training_texts()
    ours = [text for _, text, _ in PLACED_CASES] + [text for text, _ in NEVER_WRONG]
    runs = {line[i : i + 6] for line in training for i in range(len(line) - 5)}
    assert [text for text in ours if any(text[i : i + 6] in runs for i in range(len(text) - 5))] == []
