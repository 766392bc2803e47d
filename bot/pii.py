"""Strip what identifies a customer from a message before it is kept as a learned example.

Learned examples are read by staff, exported to files and shared by every worker, so they keep
only the wording: order and case numbers, phone numbers, e-mail addresses, long digit runs and
names given after a cue (收件人是…, 我叫…, 王先生) are removed or replaced by 某某, and the numbers
of a street address become 某: the house number after a road, lane, 里, 苑, 村 (and its 组), 园,
庄, 小区 or 花园 (甲12号, 88-1号 and 十二号 too), the building (号楼, 栋, 幢, 座, 号院), the unit
and the room (室, 房, 户, or the bare number right after a building or unit: 5号楼1202, 三单元五〇二).
The road or compound's name alone names thousands of homes, its numbers name one. A number + 号
anywhere else is a date (12号能到吗, 3号发货) and stays, as do counts (买了3个) and sizes (38码, 5L).
A name written without a cue (…88号 张三) is not recognised. The intent model never sees numbers
anyway (they are cut out before classifying).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.extract import split_numbers

NAME_PLACEHOLDER = "某某"
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"[A-Za-z]{0,4}\d[\d-]{5,}\d")  # order-like codes: 6+ digits, maybe with a prefix
_NAMED = re.compile(
    r"((?:收件人|收货人|联系人|寄件人|姓名|名字)(?:是|叫|改成|改为|写成|换成|[:：])\s*|我叫\s*)[\u4e00-\u9fff]{2,3}"
)
_TITLED = re.compile(r"[\u4e00-\u9fff](?=先生|女士|小姐)")
_NUMERAL = r"[\d〇零一二两三四五六七八九十百]"
#: Where a house number follows: a road or lane, a compound (里, 苑, 园, 庄, 小区, 花园), a village and its 组
#: (里 not in 这里/那里/哪里/心里, where a date may follow). Separate look-behinds: each must be of one width.
_PLACE = r"(?:(?<=[路街巷弄道苑园庄村组屯坊])|(?<=[^这那哪心]里)|(?<=^里)|(?<=胡同)|(?<=小区))"
_HOUSE_NUMBER = re.compile(_PLACE + rf"\s*[甲乙丙丁]?{_NUMERAL}+(?:-{_NUMERAL}+)?(?=\s*号)")
#: A building, its unit, a village's 组 and a room named by their word; a room also by its bare number right
#: after the building or unit (5号楼1202, 3幢402, 三单元五〇二).
_BUILDING_NUMBER = re.compile(
    rf"(?:[A-Za-z]?{_NUMERAL}+[A-Za-z]?|[A-Za-z])(?=\s*(?:号楼|号院|栋|幢|座|单元|组|室|房|户))"
    rf"|(?:(?<=号楼)|(?<=[栋幢座])|(?<=单元))\s*{_NUMERAL}{{2,4}}(?!{_NUMERAL})"
)
_SPACES = re.compile(r"\s{2,}")


def strip_pii(text: str, order_patterns: Sequence[re.Pattern[str]] = ()) -> str:
    """`text` without order/case/phone numbers, e-mails, names (names become 某某) and an address's
    numbers (each becomes 某)."""
    for _ in range(3):  # a message may carry several order numbers
        order_no, case_no, rest = split_numbers(text, order_patterns)
        if order_no is None and case_no is None:
            break
        text = rest
    text = _PHONE.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    text = _NAMED.sub(lambda m: m.group(1) + NAME_PLACEHOLDER, text)
    text = _TITLED.sub("某", text)
    text = _HOUSE_NUMBER.sub("某", text)
    text = _BUILDING_NUMBER.sub("某", text)
    return _SPACES.sub(" ", text).strip()
