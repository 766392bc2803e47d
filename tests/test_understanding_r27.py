"""Wordings of shops the team never sees, fourteenth round (issue 13, intents27): exchanges, damaged goods told by
their symptoms, product questions without a product word.

An exchange is most often told without 换货: the variant ordered against the one that came (要的是X 寄来的是Y,
拍的37 来的36, two shoes of two sizes), or a swap of an unopened item for another variant (X换成Y 没拆). Food
that melted or thawed on the way is a damaged item even without 坏. A part bought separately, a question asked
before buying and an exchange already under way stay product, return and progress questions.

Fixed by lines of our own in the corpus only (docs/intents.md, "Fourteenth round: exchanges told by the variant
that came, melted food, product questions without a product word (intents27)"). Every sentence was written for
this file and is not in the training corpus. `PLACED`: the bot must act on the intent (each was asked or
confidently wrong on b34a944); `NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "the variant ordered against the one that came is an exchange (asked or another intent on b34a944)": [
        ("毛线要的是雾蓝 寄来的是灰绿", "after_sales.exchange"),
        ("雨靴拍的37 来的36", "after_sales.exchange"),
        ("蚊帐要的是1.5米床的 来了个1.2的", "after_sales.exchange"),
        ("拖鞋两只一大一小 一只40一只41", "after_sales.exchange"),
        ("点的是鸡肉馅 寄来的全是猪肉馅", "after_sales.exchange"),
        ("数据线要1米的 给我来了2米 换", "after_sales.exchange"),
        ("我穿42的 你们发了41 麻烦调一下", "after_sales.exchange"),
    ],
    "an unopened item swapped for another variant is an exchange (asked on b34a944)": [
        ("蓝牙款换成有线款可以吗 还没拆", "after_sales.exchange"),
        ("咖啡粉换成咖啡豆行吗 没拆袋", "after_sales.exchange"),
        ("换货寄回去的运费谁出", "after_sales.exchange"),
    ],
    "food melted or thawed on the way is damaged (asked on b34a944)": [
        ("布丁到了化成糊糊了", "after_sales.damaged"),
        ("冻虾到的时候冰全化了 虾头都黑了", "after_sales.damaged"),
        ("寄来的蛋糕化成一滩了", "after_sales.damaged"),
    ],
}

PLACED_CASES = [(pattern, text, intent) for pattern, cases in PLACED.items() for text, intent in cases]

NEVER_WRONG = [
    # melted on arrival: a product question on b34a944 (0.80-0.86)
    ("冰淇淋到的时候全化成汤了", "after_sales.damaged"),
    # guards: a part bought on its own, a question before buying, a return that refuses a swap, an exchange
    # under way, and product questions with no product word stay where they were
    ("灯泡坏了能单独买吗", "product.consult"),
    ("能用开水烫吗 会变形不", "product.consult"),
    ("买之前想问下 要是不合适能换码吗", "product.consult"),
    ("这双不合适 我想退 不换", "after_sales.return"),
    ("换货的那件寄出来了吗 单号发我", "after_sales.progress"),
    ("这款能和安卓平板配对吗", "product.consult"),
    ("还有库存吗 要三件", "product.consult"),
    ("冬天放阳台会不会冻坏", "product.consult"),
    ("浅色的和深色的哪个不显脏", "product.consult"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
