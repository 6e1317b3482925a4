"""A Word document in the official document format of GB/T 9704-2012 (党政机关公文格式), from paragraphs.

The page: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the body in 3号仿宋 (16 pt) on a
document grid of 22 lines of 28 characters (``w:docGrid`` type ``linesAndChars``: a line pitch of 28.95 pt and
the character pitch that fits 28 characters of 3号 into the 156 mm text width), every paragraph with that
fixed line spacing. The title in 2号小标宋 (22 pt), centred. Headings in the order the standard gives them:
level 1 "一、" in 黑体, level 2 "（一）" in 楷体, level 3 "1." in bold 仿宋; a level-2 or level-3 heading that
leads a body paragraph ("（一）信息更新更加及时。……") is set in its heading font up to its first full stop.
Page numbers "— 1 —" in 4号 half-width 宋体 at the bottom, odd pages right and even pages left, one character
from the edge, 7 mm below the text (a PAGE field in the odd and the even footer). Each run names its font for
East Asian text too (``w:eastAsia``, what Word uses for Chinese characters); the font table declares each GB
font with the common font Word substitutes where it is not installed (``w:altName``: 仿宋_GB2312 → 仿宋,
方正小标宋简体 → 小标宋, 楷体_GB2312 → 楷体). Signature and date as 7.3.5.2 places them; the 版记 (抄送) between
rules.

A 【请补充……】 span is highlighted (yellow) wherever it appears: the analyst fills it before the notice is
sent. The document properties (author, last modified by, company) name the issuing office, not the library.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# -- the format, declared once -------------------------------------------------------------------------
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, CC_PT = 16.0, 22.0, 14.0, 14.0  # 3号, 2号, 4号, 4号
#: 225 mm of text height / 22 lines (the line pitch templates of the standard use: 579 twips)
LINE_PITCH_TWIPS = 579
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20
#: character pitch of 28 characters in 156 mm, as the grid's difference from 16 pt in 1/4096 pt
TEXT_WIDTH_PT = (PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
CHAR_SPACE = round((TEXT_WIDTH_PT / CHARS_PER_LINE - BODY_PT) * 4096)


@dataclass(frozen=True)
class Font:
    """A font by its GB name, with the name Word falls back to where the GB font is not installed."""

    name: str
    fallback: str


FANGSONG = Font("仿宋_GB2312", "仿宋")
XIAOBIAOSONG = Font("方正小标宋简体", "小标宋")
HEITI = Font("黑体", "黑体")
KAITI = Font("楷体_GB2312", "楷体")
SONGTI = Font("宋体", "宋体")
#: the half-width font of page numbers (Latin digits and the dashes)
PAGE_NUMBER_FONT = Font("宋体", "Times New Roman")

PLACEHOLDER = re.compile(r"【请补充[^】]*】")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）[^。：]*[。：]")
LEVEL3 = re.compile(r"^\d+[.．][^。：]*[。：]")

#: Paragraph kinds: title | salutation | heading (level 1) | body | signature | date | cc
KINDS = ("title", "salutation", "heading", "body", "signature", "date", "cc", "figure", "table")
#: A figure's width: the text block's (156 mm).
FIGURE_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
TABLE_PT = 12.0  # 小四 in tables


@dataclass(frozen=True)
class Paragraph:
    """One block: ``text`` in the style of ``kind``; a ``figure`` shows the PNG at ``image`` with ``text`` as its
    caption; a ``table`` shows ``rows`` (the first is the header) with ``text`` as its title (may be empty)."""

    text: str
    kind: str = "body"
    image: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class DocumentProperties:
    """What the document says about itself: the issuing office as author and company, the title."""

    office: str
    title: str
    subject: str = ""
    keywords: str = ""
    category: str = "通报"


# -- runs ----------------------------------------------------------------------------------------------
def set_font(run: Any, font: Font, size: float, *, bold: bool = False) -> None:
    """Size, weight and the font for Latin and East Asian text (``w:eastAsia``), GB name first."""
    run.font.name = font.name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font.name)
    fonts.set(qn("w:hint"), "eastAsia")


def add_text(paragraph: Any, text: str, font: Font, size: float, *, bold: bool = False) -> None:
    """``text`` as runs in ``font``; every 【请补充……】 span a highlighted run of its own."""
    at = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > at:
            set_font(paragraph.add_run(text[at : match.start()]), font, size, bold=bold)
        run = paragraph.add_run(match.group())
        set_font(run, font, size, bold=bold)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        at = match.end()
    if at < len(text) or not text:
        set_font(paragraph.add_run(text[at:]), font, size, bold=bold)


def normal_style(doc: Any) -> None:
    """The Normal style: 3号仿宋, exact line spacing of the grid's pitch, no space around paragraphs."""
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG.name
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FANGSONG.name)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese line breaking and punctuation rules
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def font_table(xml: bytes) -> bytes:
    """word/fontTable.xml with each GB font declared and its fallback as ``w:altName`` (GB 2312 charset)."""
    entries = "".join(
        f'<w:font w:name="{escape(font.name)}"><w:altName w:val="{escape(font.fallback)}"/>'
        '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for font in (FANGSONG, XIAOBIAOSONG, KAITI, HEITI, SONGTI)
    )
    text = xml.decode("utf-8")
    return text.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


