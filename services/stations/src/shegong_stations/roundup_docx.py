"""The weekly roundup (一周掠影) as a Word document, set as a bureau files an official weekly
report (after GB/T 9704, 党政机关公文格式): A4 with the standard margins, the title in a
小标宋-style face at 二号 centred, the date line in 楷体 三号 below it, section headings in 黑体
三号, body text in 仿宋 三号 with a two-character first-line indent and a fixed 28 pt line.

Fonts are named, not embedded: Word substitutes the nearest installed face, as it does for
every report the bureau receives.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from shegong_stations.periods import chinese_span
from shegong_stations.roundup import Roundup

TITLE_FONT, TITLE_SIZE = "方正小标宋简体", Pt(22)  # 二号
DATE_FONT, HEADING_FONT, BODY_FONT = "楷体_GB2312", "黑体", "仿宋_GB2312"
TEXT_SIZE = Pt(16)  # 三号
LINE = Pt(28)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _run(paragraph: Paragraph, text: str, font: str, size: Pt, bold: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.font.bold = font, size, bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)  # Chinese text
    return run


def _paragraph(
    doc: DocumentObject,
    text: str,
    font: str,
    size: Pt,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)  # 首行缩进两字
    _run(p, text, font, size)
    return p


def docx(r: Roundup) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = r.title
    doc.core_properties.subject = chinese_span(r.span)
    title = _paragraph(doc, r.title, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    _paragraph(doc, r.subtitle, DATE_FONT, TEXT_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", BODY_FONT, TEXT_SIZE)
    if r.lead:
        _paragraph(doc, r.lead, BODY_FONT, TEXT_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    numbers = "一二三四五六七八九十"
    for i, s in enumerate(r.sections):
        number = numbers[i] if i < len(numbers) else str(i + 1)
        _paragraph(doc, f"{number}、{s.heading}", HEADING_FONT, TEXT_SIZE, indent=True)
        for text in s.paragraphs:
            _paragraph(doc, text, BODY_FONT, TEXT_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    if not r.sections:
        _paragraph(
            doc, f"{chinese_span(r.span)}暂无记录的工作。", BODY_FONT, TEXT_SIZE, indent=True
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
