"""Wordings of shops the team never sees, thirteenth round (issue 13, intents24): business asked around an
order whose state the words name. An unpaid order asking for a lower price is bargaining, not a payment
problem; an invoice's timing after buying (多久开, 几天寄到, 还没到) is an invoice question, not shipping or
tracking; an arrival asked for today, this afternoon or tonight without a purchase still to make is a parcel
under way (tracking), while the same asked before buying stays shipping; a membership level compared and a
delivery instruction (放门口) have their own intents.

Fixed by lines of our own in the corpus only (no keyword, no Python); docs/intents.md, "Thirteenth round:
an order's state named (intents24)". Every sentence was written for this file, is not in the training
corpus, and shares no run of 6 characters with the 24 readable shop chat sets, tests/data or the load
corpus (checked as docs/intents.md says). Each `PLACED` sentence was asked or confidently wrong on eb3f2d6.
`NEVER_WRONG` sentences (most of them right on eb3f2d6 already) guard the neighbours the round's lines lean
on: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "an unpaid order asking for a lower price is bargaining (payment or shipping 0.61-0.83 on eb3f2d6)": [
        ("还没付款呢 能不能打个九折", "promotion"),
        ("没付钱 可以少点吗", "promotion"),
        ("下单没付款 能改价吗 便宜十块", "promotion"),
        ("待付款 老板能便宜十块吗", "promotion"),
    ],
    "an invoice's timing after buying (shipping or tracking 0.66-0.91, or asked, on eb3f2d6)": [
        ("买了以后发票要多久开得出来", "invoice"),
        ("买了之后票几天能开出来", "invoice"),
        ("下完单发票多久能发邮箱里", "invoice"),
        ("发票几天能寄到我这", "invoice"),
        ("收到货好几天了 发票还没影", "invoice"),
        ("货收到了发票还没到 要等几天", "invoice"),
        ("上周买的 发票咋还没寄过来", "invoice"),
    ],
    "an arrival asked for today of an order under way (shipping 0.77-0.84, or asked, on eb3f2d6)": [
        ("这单今天可不可以送到", "logistics.track"),
        ("下午能到我家吗", "logistics.track"),
        ("今儿个能到家吗 娃等着玩", "logistics.track"),
        ("晚上九点前能到不 白天没人", "logistics.track"),
    ],
    "stock asked with how soon it is sent is shipping (product 0.71 on eb3f2d6)": [
        ("有现货吗 拍完马上能寄吗", "shipping.when"),
    ],
    "a gift asked with a purchase (asked on eb3f2d6)": [
        ("买耳机送收纳包不", "promotion"),
    ],
    "a delivery instruction for the courier (asked on eb3f2d6)": [
        ("能放门口吗 跟快递说一声", "logistics.track"),
    ],
    "membership levels compared (product 0.84 on eb3f2d6)": [
        ("金卡和银卡有啥区别", "membership"),
    ],
}
PLACED_CASES = [(pattern, text, intent) for pattern, cases in PLACED.items() for text, intent in cases]

NEVER_WRONG = [
    # an unpaid order's real payment problem stays payment; a price asked before paying stays bargaining
    ("没付钱 是不是过一会就关单了", "payment"),
    ("还没付款 付款按钮点不动", "payment"),
    ("还没付呢 给个优惠我马上拍", "promotion"),
    ("还没支付 有券能用上吗", "promotion"),
    # an arrival asked before buying stays shipping: the today lines must not take it to tracking
    ("现在下单今天能到吗", "shipping.when"),
    ("还没拍 今天买明天到得了吗", "shipping.when"),
    ("要是现在付款 后天能收到吗", "shipping.when"),
    ("下午才拍的 今天赶得上发吗", "shipping.when"),
    # an arrival today with a bare 送得到 (the shipping keyword of a place asked about) or an unusual verb, near
    # the line: asked on this branch (the model 0.95 tracking), shipping 0.75-0.81 on eb3f2d6
    ("今晚送得到吗", "logistics.track"),
    ("今天能到不 急用", "logistics.track"),
    ("今天能收着吗 着急送人", "logistics.track"),
    # an invoice sent with the goods
    ("发票跟货一块到吗", "invoice"),
    # a new place before the courier delivers is an address change (tracking 0.92 on eb3f2d6, asked now)
    ("快递还没派 能改成放驿站吗", "address.change"),
    ("还没发货吧 能改成寄到学校吗", "address.change"),
    # a coupon for inviting someone new (promotion 0.86 on eb3f2d6, asked now)
    ("邀请新人送券吗", "referral"),
    # words of the today lines in other intents: stock shown as none, a day at work
    ("断货了吗 页面显示没库存", "product.consult"),
    ("今天上班又被老板骂了", "unknown"),
    # review40: the unpaid-order opener had pulled product, shipping and membership questions to promotion
    # (0.63-0.95 on intents24's branch); the lead's guard lines (#r26001-#r26031) hold them
    ("还没付款 这件有没有XL", "product.consult"),
    ("订单还没付 这个面霜有没有小样规格的", "product.consult"),
    ("还没付款 这款沙发有没有布艺的", "product.consult"),
    ("待付款 这个电视有没有壁挂的安装孔", "product.consult"),
    ("还没付 你们这个价格包含安装吗", "product.consult"),
    ("还没付款 这个能改成顺丰吗", "shipping.when"),
    ("还没付款 是会员吗我", "membership"),
    # review40: a return asked today and an arrival after buying had dropped below the line; points after buying
    ("今天能退货吗", "after_sales.return"),
    ("买完以后多久能收到货", "shipping.when"),
    ("买完以后积分几天到", "membership"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
