"""Text analysis and the two scorers behind the intent matcher.

Customers write short, informal, misspelt Chinese, so no single signal is enough:
- `Analyzer` turns a message into a canonical form (lower-case, dialect and typo synonyms replaced,
  punctuation dropped) and then into sparse features: jieba words plus character pairs. Character
  pairs survive typos and segmentation mistakes that would break word matching.
- `KeywordSpotter` finds the shop's keyword phrases, "*" gaps allowed (钱*退); a keyword lying
  inside a longer keyword does not count, so "真人实拍" (product photos) does not fire "真人" (a
  human agent).
- `ExampleIndex` scores a message against the example phrases by TF-IDF cosine (a nearest
  neighbour per intent), through an inverted index so only examples sharing a feature are touched,
  and only the candidate intents' examples when keywords picked candidates.

Everything is built once at load; per message the work is a few regex passes, one jieba cut and a
few dictionary look-ups, all linear in the message length.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from bot.intent_model import spaced_pinyin
from bot.jieba_import import jieba

_NON_WORD = re.compile(r"[\W_]+")
_LONG_DIGITS = re.compile(r"\d{7,}")  # phone numbers and the like: no intent, only noise
_WORD_WEIGHT = 1.0
_PAIR_WEIGHT = 0.7
_PAIR = "\x01"  # prefix keeping character-pair features apart from two-character words
# Traditional -> simplified for characters customers from Taiwan/Hong Kong (or with a traditional
# input method) commonly type in shop chats; only one-to-one, unambiguous mappings.
_TRAD = (
    "請問麼們嗎這個說話時間點後來還沒錢換貨發運費戶號單壞質題優惠價買賣東電聯繫係寫錯誤開票會員積幫謝"
    "讓給幾樣對過長轉務態訴維權處進網購訂顏碼寬鬆體隻雙條張兩萬專業廠輕氣產實際當與應該種麗華頭髮衛"
    "為從無愛歡樂邊錄讀認識計劃壓縮斷裂損遲郵遞寄達滿減紅優劵績級卡續費與動現機關閉簡單傳據標準"
    "處碎劃洩漏髒鏽齊補數帶領導經證書類興趣結題紀錄詢諮顧復頁選擇號碼區門戶縣鄉鎮戶將進節貴賤"
    "儲灣臺裡裏見視覺親廣場員過訊聽懂囉喔嘍啰殺搶團購禮贈盒裝溫濕亂陳舊黃藍綠紫灰顆張鞋襪褲裙帽"
    "鍋壺瓶電腦線圖換貨車輛問題態極壞騙舉報擔憂護膚藥麵飯館熱腳試樣劑淨潔緊錶鐘鑽戲寶貝"
)
_SIMP = (
    "请问么们吗这个说话时间点后来还没钱换货发运费户号单坏质题优惠价买卖东电联系系写错误开票会员积帮谢"
    "让给几样对过长转务态诉维权处进网购订颜码宽松体只双条张两万专业厂轻气产实际当与应该种丽华头发卫"
    "为从无爱欢乐边录读认识计划压缩断裂损迟邮递寄达满减红优券绩级卡续费与动现机关闭简单传据标准"
    "处碎划泄漏脏锈齐补数带领导经证书类兴趣结题纪录询咨顾复页选择号码区门户县乡镇户将进节贵贱"
    "储湾台里里见视觉亲广场员过讯听懂啰哦喽啰杀抢团购礼赠盒装温湿乱陈旧黄蓝绿紫灰颗张鞋袜裤裙帽"
    "锅壶瓶电脑线图换货车辆问题态极坏骗举报担忧护肤药面饭馆热脚试样剂净洁紧表钟钻戏宝贝"
)
_TRAD_TO_SIMP = {ord(t): s for t, s in zip(_TRAD, _SIMP, strict=True) if t != s}
# Most messages hold no traditional character: one regex search instead of translating every character.
_HAS_TRAD = re.compile(f"[{''.join(map(chr, _TRAD_TO_SIMP))}]")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9]")
_JIEBA_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_MAX_GAP = 6  # characters a "*" in a keyword may stand for ("钱*退" matches 钱怎么还没退)

#: Words that refuse what follows ("不是要退货", "不用转人工", "别打电话", "不要发票", "不退了"): both halves of
#: the matcher read the message without the refusal (`unnegated`). Not refusals: 是不是/用不用/需不需要
#: (questions), 不要了/不想要 (a return), 不想做生意 (an angry idiom), 没 (没收到/没发货 are states asked
#: about, not refusals).
#: 不要/别 refuse only where an order is given (at a clause's start or after 我/你们/请/千万/可/也/就/了):
#: not in 可以不要包装吗 (a product question), 先别发 (hold the parcel), 大家都别来 (a warning), 区别/特别.
#: 不 alone refuses a request only as "no longer" (不退了, 不换了; not 不买了, which gives up buying: a goodbye).
NEGATION_CUES = (r"(?<!是)不是|(?<!用)不用|(?<!需)不需要|无需|用不着|没打算|不打算|不必|没必要|没说"
                 r"|不想(?!要|做生意|干)"
                 r"|(?<![^\s我你们请万可也就了])(?:不要(?![了啦的吧呢啊哦嘛])|别(?![人的滴处家样急称致名]))"
                 r"|(?<!么)不(?=(?:退|换|投诉|改|催|查)[^\s了]{0,3}了)")
NEGATION_TAIL = r"(?:要|想|说|申请|再)?"
_NEGATION = re.compile(rf"(?:{NEGATION_CUES}){NEGATION_TAIL}")
#: Objects whose refusal is itself a request, so the cue negates nothing: the bot or its automatic replies
#: (别自动回复了 找人: a person), the receipt's confirmation (别让它自动确认: an extension), keeping the
#: item (不打算留了: a return), the parcel's sending (别寄 / 不用发了: shipping), not the invoice.
_REFUSAL_IS_REQUEST = re.compile(r"\S{0,4}?(?:机器|機器|自动|自動|确认|確認|智能|ai)|留|发(?!票)|寄")
#: 这不是坑人吗, 这不是虚假宣传是什么: a rhetorical question asserts what it seems to deny. (不是说好包邮吗
#: is not one of them: what was promised is not what the customer asks about.)
_RHETORICAL = re.compile(r"(?<=[这那岂可还])不是")
#: Questions, not refusals: 不用开瓶器能开吗 / 不用充电也能用吗 ("can it, without X": the product; but 不用转人工
#: 能帮我查下吗 refuses, what follows 能 is a request to the shop), 真的不用熨吗 / 不需要发票吗 ("is X not
#: needed?": X is what is asked about).
_QUESTIONED = re.compile(r"不用\S{1,5}?(?:也|还)?(?:能|可以)[^\s帮给]{1,2}[吗么](?!\S)"
                         r"|(?:不用|不需要)[^\s吗么]{1,5}[吗么](?!\S)")
_NEGATED_SPAN = 5  # characters of whole words a cue's object may take (给我 and 再 before it apart)
_OBJECT_WINDOW = 8  # characters after a cue cut into words to find the object's end
#: Words before the refused thing that are not it (不用给我打电话, 不要再打电话).
_NOT_THE_OBJECT = frozenset(["给", "我", "帮", "再", "跟", "替", "给我", "帮我", "跟我", "替我", "你", "你们", "一直",
                             "老"])
#: Words that start the next clause, so the object ends before them (不要赠品便宜点行吗, 不需要回访我要退货,
#: 不用人工谢谢).
_CLAUSE_START = frozenset(["能", "可以", "请", "请问", "要", "想", "我要", "我想", "便宜", "什么", "怎么", "哪", "几",
                           "直接", "还是", "但是", "帮我", "谢谢", "多谢", "好的", "辛苦", "再见", "拜拜"])
#: Where a negated object ends: a clause's end, a particle (不用了, 不是坏了 是不会用), a contrast (就是/只).
_OBJECT_END = frozenset(" 了啦吧呢啊哈哦呀嘛哇噢是就只但而")


def _alternation(phrases: Iterable[str], gaps: bool = False) -> str:
    """Regex alternation, longest phrase first; Latin/digit phrases only match as whole words.

    With `gaps`, "*" in a phrase stands for up to _MAX_GAP characters within one chunk.
    """
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: len(p.replace("*", "")), reverse=True):
        if gaps:
            piece = f"[^ ]{{0,{_MAX_GAP}}}?".join(map(re.escape, phrase.split("*")))
        else:
            piece = re.escape(phrase)
        if phrase.isascii() and phrase.isalnum():
            piece = rf"(?<![a-z0-9]){piece}(?![a-z0-9])"
        parts.append(piece)
    return "|".join(parts)


class Replacer:
    """Replaces phrases left to right, the longest at each position; a Latin/digit phrase only as a
    whole word. The same as substituting a longest-first regex alternation of the phrases, but a
    regex of 160 alternatives tries each of them at every position, which cost a sixth of
    classifying a message: here a character class of the phrases' first characters finds the
    positions where one may start, and only those phrases are tried there."""

    def __init__(self, replacements: Mapping[str, str]) -> None:
        self._replacements = {k: v for k, v in replacements.items() if k}
        by_first: dict[str, list[str]] = defaultdict(list)
        for phrase in sorted(self._replacements, key=len, reverse=True):
            by_first[phrase[0]].append(phrase)
        self._by_first = dict(by_first)
        firsts = "".join(sorted(by_first))
        self._starts = re.compile(f"[{re.escape(firsts)}]") if firsts else None

    def __call__(self, text: str) -> tuple[str, bool]:
        """The text with its phrases replaced, and whether anything was."""
        if self._starts is None:
            return text, False
        find, by_first, replacements = self._starts.search, self._by_first, self._replacements
        out: list[str] = []
        done = 0  # text[:done] is in `out`
        m = find(text)
        while m is not None:
            i = m.start()
            for phrase in by_first[text[i]]:
                if text.startswith(phrase, i) and (not _is_word(phrase) or _whole_word(text, i, i + len(phrase))):
                    out.append(text[done:i])
                    out.append(replacements[phrase])
                    done = i + len(phrase)
                    m = find(text, done)
                    break
            else:
                m = find(text, i + 1)
        if not out:
            return text, False
        out.append(text[done:])
        return "".join(out), True


def _is_word(phrase: str) -> bool:
    """Latin letters and digits, in words ("tui huo" as much as "tuihuo")."""
    return phrase.isascii() and phrase.replace(" ", "").isalnum()


def _whole_word(text: str, start: int, end: int) -> bool:
    """No Latin letter or digit right before `start` or at `end` (the regex's (?<![a-z0-9]) and (?![a-z0-9]))."""
    return not (start > 0 and _LATIN_OR_DIGIT.match(text, start - 1)) and not _LATIN_OR_DIGIT.match(text, end)


def cut_words(text: str) -> list[str]:
    """jieba's precise cut without its HMM (`jieba.cut(text, HMM=False)`): the same dictionary (words
    added with `jieba.add_word` included), the same blocks and the same words, in one pass.

    jieba builds a dict of every position's word ends, then a dict of routes through a `max` over a
    generator of tuples per character, then yields through three generator layers: a fifth of
    classifying a message went there. Here the word ends of each position are scanned right to
    left and the best route kept in two lists; a tie between two routes goes to the longer word,
    as jieba's `max((probability, end))` does (tests/test_intents.py compares the two)."""
    if not jieba.dt.initialized:
        jieba.dt.initialize()
    words: list[str] = []
    for n, block in enumerate(jieba.re_han_default.split(text)):
        if n % 2:  # the pattern's one group: every second item of the split is a block it matched
            _cut_block(block, words)
        elif block == " ":  # the space between two chunks of canonical text
            words.append(block)
        elif block:
            for piece in jieba.re_skip_default.split(block):
                if jieba.re_skip_default.match(piece):
                    words.append(piece)
                else:
                    words.extend(piece)
    return words


def _cut_block(block: str, words: list[str]) -> None:
    """jieba's `__cut_DAG_NO_HMM` (its `get_DAG` and `calc` folded into one right-to-left scan)."""
    freq_of = jieba.dt.FREQ.get
    logtotal = math.log(jieba.dt.total)
    log = math.log
    n = len(block)
    route_p = [0.0] * (n + 1)
    route_end = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        best_p, best_end = 0.0, -1
        i, frag = k, block[k]
        freq = freq_of(frag)
        while freq is not None:  # every dictionary word starting at k (prefixes are stored with 0)
            if freq:
                p = log(freq) - logtotal + route_p[i + 1]
                if best_end < 0 or p >= best_p:
                    best_p, best_end = p, i
            i += 1
            if i >= n:
                break
            frag = block[k : i + 1]
            freq = freq_of(frag)
        if best_end < 0:  # no word: the character alone (jieba's `log(FREQ.get(c) or 1)`)
            best_p, best_end = log(1) - logtotal + route_p[k + 1], k
        route_p[k], route_end[k] = best_p, best_end
    x, buf = 0, ""
    while x < n:
        y = route_end[x] + 1
        word = block[x:y]
        if y - x == 1 and word in _JIEBA_ENG:  # single Latin letters and digits run together
            buf += word
        else:
            if buf:
                words.append(buf)
                buf = ""
            words.append(word)
        x = y
    if buf:
        words.append(buf)


def negated_spans(canon: str) -> list[tuple[int, int, int]]:
    """(cue start, object start, object end) of each refusal in `canon` whose object is not empty.

    The object is the whole words after the cue up to _NEGATED_SPAN characters (不是我下的单, 不需要塑料袋包装),
    not counting the words before it that are not it (给我, 再), never cutting a word (不需要发票快递到哪了
    refuses 发票), never past a word that starts the next clause (不要赠品便宜点行吗 refuses 赠品) nor an
    _OBJECT_END (a clause's end, a particle, a contrast). A cue with no object (不用了, 不是 是...) refuses
    nothing: 不用了 is itself a goodbye."""
    spans = []
    for m in _NEGATION.finditer(canon):
        if (_REFUSAL_IS_REQUEST.match(canon, m.end()) or _RHETORICAL.match(canon, m.start())
                or _QUESTIONED.match(canon, m.start())):
            continue
        end = _object_end(canon, m.end())
        if end > m.end():
            spans.append((m.start(), m.end(), end))
    return spans


def _object_end(canon: str, start: int) -> int:
    stop = start
    while stop < min(len(canon), start + _OBJECT_WINDOW) and canon[stop] not in _OBJECT_END:
        stop += 1
    end, taken = start, 0
    for word in cut_words(canon[start:stop]):
        if taken == 0 and word in _NOT_THE_OBJECT:
            end += len(word)
            continue
        if taken and (word in _CLAUSE_START or taken + len(word) > _NEGATED_SPAN):
            break
        end, taken = end + len(word), taken + len(word)
    return end


def unnegated(canon: str, spans: Sequence[tuple[int, int, int]] | None = None) -> str:
    """`canon` with each refusal (cue and object; `spans` when already found) blanked out, every other
    character in its place: what the customer asks for. Most messages hold no cue and come back as they are."""
    if spans is None:
        spans = negated_spans(canon) if _NEGATION.search(canon) else ()
    if not spans:
        return canon
    chars = list(canon)
    for start, _, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


class Analyzer:
    """Canonical text and features; the same analysis for examples and messages."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        lowered = {k.lower(): v.lower() for k, v in synonyms.items()}
        spaced = {variant: v for k, v in lowered.items() if (variant := spaced_pinyin(k))}
        self._replace = Replacer(spaced | lowered)  # a phrase the shop wrote spaced keeps its own meaning

    def canon(self, text: str) -> str:
        """Lower-case, common traditional characters simplified, long digit runs dropped, synonyms
        replaced (a second pass when the first replaced something, for chained variants),
        punctuation as spaces."""
        text = text.lower()
        if _HAS_TRAD.search(text):
            text = text.translate(_TRAD_TO_SIMP)
        text, changed = self._replace(_LONG_DIGITS.sub("", text))
        if changed:
            text = self._replace(text)[0]
        return _NON_WORD.sub(" ", text).strip()

    @staticmethod
    def features(canon: str) -> dict[str, int]:
        """Counts of jieba words and of adjacent character pairs within each chunk."""
        feats: dict[str, int] = {}
        count = feats.get
        for word in cut_words(canon):
            if not word.isspace():
                feats[word] = count(word, 0) + 1
        for chunk in canon.split():
            for i in range(len(chunk) - 1):
                pair = _PAIR + chunk[i : i + 2]
                feats[pair] = count(pair, 0) + 1
        return feats


class Hit(NamedTuple):
    """One keyword occurrence; `length` counts the keyword's literal characters."""

    start: int
    end: int
    intent: str
    length: int
    weak: bool


class KeywordSpotter:
    """The shop's keywords found in canonical text.

    A keyword may hold "*" gaps ("退货*收到" matches 退货你们收到了吗). Weak keywords (question forms
    that attach to any topic, like 有优惠吗 in 会员有什么优惠) are flagged for the caller to use only
    when no strong keyword occurs. Keywords are bucketed by their first characters: a dict look-up
    or two per character of the message.
    """

    def __init__(self, strong: Mapping[str, Iterable[str]], weak: Mapping[str, Iterable[str]]) -> None:
        buckets: dict[str, list[tuple[int, str | None, re.Pattern[str], str, bool]]] = defaultdict(list)
        for is_weak, keywords in ((False, strong), (True, weak)):
            for intent, words in keywords.items():
                for word in {w.lower() for w in words}:
                    pattern = re.compile(_alternation([word], gaps=True))
                    # a keyword without gaps that is not a Latin or digit word (those need word
                    # boundaries) is found by `str.startswith`, 5x cheaper
                    literal = word if pattern.pattern == re.escape(word) else None
                    buckets[word[0]].append((len(word.replace("*", "")), literal, pattern, intent, is_weak))
        # Longest first; then, per first two characters, only the keywords that can start there: a
        # literal of two or more characters only under its own two, the others under every pair
        # (some first characters begin 50 keywords).
        by_first = {c: sorted(b, key=lambda x: -x[0]) for c, b in buckets.items()}
        self._others = {c: [k for k in b if k[1] is None or len(k[1]) < 2] for c, b in by_first.items()}
        self._by_pair = {
            pair: [k for k in by_first[pair[0]] if k[1] is None or len(k[1]) < 2 or k[1].startswith(pair)]
            for pair in {k[1][:2] for b in by_first.values() for k in b if k[1] is not None and len(k[1]) >= 2}
        }

    def find(self, canon: str) -> list[Hit]:
        """The longest keyword at each position, minus those lying inside another one.

        A weak keyword never hides a strong one. Partly overlapping keywords both count (有没有人工
        is 有没有人 and 人工); the precedence rules decide between them.
        """
        found = []
        by_pair, others = self._by_pair, self._others
        for pos, char in enumerate(canon):
            candidates = others.get(char)
            if candidates is None:
                continue  # no keyword starts with this character
            for length, literal, pattern, intent, is_weak in by_pair.get(canon[pos : pos + 2], candidates):
                if literal is not None:
                    if canon.startswith(literal, pos):
                        found.append(Hit(pos, pos + len(literal), intent, length, is_weak))
                        break
                else:
                    m = pattern.match(canon, pos)
                    if m:
                        found.append(Hit(pos, m.end(), intent, length, is_weak))
                        break
        kept = []
        reach_any = reach_strong = -1  # furthest end of the hits starting further left
        for hit in found:  # in start order, one hit per start
            if hit.end > (reach_any if hit.weak else reach_strong):
                kept.append(hit)
            reach_any = max(reach_any, hit.end)
            if not hit.weak:
                reach_strong = max(reach_strong, hit.end)
        return kept


class ExampleIndex:
    """Nearest-example TF-IDF cosine per intent over an inverted index.

    A message shares features with a few dozen of the ~800 examples (about a hundred postings at
    the median), so its dot products are accumulated for those examples only, and each intent's
    best is taken over them: measured 54 -> 41 us per message against a dense list of every
    example's dot product with a `max` per intent's slice. When only some intents' similarity is
    wanted (a keyword decided the candidates: four messages in five), only their examples'
    postings are walked."""

    def __init__(self, examples: Iterable[tuple[str, Mapping[str, int]]]) -> None:
        docs = [(intent, feats) for intent, feats in examples if feats]
        df: Counter[str] = Counter(f for _, feats in docs for f in feats)
        n = len(docs)
        self._idf = {f: math.log(1 + (n - d + 0.5) / (d + 0.5)) for f, d in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)  # novel words make a message less similar
        #: A feature's weight when it occurs once: idf * kind weight (`_weigh`'s formula at tf 1).
        self._once = {f: idf * _kind_weight(f) for f, idf in self._idf.items()}
        self._unseen_once = (self._unseen_idf * _WORD_WEIGHT, self._unseen_idf * _PAIR_WEIGHT)
        self._intent_of = [intent for intent, _ in docs]
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        #: Per intent, its examples' postings with the examples numbered within the intent (0, 1, ...)
        #: and how many there are: their dot products are summed in a list, not a dict.
        by_intent: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
        counts: Counter[str] = Counter()
        for doc_id, (intent, feats) in enumerate(docs):
            vec = self._weigh(feats)
            for f, w in vec.items():
                postings[f].append((doc_id, w))
                by_intent[intent][f].append((counts[intent], w))
            counts[intent] += 1
        self._postings = dict(postings)
        self._intent_postings = {intent: (counts[intent], dict(p)) for intent, p in by_intent.items()}

    def _weigh(self, feats: Mapping[str, int]) -> dict[str, float]:
        """Unit-length vector: (1 + log tf) * idf * kind weight; unseen features only add length."""
        known = []
        square_sum = 0.0
        once, idf = self._once, self._idf
        for f, tf in feats.items():
            if tf == 1:
                w = once.get(f)
                if w is None:
                    w = self._unseen_once[f[0] == _PAIR]
                else:
                    known.append((f, w))
            else:
                w = (1 + math.log(tf)) * idf.get(f, self._unseen_idf) * _kind_weight(f)
                if f in idf:
                    known.append((f, w))
            square_sum += w * w
        norm = math.sqrt(square_sum) or 1.0
        return {f: w / norm for f, w in known}

    def scores(self, feats: Mapping[str, int], among: Iterable[str] | None = None) -> dict[str, float]:
        """Best cosine similarity per intent (intents sharing no feature are absent), of every
        intent or of those `among` only."""
        query = self._weigh(feats)
        if among is not None:
            return self._scores_among(query, among)
        dots, touched = _dot_products(query, self._postings, len(self._intent_of))
        best: dict[str, float] = {}
        intent_of = self._intent_of
        for doc_id in touched:
            intent = intent_of[doc_id]
            dot = dots[doc_id]
            if dot > best.get(intent, 0.0):
                best[intent] = dot
        return best

    def _scores_among(self, query: Mapping[str, float], among: Iterable[str]) -> dict[str, float]:
        """`scores` of some intents: the same sums, over their own examples' postings."""
        best: dict[str, float] = {}
        for intent in among:
            found = self._intent_postings.get(intent)
            if found is None:
                continue
            count, postings = found
            dots = [0.0] * count  # the same sums as `_dot_products`, in the same order
            for f, qw in query.items():
                if f in postings:  # cheaper than a `get` call: most features are not the intent's
                    for doc_id, dw in postings[f]:
                        dots[doc_id] += qw * dw
            top = max(dots)
            if top > 0.0:
                best[intent] = top
        return best


def _dot_products(
    query: Mapping[str, float], postings: Mapping[str, list[tuple[int, float]]], documents: int
) -> tuple[list[float], list[int]]:
    """The query's dot product with every example (0.0 for those sharing no feature with it), and
    the examples sharing one in the order they were first met.

    Summed in a list, not a dict: a product is never 0 (weights are positive), so an example's
    first product is told by its 0.0 (a dict's `get` per posting cost 15% more)."""
    dots = [0.0] * documents
    touched = []
    for f, qw in query.items():
        found = postings.get(f)
        if found is not None:
            for doc_id, dw in found:
                if dots[doc_id]:
                    dots[doc_id] += qw * dw
                else:
                    dots[doc_id] = qw * dw
                    touched.append(doc_id)
    return dots, touched


def _kind_weight(feature: str) -> float:
    return _PAIR_WEIGHT if feature[0] == _PAIR else _WORD_WEIGHT