# -- the page ------------------------------------------------------------------------------------------
def page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    # the page number's line (exactly 4号 high) starts 7 mm below the text block
    section.header_distance = Mm(15)
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7) - Pt(PAGE_NUMBER_PT)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def field(paragraph: Any, instruction: str, font: Font, size: float) -> None:
    """A field (``PAGE``) as Word writes it: begin, instruction, separate, a shown value, end."""
    for kind, text in (("begin", ""), ("instr", f" {instruction} "), ("separate", ""), ("value", "1"), ("end", "")):
        run = paragraph.add_run()
        set_font(run, font, size)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "value":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)


def page_number(paragraph: Any, align: WD_ALIGN_PARAGRAPH) -> None:
    """ "— 1 —" one character (4号) from the text edge: odd pages right, even pages left."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(PAGE_NUMBER_PT)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    field(paragraph, "PAGE", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


# -- paragraphs ----------------------------------------------------------------------------------------
def body_paragraph(p: Any, text: str) -> None:
    """First line indented two characters; a leading level-2 or level-3 heading in its own font."""
    p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for pattern, font, bold in ((LEVEL2, KAITI, False), (LEVEL3, FANGSONG, True)):
        match = pattern.match(text)
        if match:
            add_text(p, match.group(), font, BODY_PT, bold=bold)
            add_text(p, text[match.end() :], FANGSONG, BODY_PT)
            return
    add_text(p, text, FANGSONG, BODY_PT)


def text_width(text: str) -> float:
    """Width in characters of 3号: a CJK or full-width character is 1, a half-width one (digits) is 1/2."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def signature_indents(office: str, day: str) -> tuple[float, float]:
    """Right indents (in characters) of the office and the date under it, as the standard orders (7.3.5.2): the
    office two characters from the right, the date's first character two right of the office's first; a date
    longer than that stays two from the right and the office moves left to keep the two-character step."""
    office_w, day_w = text_width(office), text_width(day)
    if office_w - day_w >= 2:
        return 2.0, office_w - day_w
    return 4.0 + day_w - office_w, 2.0


def cc_borders(paragraph: Any, *, top: bool, bottom: bool) -> None:
    """The 版记's lines: a rule above the first 抄送 line and below the last (0.35 mm)."""
    borders = OxmlElement("w:pBdr")
    for side, wanted in (("top", top), ("bottom", bottom)):
        if wanted:
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), "8")  # eighths of a point: 1 pt ≈ 0.35 mm
            line.set(qn("w:space"), "1")
            line.set(qn("w:color"), "000000")
            borders.append(line)
    if len(borders):
        paragraph._p.get_or_add_pPr().append(borders)


