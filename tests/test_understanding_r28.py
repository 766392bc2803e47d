"""Wordings of shops the team never sees, fourteenth round (issue 13, intents28): sending versus tracking,
implicit complaints, missing items, out-of-scope messages and the social intents. A parcel not yet sent
(held back, or slow to leave a busy warehouse) is asked about its sending, not tracked; a supplier's offer,
a test message or a weather question is nothing the shop serves.

Fixed by lines of our own in the corpus only (docs/intents.md, "Fourteenth round: sending or tracking,
complaints without 投诉, out-of-scope messages (intents28)"). Every sentence was written for this file and is
not in the training corpus. `PLACED`: the bot must act on the intent (each was asked or confidently wrong on
b34a944); `NEVER_WRONG`: asking is acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "a parcel not yet sent is asked about its sending (asked on b34a944 at 0.41-0.58)": [
        ("拍了快一周了 咋还不寄出来", "shipping.when"),
        ("先别急着寄 等我下周回来", "shipping.when"),
        ("是不是订单太多仓库忙不过来 我的还压着呢", "shipping.when"),
    ],
    "a supplier, a test message or the weather is nothing the shop serves (shipping, product, progress or "
    "tracking 0.63-0.90 on b34a944)": [
        ("我们公司做纸箱批发 考虑合作吗", "unknown"),
        ("我们是做胶带的厂家 有兴趣合作吗", "unknown"),
        ("测试消息 请勿回复", "unknown"),
        ("帮我查查明天的天气", "unknown"),
    ],
}

PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # holding an unsent parcel: tracking 0.83 on b34a944
    ("这几天别寄 家里没人", "shipping.when"),
    # the courier and tracking number of a sent parcel (b34a944 had 发的哪家快递 单号发我一下 at shipping 0.67)
    ("寄的是哪家 运单号码发我", "logistics.track"),
    # a late delivery with a claim for the loss: tracking 0.82 on b34a944
    ("节前没送到 礼物白准备了 这损失谁赔", "complaint"),
    # a greeting that asks for an answer (asked on b34a944, tracking 0.32): a greeting or asked, never tracking
    ("在的话应我一下 亲", "greeting"),
    # guards of the neighbours the new lines sit beside
    ("app上写着已签收 我压根没见着", "logistics.track"),
    ("说好送两双袜子 包裹里一双没有", "after_sales.missing"),
    ("这套装包含几样", "product.consult"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
