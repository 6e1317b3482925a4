"""Personal numbers in text: true and false cases, masking, a labelled corpus and the never-re-leak rule."""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsites.security.privacy import (
    BANK_CARD,
    ID_NUMBER,
    MOBILE,
    PrivacyDetector,
    id_check_digit,
    is_bank_card,
    luhn_ok,
    mask,
    mask_numbers,
)

AS_OF = date(2015, 6, 30)


@pytest.fixture(scope="module")
def detector() -> PrivacyDetector:
    return PrivacyDetector.load()


def make_id(body17: str) -> str:
    return body17 + id_check_digit(body17)


def wrong_check(number: str) -> str:
    wrong = next(c for c in "0123456789X" if c != number[17])
    return number[:17] + wrong


def make_card(prefix: str, length: int) -> str:
    body = prefix + "3" * (length - len(prefix) - 1)
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


ID_ANKANG = make_id("61090219851204003")  # 安康市汉滨区
ID_OLD_PREFECTURE = make_id("61242519700301121")  # 安康地区 (before 2000)
ID_X = next(make_id(f"61090219900101{i:03d}") for i in range(1000) if make_id(f"61090219900101{i:03d}").endswith("X"))
CARD_UNIONPAY_19 = make_card("622202", 19)
CARD_UNIONPAY_16 = make_card("621700", 16)
CARD_ICBC_OLD = make_card("9558", 19)


def test_check_digit_and_luhn_known_values() -> None:
    # the GB 11643 example number of the standard and a published Luhn test number
    assert id_check_digit("11010519491231002") == "X"
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"申请人：王某，身份证号：{ID_ANKANG}，住址：汉滨区", ID_NUMBER),
        (f"身份证号码{ID_X}。", ID_NUMBER),
        (f"身份证号码{ID_X.lower()}。", ID_NUMBER),
        (f"公民身份号码 {ID_OLD_PREFECTURE} 男", ID_NUMBER),
        (f"证件号 {ID_ANKANG[:6]} {ID_ANKANG[6:14]} {ID_ANKANG[14:]}", ID_NUMBER),
        ("联系电话：13812345678", MOBILE),
        ("联系电话：１３８１２３４５６７８", MOBILE),
        ("手机 138-1234-5678（工作日）", MOBILE),
        ("手机 138 1234 5678", MOBILE),
        ("电话+86 15991234567", MOBILE),
        ("电话8615991234567", MOBILE),
        ("张三 19912345678 李四", MOBILE),
        ("<td>17391234567</td>", MOBILE),
        (f"收款账号：{CARD_UNIONPAY_19}（农商银行）", BANK_CARD),
        (
            f"卡号 {CARD_UNIONPAY_16[:4]} {CARD_UNIONPAY_16[4:8]} {CARD_UNIONPAY_16[8:12]} {CARD_UNIONPAY_16[12:]}",
            BANK_CARD,
        ),
        (f"存折 {CARD_ICBC_OLD}", BANK_CARD),
    ],
)
def test_true_cases(detector: PrivacyDetector, text: str, kind: str) -> None:
    findings = detector.find(text, AS_OF)
    assert [f.kind for f in findings] == [kind]


def test_two_numbers_separated_by_a_slash(detector: PrivacyDetector) -> None:
    assert [f.kind for f in detector.find("电话：13812345678/13912345678", AS_OF)] == [MOBILE, MOBILE]


@pytest.mark.parametrize(
    "text",
    [
        "身份证号：61**********1234",
        "身份证号：610902********1234",
        "手机：138****1234",
        "手机：138＊＊＊＊1234",
        f"身份证号{wrong_check(ID_ANKANG)}",  # wrong check digit
        f"身份证号{make_id('61090220990101003')}",  # born after the evaluation date
        f"身份证号{make_id('99090219851204003')}",  # no such region
        f"身份证号{make_id('61090218501204003')}",  # born before 1900
        "统一社会信用代码：91610900MA70B2XY3K",
        "统一社会信用代码：12610900435201234A",
        "订单号：201506301234567890",
        "订单号13812345678",
        "索引号：016102001/2015-00123",
        "陕政办发〔2015〕123号",
        "陕ICP备13812345678号-1",
        "陕ICP备05001234号",
        "陕公网安备 61090202000123号",
        "网站标识码：6109000001",
        "办公电话：0915-3212345",
        "办公电话：09153212345",
        "服务热线：400-123-4567，800-820-8820",
        "服务热线：4001234567",
        "发布时间：2015-06-30 09:30:45",
        "编号20150630093045",
        "流水号 2015063013812345678",
        "13812345678901",  # part of a longer run
        "2015-13812345678",  # part of a hyphenated serial
        "http://www.ankang.gov.cn/a.jsp?id=13812345678",
        "version 1.13812345678",
        "12345678901",  # no mobile segment
        "14012345678",  # 140 is not a voice segment
        "15412345678",  # 154 unused
        f"{CARD_UNIONPAY_19[:-1]}{(int(CARD_UNIONPAY_19[-1]) + 1) % 10}",  # Luhn fails
        make_card("1234", 16),  # no card scheme
        make_card("4367", 18),  # Visa has no 18-digit cards
        "http://www.ankang.gov.cn/Content-13812345678.html?id=2015",
        "",
    ],
)
def test_false_cases(detector: PrivacyDetector, text: str) -> None:
    assert detector.find(text, AS_OF) == []


