"""What the complaint dialogue reads in a customer's words (docs/rules.md R-COMPLAINT-2, R-COMPLAINT-9).

Plain patterns, one per thing to read: an answer that cancels, cannot give an order ("there is no
order" is the after-sales dialogue's `NO_ORDER`),
refuses phone calls, names a phone or says "this chat", wants an outcome, asks where a complaint is;
the shop's own fault (the only case for an apology, R-WORDS-3);
the category; and the words that make a complaint major (media, 12315 or the platform, a protest,
a demand to return the product).
"""

from __future__ import annotations

import re

CANCEL = re.compile(r"^\W*(算了|取消|不投诉了|不用投诉|不投了|没事了|不用了)")
#: The words that say "this is a complaint", not what happened.
TRIGGER = re.compile(r"(我?(还)?(要|想|必须)?(投诉|维权|举报)(你们|一下)?[!！。，,]*)")
ACK = re.compile(r"^(好的?|嗯+|是的?|对的?|ok|行|可以|没有了?)$", re.IGNORECASE)
#: After a wrong order number: the customer cannot give one (R-COMPLAINT-3 asks again once, then goes on).
ORDER_UNKNOWN = re.compile(r"^\W*(没有了?|找不到了?|不知道|不记得了?|忘了|查不到|没有单号|没单号)\W*$")
#: A refusal of phone calls TO THE CUSTOMER (别再打了, 别给我打电话, 不方便接电话, 不想留电话): the complaint is
#: reached in the chat only (R-COMPLAINT-2). Not someone else not answering (快递员不接电话, 你们不接电话吗), not
#: someone else to be spared (别打电话联系我老公): `refuses_calls` also drops a time given for the call.
_OTHERS = r"(?![^，。,.!！?？]{0,4}(?:老公|老婆|爱人|家人|家里|爸|妈|父母|孩子|儿子|女儿|同事|朋友|领导))"
NO_CALL = re.compile(rf"(?:(?:别|不要|不用|不必|不需要)再?(?:给我)?打(?:电话|了){_OTHERS}|"
                     rf"(?:别|不要|不用|不必|不需要)再?(?:打电话|电话|来电话)?(?:联系|打给)我{_OTHERS}|"
                     r"不方便(?:留|接|打)(?:电话|号码)|不想(?:留|给)(?:电话|号码)|不留(?:电话|号码)|别来电)")
#: A time given for the call (上班不接，晚上打): a wish about when, not a refusal; the phone is kept.
CALL_TIME = re.compile(r"(早上|上午|中午|下午|晚上|傍晚|周末|休息日|下班后?|\d{1,2}[点:：])"
                       r".{0,6}(再|可以|能)?(打|联系|来电)")
#: What may stand beside a refusal in a message that is only the refusal (R-COMPLAINT-2 outside the dialogue).
_REFUSAL_FILLER = re.compile(r"[\W_]|请|麻烦|你们|以后|之后|谢谢|好吗|好吧|行吗|可以吗|吧|了|啊|呀|哦|哈|都|就|也|"
                             r"我|有事|在这里|这里|微信|聊|说|线上|就行|联系")
#: The most characters beside the refusal in such a message (别再打了，有事微信说就行 is still the refusal).
_REFUSAL_REST = 2


def refuses_calls(text: str) -> re.Match[str] | None:
    """The refusal of calls in `text`, or None when there is none or a time is given for the call."""
    found = NO_CALL.search(text)
    return None if found is None or CALL_TIME.search(text) else found


def only_refuses_calls(text: str) -> bool:
    """The message is essentially that refusal: short, nothing else said or asked."""
    found = refuses_calls(text)
    if found is None:
        return False
    rest = text[:found.start()] + text[found.end():]
    return len(_REFUSAL_FILLER.sub("", rest)) <= _REFUSAL_REST


#: The same said short, read only as the answer to "may we have a phone" (不想留, 不方便).
CONTACT_REFUSED = re.compile(r"^\W*(不想留|不方便留|不方便|不留了?|不想给|不给)\W*$")
#: "Where is my complaint": the word 投诉 (or a TS number) and a question about its progress.
STATUS_ASK = re.compile(r"(投诉|TS\d{12}).{0,6}(到哪|进度|进展|怎么样了|如何了|处理得怎么样|处理了(吗|没)|"
                        r"有(没有)?(回复|消息|答复|结果)|什么时候(有|给)(我)?(结果|答复|回复))")
#: A new complaint being made, whose words may look like a status question (我要投诉，快递到哪了都不知道).
NEW_COMPLAINT = re.compile(r"(要|想|必须|我来)投诉")
PHONE = re.compile(r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}")
#: "Reach me in this chat", taken whole (就在这里聊 leaves no 里聊 behind as the outcome).
SAME_CONTACT = re.compile(r"((?:就|直接)?在?这[里儿]联系(?:就行|就好|就可以)?吧?|"
                          r"(?:就|直接)在?这[里儿](?:聊|说|沟通)(?:就行|就好|就可以)?吧?|"
                          r"在?这[里儿](?:聊|说|沟通)(?:就行|就好|就可以|吧)|"
                          r"(?:就|直接)在这[里儿]?|就这个号|本微信|微信联系|加微信|这个微信|在线联系)")
#: An outcome named alone, without 要求/希望 (the answer to "which order" may be just 退款).
OUTCOME_ALONE = re.compile(r"^\W*(退款|退钱|退货|换货|补发|赔偿|补偿|道歉)(吧|就行|就好|就可以)?\W*$")
OUTCOME = re.compile(
    r"(我?(要求|希望|想要|想|要|必须|请)(你们)?(给我)?(全额)?"
    r"(退款|退钱|退货|换货|换一个|补发|重新发|赔偿|补偿|道歉|赔钱|给个说法|处理|解决|开除|处分)[^，。,.!！?？]{0,20})")
SHOP_FAULT = re.compile(r"(发错|少发|漏发|错发|还没发货|一直没发|迟迟不发|发货太慢|破损|碎了|坏的|坏了|过期|假货|"
                        r"态度|不理人|不回复|没人回|骂人|质量)")
CATEGORIES = (
    ("service", re.compile(r"(客服|态度|服务|不理人|不回复|没人回|骂人|敷衍|推卸)")),
    ("logistics", re.compile(r"(物流|快递|发货|没收到|送货|配送|丢件|派送)")),
    ("price", re.compile(r"(价格|降价|差价|贵|优惠|多收|收费|扣款|价保)")),
    ("product", re.compile(r"(质量|坏了|破损|碎了|假货|过期|做工|褪色|起球|尺码|瑕疵|不能用|用不了|故障)")),
)
MAJOR = (
    ("media", re.compile(r"(曝光|媒体|记者|报社|电视台|上新闻|发微博|发抖音|发到网上|发朋友圈)")),
    ("platform", re.compile(r"(12315|消协|消费者协会|工商|市场监管|平台介入|小二介入|投诉到平台|找平台|"
                            r"厂家投诉|找厂家)")),
    ("protest", re.compile(r"(拉横幅|堵门|静坐|去你们店里闹|上门闹|砸了你们|闹到底)")),
    ("return", re.compile(r"(退货|退回去|我要退|给我退了|全部退掉)")),
)


def shop_at_fault(text: str) -> bool:
    return bool(SHOP_FAULT.search(text))


def category_of(text: str) -> str:
    for category, pattern in CATEGORIES:
        if pattern.search(text):
            return category
    return "other"


def major_reasons(text: str) -> list[str]:
    return [reason for reason, pattern in MAJOR if pattern.search(text)]
