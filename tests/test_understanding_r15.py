"""Wordings of shops the team never sees, ninth round (issue 13, intents15): a satisfied customer's praise
(of the quality, the delivery, the packaging, the service, a review already given, a purchase to repeat)
and a problem the customer explicitly denies (没有破损, 没坏, 质量没问题) are thanks, never a complaint, an
after-sales case or tracking; a review's reward stays a promotion, a bad review a complaint, and a real
defect named beside the praise still an after-sales case.

They were the words 质量, 破损, 物流 and 好评 pulling the learned model (and the keyword 破损 inside 没有破损)
towards the cases they usually open; fixed by thanks keywords in scripts_zh/intents.yaml (很满意, 五星好评,
没有破损, 质量不错, 物流很快 ...), their question forms as product keywords (质量不错吗), and corpus lines of
our own; docs/intents.md, "Ninth round: praise and a denied problem are thanks (intents15)".

Every sentence was written for this file, is not in the training corpus, and shares no run of 6
characters with the shop chat sets (checked with bench/shops/tools/overlap.py). `PLACED`: the bot
must act on the intent; `NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "praise of the quality is thanks, not a defect": [
        ("裤子质量不错 很满意", "thanks"),
        ("茶杯质量很好 谢谢", "thanks"),
    ],
    "a denied defect is thanks, not the defect": [
        ("到了 外箱没有破损 谢谢", "thanks"),
        ("灯罩完好无损 辛苦啦", "thanks"),
    ],
    "praise of the delivery is thanks, not tracking": [("物流很快 东西也不错", "thanks")],
    "a review already given is thanks, not a complaint": [("刚给了五星好评哦", "thanks")],
    "a review's reward is a promotion, a bad review a complaint": [
        ("好评返现的活动还在不", "promotion"),
        ("太差了 我要差评", "complaint"),
    ],
    "a defect beside the praise stays the after-sales case": [
        ("纸箱没破损 可里面的碗碎了", "after_sales.damaged"),
        ("物流很快 可惜少寄了一包", "after_sales.missing"),
        ("质量不错 就是码小了 换个大的", "after_sales.exchange"),
    ],
    "the quality asked about is a product question": [("这个质量不错吗 耐穿不", "product.consult")],
    "dissatisfaction with a return is the return": [("不是很满意 想退掉", "after_sales.return")],
}

NEVER_WRONG = [
    ("包装好 一点都没坏", "thanks"),
    ("质量没问题 辛苦了", "thanks"),
    ("快递挺快 质量也行", "thanks"),
    ("娃收到很喜欢", "thanks"),
    ("没坏 很完整 五星好评", "thanks"),
]

(test_sentences_are_not_training_data, test_the_bot_acts_on_the_right_intent,
 test_a_borderline_message_is_right_or_asked) = sentence_checks(
    [(pattern, text, intent) for pattern, cases in PLACED.items() for text, intent in cases], NEVER_WRONG)
