"""Wordings of shops the team never sees, thirteenth round (issue 13, intents25): the after-sales, complaint,
human and social families. A delivery person's or fitter's bad manners are a complaint about the service, not
a parcel question; a fault told by its symptom (no smoke drawn, no aroma left, black smoke) is a damaged item
even without 坏; a count short is a missing item; a person asked for as 客服小哥哥 / 小姐姐 is human; "ok, I'll
wait, bye" closes the chat; a social word beside a business part is the business intent; a job asked for is
nothing the shop serves.

review41 then found intents25's lines teaching wrong boundaries: a count or a part asked before buying read as a
missing item, a greeting or an introduction swallowed the business after it, a symptom word asked before buying
read as a damaged item. intents26 mended them (docs/intents.md, "After review40 and review41 (intents26)"); the
review's sentences are below, grouped "review41".

Fixed by lines of our own in the corpus only (docs/intents.md, "Thirteenth round: after-sales told by
symptoms, complaints told by anger, people asked for by name (intents25)"). Every sentence was written for
this file and is not in the training corpus. `PLACED`: the bot must act on the intent (each was asked or
confidently wrong on eb3f2d6 unless its group says it guards a neighbour); `NEVER_WRONG`: asking is
acceptable, a confident other intent is not.
"""

from __future__ import annotations

from tests.understanding_checks import sentence_checks

PLACED = {
    "a delivery person's or fitter's manners are a complaint (tracking or asked on eb3f2d6)": [
        ("快递小哥说话好冲 多问一句就烦我", "complaint"),
        ("送件的小哥很不耐烦 电话里吼我", "complaint"),
        ("你们家送货员也太没礼貌了", "complaint"),
        ("配送的人放了就跑 喊都喊不住 什么素质", "complaint"),
        ("安装师傅迟到三个小时还甩脸色", "complaint"),
    ],
    "a fault told by its symptom, no 坏 (product question on eb3f2d6)": [
        ("新到的咖啡豆闻不到一丝香气 像陈货", "after_sales.damaged"),
        ("油烟机吸不走烟", "after_sales.damaged"),
    ],
    "a person asked for by 客服小哥哥 after a fault with no fault keyword (damaged 0.59, asked, on eb3f2d6)": [
        ("包包拉链坏了 叫客服小哥哥来", "human"),
    ],
    "waiting for the shop's news, then bye, closes the chat (complaint on eb3f2d6)": [
        ("那好 我就等你们通知 再见", "goodbye"),
    ],
    "guards: courier questions stay parcel questions, a gift asked stays promotion, thanks with praise": [
        ("能把派送员的号码给我吗", "logistics.track"),
        ("快递员讲放在代收点了 代收点在哪儿", "logistics.track"),
        ("拍三盒能多送一盒吗", "promotion"),
        ("谢谢亲 发货真快 服务也好", "thanks"),
        ("谢谢 但退的钱我还没收到", "after_sales.refund"),
        ("你好 售后提了好几天一直没人跟", "after_sales.progress"),
    ],
    "review41: contents and counts asked before buying are product questions (missing or asked after intents25)": [
        ("咖啡胶囊一盒几颗", "product.consult"),
        ("坚果礼盒里有几袋", "product.consult"),
        ("猫条一包多少根", "product.consult"),
        ("养生壶带不带过滤网", "product.consult"),
        ("白酒礼盒里有没有酒杯", "product.consult"),
        ("机械键盘有没有配拔键器", "product.consult"),
        ("乐高这套一共多少个零件", "product.consult"),
    ],
    "review41: a greeting or introduction does not swallow the business after it (greeting or asked after intents25)": [
        ("嗨 闺蜜介绍我来的 有新人券吗", "promotion"),
        ("你好呀 现在有人在线吗 我要开发票", "invoice"),
        ("哈喽 我是老顾客了 上次买的电饭煲不加热了", "after_sales.damaged"),
        ("在吗 这里是官方旗舰店吧 东西是正品吗", "product.consult"),
    ],
    "review41: thanks or goodbye does not swallow the business after it (asked after intents25)": [
        ("鞋收到了 码数刚刚好 想再买双别的颜色 有货吗", "product.consult"),
        ("好的好的 不打扰了 那优惠券记得发我", "promotion"),
    ],
    "review41: a symptom word asked before buying is a product question (asked after intents25)": [
        ("吸顶灯能用遥控开关吗", "product.consult"),
        ("奶瓶盖子拧紧了会不会漏奶", "product.consult"),
        ("衬衫第一次下水会掉色吗", "product.consult"),
        ("行车记录仪会不会发烫自己重启", "product.consult"),
    ],
}

