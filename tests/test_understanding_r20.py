"""Wordings of shops the team never sees, twelfth round (issue 13, intents20): a customer who has the item
(收到的 / 到手的 / 拆开 / 刚拿到) and asks about a flaw reports a fault, even when the question holds a
product word (会掉色吗, 有色差吗, 是正品吗) or a flaw the corpus only knew from questions asked before buying
(砂眼, 跑焦, 有锁); a level asked lower (音量能不能再低点) is a product question, not bargaining, unless a
price is named.

Fixed by lines of our own in the corpus only (no keyword: a keyword that fires on 收到的 + a flaw would also
fire on a customer quoting others, 看评价说收到的会掉色); docs/intents.md, "Twelfth round: a received item's
flaw, and a level asked lower (intents20)".

Every sentence was written for this file, is not in the training corpus, and shares no run of 6 characters
with the 24 readable shop chat sets, tests/data or the corpus (checked with bench/shops/tools/overlap.py),
except the two sentences the issue names (收到的铸铁锅有没有砂眼 …, 音量能不能再低点). Each `PLACED` sentence
was asked or confidently wrong on 2163a70. `PLACED`: the bot must act on the intent; `NEVER_WRONG`: asking
is acceptable, a confident other intent is not.

After review35 (intents21): the round's lines had taught three harms, fixed by lines of our own again
(docs/intents.md, "Twelfth round", "After review35"): bargaining with no price word (这个能再低点吗) had become a
product question; a 收到的 / 到手的 prefix pushed questions about what will come and others' experiences to
damaged; a person asked for after a received flaw was no longer honoured (human comes first, TAXONOMY order).
The review's sentences were wrong or asked on ffb79df; the sentences of our own around them are fixes and
guards (about half were already right on ffb79df: a level that names what is lowered, a condition asked of
这台, 人工客服 / 真人客服 after a flaw) and are not in the corpus (checked for identical lines only).

After review37 (intents22): intents21's product lines had made customers who already hold the item and report a
problem get a confident product answer (收到的时候没有说明书, 收到的是全新吗 怎么有使用痕迹), and bargaining after
ordering a promotion. Its product lines now say they are asked before buying (买之前 / 还没买 / 想买 …), and
lines of our own teach the received item's missing part (missing), used / refurbished / wrong-region goods
(damaged; a wrong model to swap: exchange) and a lower price asked after ordering (refund, price protection). The
review's sentences were wrong or asked on 7495569; a bare 收到的是几成新 may now be asked (`NEVER_WRONG`).

After review38 (intents23): intents22's 收到的时候没有X lines had pulled an invoice (收到的时候没有发票) and a gift
question (收到的时候有没有赠品, 下单送数据线吗) to missing, 激活 / 翻新 questions to damaged, payment after ordering
(已经下单了 怎么还没扣款) to refund and an explicit 退货 / 退款 after a missing part or a refurbished item away.
Lines of our own now teach invoice and gift questions in those frames, bare 激活 / 翻新 questions as product
questions (the damaged lines state the finding first), payment after ordering and the return / refund asked. The
review's sentences were wrong or asked on 9d5da95.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "the issue's two sentences (product 0.87 and promotion 0.81 on 2163a70)": [
        ("收到的铸铁锅有没有砂眼", "after_sales.damaged"),
        ("收到的铸铁锅有没有砂眼 底部好多小孔", "after_sales.damaged"),
        ("音量能不能再低点", "product.consult"),
    ],
    "a received item's flaw in a shop's own jargon": [
        ("刚拿到的望远镜跑焦吧 怎么调都是虚的", "after_sales.damaged"),
        ("刚收的这部手机带不带锁 插卡一直显示无服务", "after_sales.damaged"),
    ],
    "a received item's flaw asked with a product word, then what was seen": [
        ("到手的T恤会掉色吗 洗一遍水就红了", "after_sales.damaged"),
        ("收到的包有色差吗 跟图片完全两个颜色", "after_sales.damaged"),
        ("收到的鞋子是正品吗 鞋标都是歪的", "after_sales.damaged"),
        ("收到的面包会不会发霉了 上面有绿点", "after_sales.damaged"),
    ],
}
PLACED.update({
    "review35: bargaining with no price word is promotion (product 0.63-0.94 on ffb79df)": [
        ("这个能再低点吗", "promotion"),
        ("这款能不能再低点", "promotion"),
        ("这个还能再低吗", "promotion"),
        ("量大还能再低吗", "promotion"),
        ("二手这台还能再低吗", "promotion"),
        ("还能再低吗", "promotion"),
        ("手机能不能再低点价", "promotion"),
        ("能再低一些吗", "promotion"),
        ("这条裙子还能再低吗 喜欢好久了", "promotion"),
        ("老顾客了 这台能便宜点吗", "promotion"),
        ("量大能不能再低一点 要五十个", "promotion"),
        ("这个能再低点不 真心要", "promotion"),
    ],
    "review35: a level that names what is lowered stays a product question": [
        ("声音能不能再低点", "product.consult"),
        ("座椅高度还能再低吗 孩子脚够不着地", "product.consult"),
        ("台灯亮度还能再暗一点吗", "product.consult"),
    ],
    "review35: 收到的 / 到手的 asking what will come, or a condition before buying, is a product question": [
        ("收到的会是最新批次吗", "product.consult"),
        ("有人说收到的表走时不准 你们这款准吗", "product.consult"),
        ("收到的快门数能保证在一万以内吗", "product.consult"),
        ("收到的时候电池有电吗", "product.consult"),
        ("收到的会带包装盒吗", "product.consult"),
        ("收到的是有锁还是无锁", "product.consult"),
        ("收到的会不会是去年的库存", "product.consult"),
        ("收到的能保证没进过水吗", "product.consult"),
        ("到手的是不是原厂电池", "product.consult"),
        ("收到的时候会有保护膜吗", "product.consult"),
        ("到手的茶会是今年的春茶吗", "product.consult"),
        ("听说有人收到的是旧款 你们发的是新款吗", "product.consult"),
        ("这部二手的几成新", "product.consult"),
        ("这台是有锁的还是无锁的", "product.consult"),
    ],
    "review35: a person asked for after a received flaw is human (damaged or asked on ffb79df)": [
        ("收到的表有问题 我要跟人说", "human"),
        ("收到的镜头跑焦 让客服小姐姐来", "human"),
        ("收到的手机有问题 找人工", "human"),
        ("收到的东西坏了 转人工", "human"),
        ("收到的杯子裂了 人工", "human"),
        ("收到的相机有问题 找你们店长", "human"),
        ("收到的锅有问题 有没有真人", "human"),
        ("收到的吸尘器有问题 转人工", "human"),
        ("到手的台灯坏了 找真人", "human"),
        ("收到的茶壶漏水 人工客服", "human"),
        ("刚拿到的镜子碎了 要真人客服", "human"),
    ],
    "review35: broken on opening and the money wanted back is a refund (asked on ffb79df)": [
        ("拆开就是坏的 钱退我 东西不要了", "after_sales.refund"),
        ("拆开就是碎的 钱退我 不要了", "after_sales.refund"),
        ("一开箱就是坏的 退钱吧 不换了", "after_sales.refund"),
    ],
    "review35: round 20's received flaw kept": [
        ("收到的那口锅有没有砂眼啊 锅底好多坑", "after_sales.damaged"),
    ],
})
PLACED.update({
    "review37: what was received lacks a part: missing (product 0.75-0.90, or asked, on 7495569)": [
        ("收到的时候没有说明书", "after_sales.missing"),
        ("收到的时候没有耳机", "after_sales.missing"),
        ("收到的时候没有数据线", "after_sales.missing"),
        ("到手的时候没有配件", "after_sales.missing"),
        ("收到的时候有没有充电头 我没找到", "after_sales.missing"),
        ("收到的有保修卡吗 我翻遍了没看到", "after_sales.missing"),
        ("收到的时候没有贴膜 说好的送膜呢", "after_sales.missing"),
    ],
    "review37: received opened, used, refurbished or of another region: damaged (product 0.62-1.00 on 7495569)": [
        ("收到的时候包装是拆开过的", "after_sales.damaged"),
        ("收到的时候是满电吗 我刚开机只有两格", "after_sales.damaged"),
        ("到手的是几成新 明显用了很久", "after_sales.damaged"),
        ("收到的会是翻新机吗 我这台后盖有拆过的痕迹", "after_sales.damaged"),
        ("收到的是全新吗 怎么有使用痕迹", "after_sales.damaged"),
        ("收到的是国行吗 我这个开机是英文的", "after_sales.damaged"),
        ("收到的带原装充电器吗 我这个是杂牌的", "after_sales.damaged"),
        ("到手的有没有激活过 我开机显示已激活", "after_sales.damaged"),
        ("收到的是新的吗 里面有别人的照片", "after_sales.damaged"),
        ("收到的空调温度降不下来", "after_sales.damaged"),
    ],
    "review37: an old model received where the new one was bought: exchange (product 0.88 on 7495569)": [
        ("收到的会是旧款吗 我收到的就是旧款", "after_sales.exchange"),
    ],
    "review37: what the customer wants done with a received item (asked on 7495569)": [
        ("收到的东西不想要了 怎么退款", "after_sales.return"),
        ("收到的坏了 不用转人工 直接给我换个新的", "after_sales.exchange"),
        ("谢谢小姐姐 收到的杯子很漂亮", "thanks"),
    ],
    "review37: a lower price asked after ordering is price protection, refund (promotion 0.86-0.92 on 7495569)": [
        ("能再低吗 我已经下单了", "after_sales.refund"),
        ("能再低吗 我昨天已经拍了", "after_sales.refund"),
    ],
})
PLACED.update({
    "review38: an invoice asked in the received frame is invoice (missing 0.91-0.97, or asked, on 9d5da95)": [
        ("收到的时候没有发票吗", "invoice"),
        ("收到的时候没有发票", "invoice"),
        ("到手的时候没有发票", "invoice"),
        ("收到的时候有发票吗", "invoice"),
        ("你好 收到的时候有发票吗", "invoice"),
        ("收到的时候没有纸质发票吗", "invoice"),
    ],
    "review38: a gift asked about before buying is promotion (missing or product, or asked, on 9d5da95)": [
        ("收到的时候送不送赠品", "promotion"),
        ("买了送的赠品是什么", "promotion"),
        ("收到的时候有赠品吗", "promotion"),
        ("拍了送不送钢化膜", "promotion"),
        ("下单送数据线吗", "promotion"),
        ("下单送耳机吗", "promotion"),
        ("下单会送刷头吗", "promotion"),
    ],
    "review38: a payment problem after ordering is payment (refund 0.94, or asked, on 9d5da95)": [
        ("已经下单了 怎么还没扣款", "payment"),
        ("已经下单了 怎么没扣钱", "payment"),
        ("已经下单了 怎么付款", "payment"),
        ("已经下单了 还没付款 能改价吗", "payment"),
        ("已经下单了 怎么付不了", "payment"),
    ],
    "review38: an explicit 退货 / 退款 is honoured (missing 0.88, or asked, on 9d5da95)": [
        ("收到的时候没有说明书 不要了 退货", "after_sales.return"),
        ("收到的是翻新机 我要退货", "after_sales.return"),
        ("收到的是翻新机 我要退款", "after_sales.refund"),
    ],
})
PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # a flaw asked before buying, or about someone else's item: never a damage report
    ("帆布托特包掉不掉色 想配白裙子", "product.consult"),
    ("望远镜会跑焦吗 看鸟用", "product.consult"),
    ("二手平板有锁吗 能登自己的账号不", "product.consult"),
    ("还没收到的那件会掉色吗", "product.consult"),  # tracking at 0.6+ on 2163a70
    ("朋友收到的那台是有锁的 你们这台有锁吗", "product.consult"),
    # 收到 / 到手 / 拆开 where another intent is meant
    ("刚收到一张优惠券 在哪用", "promotion"),
    ("收到的发票抬头不对 能重开吗", "invoice"),
    ("包装拆开了 还算无理由退货吗", "after_sales.return"),
    ("寄来的是蓝色款 下单选的绿色", "after_sales.exchange"),
    ("到手只有一个枕头 我买的两个", "after_sales.missing"),
    ("拆开的盒子里只有手柄 没有充电线", "after_sales.missing"),
    ("收到了 成色挺新的 谢谢", "thanks"),
    # the jargon of a flaw with what the customer wants done
    ("收到的那支镜头跑焦 想换一支", "after_sales.exchange"),
    ("到手的石英表走时不准 直接退了吧", "after_sales.return"),
    ("有锁那部已经寄还给你们 钱哪天到账", "after_sales.refund"),
    ("拿到的二手平板成色太差 标九成新 纯属骗人", "complaint"),
    # a price named: bargaining stays promotion beside the level lines
    ("这个价还能不能往下降点", "promotion"),
    ("到手价再少点行吗", "promotion"),
    # 烂 of the service is a complaint, of the fruit a damaged item
    ("客服服务太烂了 给一星", "complaint"),
    ("收到的香蕉烂了好几根", "after_sales.damaged"),
    # review35: others' experience asked about this shop is never a damage report
    ("看评论说有人收到的有划痕 你们发货前检查吗", "product.consult"),
    ("上次在别家买收到的是坏的 你们家质量怎么样", "product.consult"),
    ("评价里有人说收到的表带断了 你们这款结实吗", "product.consult"),
    ("上回在别的店收到的是裂的 你们包装牢不牢", "product.consult"),
    # review35: charged above the page's price after buying is money back (price protection), not damage
    ("收到的价格比页面高", "after_sales.refund"),
    ("收到的价格比页面贵", "after_sales.refund"),
    # bargaining beside a flaw of a display model: either reading is asked, never damage
    ("样机能不能再低点 有点小划痕", "promotion"),
    # a flaw, then the shop's manager asked to handle it: a person first (human 0.75 here, near the line)
    ("收到的裤子破了 让店长来处理", "human"),
    # review37: a bare 几成新 of what will come may be asked, never a damage report; worn, asked near the line
    ("收到的是几成新", "product.consult"),
    ("收到的是几成新啊 怎么这么旧", "after_sales.damaged"),
    # review38: invoice or gift questions in the received frame, bare 激活 / 翻新 questions and 带不带 before
    # buying: right or asked, never a missing part or a damage report (missing / damaged 0.61-0.92 on 9d5da95)
    ("收到的包裹里没有发票", "invoice"),
    ("收到的时候有没有赠品", "promotion"),
    ("到手的手机激活了吗", "product.consult"),
    ("到手的平板激活了没", "product.consult"),
    ("收到的手表激活过吗", "product.consult"),
    ("收到的是不是翻新机", "product.consult"),
    ("到手带不带数据线啊", "product.consult"),
    # review39: an exchange asked about after activation is an exchange (damaged 0.60 / asked on 8f2134e), a
    # double charge after ordering money back, or asked (asked on 8f2134e, refund 0.95 on 2163a70)
    ("激活以后坏了给换吗", "after_sales.exchange"),
    ("激活后不满意可以换吗", "after_sales.exchange"),
    ("已经下单了 钱扣了两次", "after_sales.refund"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
