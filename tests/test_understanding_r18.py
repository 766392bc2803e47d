"""Wordings of shops the team never sees, tenth round (issue 13, intents18): a product's condition or
function asked before buying in a shop's own words (有没有划痕 / 有没有裂 / 会不会漏水 / 会不会漏气 /
能用几年), which the damage keywords inside them (划痕, 裂, 漏水, 漏气, 发霉) read as a fault report, and the
same words from a customer who has the item and found the fault.

intents18 wrote product questions of our own for about forty shop verticals in the corpus, with
after-receipt fault reports as contrast, and product keywords (会不会漏水, 有没有裂, 能用几年 ...) that
decided the pre-sale questions; the review (review33) found those keywords took a customer who had the
item and reported the fault (收到的碗有没有裂 我看底下有条缝, 热水壶会不会漏电 我刚被电了一下) to a
product answer, so they were taken out: such a pre-sale question is now asked about (never a confident
damage report), and a fault found after receipt is a damage report or asked; docs/intents.md, "Tenth
round: product questions in a vocabulary never seen (intents18)" and "Tenth round merged".

Every sentence was written for this file, is not in the training corpus, and shares no run of 6
characters with the shop chat sets or the corpus (checked with bench/shops/tools/overlap.py). `PLACED`:
the bot must act on the intent (each was a product answer or asked on 22b304a); `NEVER_WRONG`: asking is
acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "a flaw found after receipt, asked as a question, is a damage report": [
        ("收到的碗有没有裂 我看底下有条缝", "after_sales.damaged"),
        ("收到的面包有没有发霉 上面绿绿的", "after_sales.damaged"),
        ("收到的手机能用几年啊 开机就卡", "after_sales.damaged"),
    ],
}
PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

PRE_SALE_FLAWS = [
    "在吗 这台咖啡机有没有划痕 展示过的吗", "汉服的领子有没有瑕疵 拍前想确认下", "帐篷杆有没有裂 第一次买这种",
    "这块手工地垫有没有污渍 颜色跟图一样不", "登山扣有没有划痕 承重几千牛", "皮手套指尖有没有破洞 冬天开车戴",
    "陶瓷花盆有没有裂 底下带孔吗", "砚台有没有裂纹 磨墨细不细", "蒸笼有没有发霉 是竹编的吗",
    "沙滩伞有没有掉漆 杆子几节",
    "这个鱼护会不会漏水 网眼多大", "香薰机会不会漏电 小孩房能放吗", "氧气瓶会不会漏气 高铁上让带吗",
    "烤箱门会不会漏气 温度准不准", "SUV后座的气垫床会不会漏气 能铺满吗",
]

NEVER_WRONG = [
    # a flaw asked about before buying: a product question or asked, never a damage report
    *((text, "product.consult") for text in PRE_SALE_FLAWS),
    # the same flaws found after receipt stay damage reports (or are asked)
    ("热水壶会不会漏电 我刚被电了一下", "after_sales.damaged"),
    ("收到的杯子会不会漏水", "after_sales.damaged"),
    ("我收到的桌子有没有划痕 你们发货前不检查吗", "after_sales.damaged"),
    ("买回来的雨衣会不会渗水 里面衣服全湿了", "after_sales.damaged"),
    ("新买的电热毯会不会漏电 摸着有点麻", "after_sales.damaged"),
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
