"""Wordings of shops the team never sees, mend after the fourteenth round (issue 13, intents29): praise and
questions about the shop taken for a complaint, a refund asked after a slow-delivery remark, a used item
received, and a shipping fee asked before buying. Praise (给好评, 五星) is thanks; what the shop sells and what it
recommends are product questions; a visit to a physical store is nothing the shop serves (unknown); a shipping
fee before buying is a promotion question (the consultation answers 包邮 / 运费 there); the request at the end
of a slow-delivery remark decides.

Fixed by lines of our own in the corpus only (docs/intents.md, "Mend: praise, shop questions, a refund after a
slow-delivery remark, shipping fees (intents29)"). Every sentence was written for this file and is not in the
training corpus. `PLACED`: the bot must act on the intent (each was asked or confidently wrong on a9c3cc1);
`NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "praise is thanks (complaint 0.67-0.87, or asked, on a9c3cc1)": [
        ("我要去写个好评", "thanks"),
        ("我会给好评的放心吧", "thanks"),
        ("我打算给你们五星", "thanks"),
    ],
    "what the shop sells is a product question (asked on a9c3cc1)": [
        ("你们家都有哪些宝贝", "product.consult"),
        ("你们家有什么爆款", "product.consult"),
    ],
    "a refund asked after a slow-delivery remark is a refund (asked at 0.21 on a9c3cc1)": [
        ("物流卡住好几天了 帮我申请退款", "after_sales.refund"),
    ],
    "a shipping fee asked before buying is a promotion question (refund or return 0.70-0.73, or asked, "
    "on a9c3cc1)": [
        ("运费多少钱", "promotion"),
        ("运费要多少", "promotion"),
        ("拍这个还要另外付运费吗", "promotion"),
    ],
}

PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # complaint 0.88-0.96 on a9c3cc1
    ("你们店都卖些什么", "product.consult"),
    ("你们这有啥新品", "product.consult"),
    # a physical store: complaint 0.70 and human 0.72 on a9c3cc1
    ("你们店开在哪个商场", "unknown"),
    ("我能直接去你们店里买吗", "unknown"),
    # small talk about the agents: complaint 0.64 on a9c3cc1
    ("你们客服工资高不高", "unknown"),
    # an item received used: product.consult 0.86 on a9c3cc1
    ("这个耳机明显被别人戴过", "after_sales.damaged"),
    # guards of the neighbours the new lines sit beside
    ("我要给你们一星差评", "complaint"),
    ("快递太慢了 到底到哪了", "logistics.track"),
    ("物流慢吞吞的 我不等了 帮我把钱退了", "after_sales.refund"),
    ("你们这卖翻新机不", "product.consult"),
    ("到手的平板边缝有撬过的印子 是不是翻新的", "after_sales.damaged"),
    ("退回去邮费多少", "after_sales.return"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