def write_paragraph(doc: Any, para: Paragraph, indent: float | None = None) -> Any:
    """One paragraph of ``para.kind``; ``indent``: the right indent (characters) of a signature or date."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if para.kind == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(LINE_PITCH_PT * 1.2)  # a 2号 line: the title keeps its own exact spacing
        fmt.space_after = Pt(LINE_PITCH_PT)  # one blank line before the salutation
        add_text(p, para.text, XIAOBIAOSONG, TITLE_PT)
    elif para.kind == "heading":
        fmt.first_line_indent = Pt(2 * BODY_PT)
        add_text(p, para.text, HEITI, BODY_PT)
    elif para.kind == "salutation":
        add_text(p, para.text, FANGSONG, BODY_PT)
    elif para.kind in ("signature", "date"):
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt((indent if indent is not None else 2) * BODY_PT)
        if para.kind == "signature":
            fmt.space_before = Pt(2 * LINE_PITCH_PT)  # the standard: a blank line after the body
        add_text(p, para.text, FANGSONG, BODY_PT)
    elif para.kind == "figure":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a picture is taller than the grid's line
        p.add_run().add_picture(para.image, width=Mm(FIGURE_WIDTH_MM))
        if para.text:
            caption = doc.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_text(caption, para.text, KAITI, TABLE_PT)
    elif para.kind == "table":
        if para.text:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_text(p, para.text, HEITI, BODY_PT)
        table_block(doc, para.rows)
    elif para.kind == "cc":
        fmt.left_indent, fmt.right_indent = Pt(CC_PT), Pt(CC_PT)
        add_text(p, para.text, FANGSONG, CC_PT)
    else:
        body_paragraph(p, para.text)
    return p


def table_block(doc: Any, rows: Sequence[Sequence[str]]) -> Any:
    """A grid table in 小四仿宋 (header row in 黑体, repeated on every page)."""
    table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            cell = table.cell(i, j).paragraphs[0]
            cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            add_text(cell, value, HEITI if i == 0 else FANGSONG, TABLE_PT)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    return table


# -- properties ----------------------------------------------------------------------------------------
def core_properties(doc: Any, props: DocumentProperties) -> None:
    core = doc.core_properties
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    core.author = props.office
    core.last_modified_by = props.office
    core.title = props.title
    core.subject = props.subject
    core.keywords = props.keywords
    core.comments = ""
    core.category = props.category
    core.created = core.modified = now
    core.revision = 1


def app_properties(office: str) -> bytes:
    """docProps/app.xml naming the office as the company (python-docx's template names another program)."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Template>Normal.dotm</Template><Company>{escape(office)}</Company>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><SharedDoc>false</SharedDoc>"
        "<LinksUpToDate>false</LinksUpToDate><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()


def finish_package(docx: bytes, office: str) -> bytes:
    """The saved package with docProps/app.xml naming the office and the GB fonts in the font table."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "docProps/app.xml":
                dst.writestr(item, app_properties(office))
            elif item.filename == "word/fontTable.xml":
                dst.writestr(item, font_table(src.read(item.filename)))
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def write_official_doc(paragraphs: Sequence[Paragraph], path: Path, props: DocumentProperties) -> Path:
    """The document at ``path`` (its folder created); returns ``path``."""
    doc = Document()
    normal_style(doc)
    page_setup(doc)
    body = doc.element.body
    office = next((p.text for p in paragraphs if p.kind == "signature"), "")
    day = next((p.text for p in paragraphs if p.kind == "date"), "")
    indents = dict(zip(("signature", "date"), signature_indents(office, day), strict=True))
    cc = [i for i, p in enumerate(paragraphs) if p.kind == "cc"]
    for i, para in enumerate(paragraphs):
        written = write_paragraph(doc, para, indents.get(para.kind))
        if para.kind == "cc":
            cc_borders(written, top=i == cc[0], bottom=i == cc[-1])
    first = body.find(qn("w:p"))
    if first is not None and not "".join(first.itertext()).strip():
        body.remove(first)  # the template's empty first paragraph, if any
    core_properties(doc, props)
    buffer = io.BytesIO()
    doc.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(finish_package(buffer.getvalue(), props.office))
    return path