def test_site_numbers_are_excluded(detector: PrivacyDetector) -> None:
    text = "值班手机：13912345678，举报电话 138 1234 5678"
    assert len(detector.find(text, AS_OF)) == 2
    assert detector.find(text, AS_OF, exclude=["139-1234-5678", "13812345678"]) == []


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("610902198512040035", "61*************035"),
        ("13812345678", "13******678"),
        ("6222021234567890123", "62**************123"),
        ("138 1234 5678", "13* **** *678"),
        ("61090219900101123X", "61*************23X"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask(number: str, masked: str) -> None:
    assert mask(number) == masked


def test_context_masks_every_long_number(detector: PrivacyDetector) -> None:
    text = f"甲 {ID_ANKANG} 乙 13812345678 丙 {CARD_UNIONPAY_19} 丁，发布于2015-06-30"
    findings = detector.find(text, AS_OF)
    assert [f.kind for f in findings] == [ID_NUMBER, MOBILE, BANK_CARD]
    for finding in findings:
        for number in (ID_ANKANG, "13812345678", CARD_UNIONPAY_19):
            assert number not in finding.context
            assert number not in finding.evidence
        assert "2015-06-30" in finding.context or "2015" not in finding.context
    assert findings[0].evidence == f"身份证号码 {mask(ID_ANKANG)}"
    assert findings[0].severity == "veto"
    assert findings[1].severity == "serious"
    assert mask_numbers("电话 0915-3212345 日期 2015-06-30") == "电话 09**-****345 日期 2015-06-30"


def test_detector_rejects_a_malformed_region_file(tmp_path) -> None:
    cities = tmp_path / "cities.csv"
    cities.write_text("code,name,provinceCode\n6109,安康市,61\n61x9,坏,61\n", encoding="utf-8")
    extra = tmp_path / "extra.txt"
    extra.write_text("# none\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cities\.csv:3: field 'code'"):
        PrivacyDetector.load(cities, extra)


def test_bank_card_lengths() -> None:
    assert is_bank_card(make_card("62", 17))
    assert not is_bank_card(make_card("9558", 16))
    assert is_bank_card(make_card("5412", 16))
    assert not is_bank_card(make_card("5412", 19))


# -- a labelled corpus: precision and recall ------------------------------------------------------------
TEMPLATES_TRUE = [
    "{name}，身份证号{n}，家庭住址{place}。",
    "<tr><td>{name}</td><td>{n}</td><td>{place}</td></tr>",
    "低保公示：{name} {place} 联系方式 {n} 保障人数3人",
    "联系人：{name}；电话：{n}",
    "补贴发放至{name}账户{n}，金额1200元",
]
TEMPLATES_FALSE = [
    "{name}，身份证号{n}，家庭住址{place}。",
    "{place}办公电话：{n}",
    "文号：{n}，发布日期2015年6月30日",
    "本网站标识码 {n}，{place}主办",
]
NAMES = ["王某", "李某某", "张三", "赵四", "陈五"]
PLACES = ["汉滨区新城街道", "旬阳县城关镇", "白河县", "紫阳县向阳镇", "岚皋县"]


def _true_numbers(rng: random.Random, regions: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for _ in range(120):
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 30000))
        region = rng.choice(regions) + f"{rng.randrange(1, 30):02d}"
        out.append((ID_NUMBER, make_id(f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}")))
    prefixes = ["138", "139", "150", "152", "158", "159", "180", "187", "189", "133", "177", "199", "166", "147"]
    out += [(MOBILE, rng.choice(prefixes) + f"{rng.randrange(10**8):08d}") for _ in range(120)]
    for _ in range(60):
        length = rng.choice([16, 17, 18, 19])
        body = rng.choice(["622202", "621700", "622848", "623052", "625965"])
        body += "".join(rng.choice("0123456789") for _ in range(length - len(body) - 1))
        out.append((BANK_CARD, next(body + d for d in "0123456789" if luhn_ok(body + d))))
    return out


def _false_numbers(rng: random.Random, regions: list[str]) -> list[str]:
    out: list[str] = []
    for _ in range(80):  # ID numbers with a wrong check digit
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 20000))
        out.append(wrong_check(make_id(f"{rng.choice(regions)}01{birth:%Y%m%d}{rng.randrange(1000):03d}")))
    for _ in range(60):  # masked forms
        out.append(rng.choice(["138****", "61**********", "610902********"]) + f"{rng.randrange(10**4):04d}")
    out += [f"0915-{rng.randrange(2000000, 9999999)}" for _ in range(30)]  # landlines
    out += [f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}" for _ in range(20)]
    out += [f"61{rng.randrange(10**8):08d}" for _ in range(20)]  # 网站标识码
    out += [f"2015{rng.randrange(10**14):014d}" for _ in range(40)]  # 18-digit order numbers
    out += [f"{rng.choice(['10', '11', '12'])}{rng.randrange(10**9):09d}" for _ in range(40)]  # no mobile segment
    out += [f"陕政发〔2015〕{rng.randrange(1, 200)}号" for _ in range(10)]
    return out


