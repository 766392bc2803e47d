"""Wordings of shops the team never sees, tenth round (issue 13, intents18): a product's condition or
function asked before buying in a shop's own words (有没有划痕 / 有没有裂 / 会不会漏水 / 会不会漏气 /
能用几年), which the damage keywords inside them (划痕, 裂, 漏水, 漏气, 发霉) read as a fault report.

Fixed by longer product keywords in scripts_zh/intents.yaml (会不会漏水 hides the damage keyword 漏水)
and product questions of our own for about forty shop verticals in the corpus, with after-receipt
fault reports as contrast; docs/intents.md, "Tenth round: product questions in a vocabulary never
seen (intents18)".

Every sentence was written for this file, is not in the training corpus, and shares no run of 6
characters with the shop chat sets or the corpus (checked with bench/shops/tools/overlap.py). Each
`PLACED` product question was asked or confidently wrong on 98ef322. `PLACED`: the bot must act on the
intent; `NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "a flaw asked about before buying is a product question, not a damage report": [
        ("在吗 这台咖啡机有没有划痕 展示过的吗", "product.consult"),
        ("汉服的领子有没有瑕疵 拍前想确认下", "product.consult"),
        ("帐篷杆有没有裂 第一次买这种", "product.consult"),
        ("这块手工地垫有没有污渍 颜色跟图一样不", "product.consult"),
        ("登山扣有没有划痕 承重几千牛", "product.consult"),
        ("皮手套指尖有没有破洞 冬天开车戴", "product.consult"),
        ("陶瓷花盆有没有裂 底下带孔吗", "product.consult"),
        ("砚台有没有裂纹 磨墨细不细", "product.consult"),
        ("蒸笼有没有发霉 是竹编的吗", "product.consult"),
        ("沙滩伞有没有掉漆 杆子几节", "product.consult"),
    ],
    "whether it leaks, asked before buying, is a product question": [
        ("这个鱼护会不会漏水 网眼多大", "product.consult"),
        ("香薰机会不会漏电 小孩房能放吗", "product.consult"),
        ("氧气瓶会不会漏气 高铁上让带吗", "product.consult"),
        ("烤箱门会不会漏气 温度准不准", "product.consult"),
        ("SUV后座的气垫床会不会漏气 能铺满吗", "product.consult"),
    ],
}
PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # the same flaws found after receipt stay damage reports
    ("收到的鱼护底下漏了个洞 水全流走了", "after_sales.damaged"),
    ("帐篷用了一晚上杆子就裂了", "after_sales.damaged"),
    ("吊床才挂上去绳子就断了", "after_sales.damaged"),
    ("咖啡机收到外壳上一道好深的划痕", "after_sales.damaged"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