PLACED_CASES = [(pattern, text, intent) for pattern, rows in PLACED.items() for text, intent in rows]

NEVER_WRONG = [
    # a symptom near the line: right or asked, never a product answer (product 0.91 / asked on eb3f2d6)
    ("空气炸锅加热的时候冒黑烟", "after_sales.damaged"),
    ("茶叶有股烟味 不像正常的", "after_sales.damaged"),
    # a count short in one parcel (damaged 0.60 on eb3f2d6)
    ("奶粉订了三罐 收到就两罐", "after_sales.missing"),
    # a greeting after a waving hand (goodbye 0.70 on eb3f2d6); a job asked for (human 0.41 on eb3f2d6)
    ("👋 你好呀亲", "greeting"),
    ("你们招不招人", "unknown"),
    # a set's contents asked before buying is never a missing item
    ("这个礼盒装的都是什么", "product.consult"),
    # service anger with a broken promise of shipping: a complaint or asked (shipping 0.62 on eb3f2d6)
    ("下单的时候说当天发 结果三天了还在仓库 搞什么", "complaint"),
    # review41 (after intents25): a count or a part asked before buying is never a missing item
    ("咖啡胶囊一条几颗", "product.consult"),
    ("键盘盒子里有拔键器吗", "product.consult"),
    ("汽车脚垫一套几块", "product.consult"),
    ("眼镜有送眼镜布和盒子吗", "product.consult"),
    # review41: an introduction before a fault is never a greeting; a goodbye before business never closes the chat
    ("嗨 我是上周买过沙发的 沙发腿松了", "after_sales.damaged"),
    ("那我等通知 先下线了 换货的事别忘了", "after_sales.exchange"),
    ("好的 那我先走了哈 明天记得发货", "shipping.when"),
    # review41: a symptom word asked before buying is never a damaged item
    ("沐浴露泵头怎么打开", "product.consult"),
    ("耳机只用右边一只可以吗", "product.consult"),
    ("冰箱插上电多久能凉", "product.consult"),
    ("键盘是青轴吗 打字响不响", "product.consult"),
    # review41: 投诉 named at the bot is a complaint, not a person (a job as 客服 asked, 你们店招客服吗, stays at
    # human 0.59-0.61 by the rule's 客服 whatever the lines say: a person answers it, no harm done)
    ("跟机器人说不清 我要投诉", "complaint"),
    # review41 (older than intents25): 算了 alone or with a retreat starts no refund
    ("算了", "goodbye"),
    ("算了 不买了", "goodbye"),
    ("算了 我自己去查吧", "goodbye"),
    ("那就算了吧", "goodbye"),
    # review44: intents26's count guards (a pack's count asked before buying) had taken counts found short
    # after arrival to product questions (0.63-0.93); the lead's after-arrival lines #r28001-#r28016 hold them
    ("湿巾收到 一包才60抽 写的80抽", "after_sales.missing"),
    ("猫砂一包才4升多 分量不足", "after_sales.missing"),
    ("积木这盒说500颗粒 收到拼完剩一堆缺的", "after_sales.missing"),
    ("洗衣凝珠一袋写着52颗 实际40颗", "after_sales.missing"),
]

(
    test_sentences_are_not_training_data,
    test_the_bot_acts_on_the_right_intent,
    test_a_borderline_message_is_right_or_asked,
) = sentence_checks(PLACED_CASES, NEVER_WRONG)