def test_precision_and_recall_on_a_labelled_corpus(detector: PrivacyDetector) -> None:
    rng = random.Random(16)
    regions = sorted(detector.region_prefixes)
    true_pos = false_pos = false_neg = 0
    for kind, number in _true_numbers(rng, regions):
        text = rng.choice(TEMPLATES_TRUE).format(name=rng.choice(NAMES), place=rng.choice(PLACES), n=number)
        kinds = [f.kind for f in detector.find(text, AS_OF)]
        true_pos += kinds.count(kind)
        false_neg += kind not in kinds
        false_pos += len([k for k in kinds if k != kind])
    for number in _false_numbers(rng, regions):
        text = rng.choice(TEMPLATES_FALSE).format(name=rng.choice(NAMES), place=rng.choice(PLACES), n=number)
        false_pos += len(detector.find(text, AS_OF))
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(f"privacy corpus: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95, (precision, false_pos)
    assert recall >= 0.95, (recall, false_neg)


# -- never re-leak ----------------------------------------------------------------------------------------
def test_no_finding_repr_or_log_line_holds_a_full_number(
    detector: PrivacyDetector, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(7)
    numbers = [n for _, n in _true_numbers(rng, sorted(detector.region_prefixes))]
    text = "；".join(f"第{i}户 {n}" for i, n in enumerate(numbers))
    with caplog.at_level(logging.DEBUG):
        findings = detector.find(text, AS_OF)
    assert len(findings) == len(numbers)
    dumped = repr(findings) + str(findings) + caplog.text
    for number in numbers:
        assert number not in dumped
        assert number[2:-3] not in dumped  # not even the hidden middle
    for finding in findings:
        digits = [ch for ch in finding.evidence if ch.isdigit()]
        assert len(digits) <= 5


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789 -*X号码电话身份证，。\n", max_size=120))
def test_any_text_never_raises_and_never_shows_more_than_five_digits(text: str) -> None:
    detector = PrivacyDetector.load()
    for finding in detector.find(text, AS_OF):
        assert sum(ch.isdigit() for ch in finding.evidence) <= 5
        assert not any(len(run) >= 9 for run in "".join(c if c.isdigit() else " " for c in finding.context).split())


def test_contacts_a_home_page_publishes_are_the_sites_own(detector: PrivacyDetector) -> None:
    home = "主办：某县人民政府 监督举报电话：139-0915-7788 值班手机13709158899 公示：张某 13812345678"
    own = detector.contact_numbers(home, AS_OF)
    assert own == {"13909157788", "13709158899"}  # labelled as contacts; the name's number is not
    findings = detector.find(f"页脚 举报电话：13909157788；名单 王某 {'13812345678'}", AS_OF, own)
    assert [f.evidence for f in findings] == ["手机号码 13******678"]
