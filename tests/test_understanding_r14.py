"""Wordings of shops the team never sees, eighth round (issue 13, intents14): whether an order was sent
asked as 寄出来了吗 / 出库 / 打包 / 发走 / 寄了没, a parcel's arrival asked as 多久到 / 到没, a wrong digit of
the receiver's phone, a rerouting (改派), an invoice's missing character, a payment page that does not
react or a named wallet, points that went down, a sale's or a balance's order asked when it ships, an
official-store question, acknowledgements (可以, 👍) and greetings in other words or in pinyin.

Most were a keyword of an after-sales intent firing inside a phrase of another (少了一 inside 少了一位,
没反应 inside 付款没反应, 不能用 inside 能不能用花呗付), fixed by a longer phrase of the right intent in
scripts_zh/intents.yaml, a pinyin or emoji synonym, or corpus lines of our own; docs/intents.md,
"Eighth round: shipping asked as 寄出来了吗, and the short and the social (intents14)".

Every sentence was written for this file, is not in the training corpus, and shares no run of 6
characters with the shop chat sets (checked with bench/shops/tools/overlap.py). `PLACED`: the bot
must act on the intent; `NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "whether an order was sent is shipping, not tracking or an after-sales case": [
        ("我的包发出来了没", "shipping.when"),
        ("麻烦看下出库了没", "shipping.when"),
        ("发走了没 着急", "shipping.when"),
        ("单子寄了没啊", "shipping.when"),
    ],
    "a parcel's arrival asked short is tracking": [("床单到没", "logistics.track")],
    "a wrong digit of the receiver's phone is an address change, not a shortfall": [
        ("联系号码少了一位 末尾是6", "address.change"),
    ],
    "rerouting to a parcel locker is an address change": [("能改派到楼下快递柜吗", "address.change")],
    "a missing digit or character of an invoice is the invoice": [("税号那儿少了一位 重新开张票吧", "invoice")],
    "a payment page without reaction or a named wallet is payment, not a defect": [
        ("付款按钮点了没反应", "payment"),
        ("能不能用花呗付", "payment"),
    ],
    "points that went down are membership, not a shortfall": [("积分咋少了", "membership")],
    "when a balance-paid or sale order ships is shipping": [("尾款付完几号发", "shipping.when")],
    "an official-store question is a product question, not a complaint": [("你们是品牌授权店吗", "product.consult")],
    "an acknowledgement is taken as thanks": [("可以", "thanks"), ("👍", "thanks")],
    "pinyin for the address": [("dizhi能改不", "address.change")],
}
PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # the after-sales reading of the same words must stay: a resent item is the case's progress
    ("补发的那双袜子寄了没", "after_sales.progress"),
    ("退款还要多久到账", "after_sales.refund"),
    ("袋里少了一只勺", "after_sales.missing"),
    ("你们好 在线吗", "greeting"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
