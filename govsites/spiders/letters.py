"""Letters (领导信箱, 咨询, 网友留言) as rows: from a column's list, completed by their detail pages."""

from __future__ import annotations

from dataclasses import replace

from govsites.extract.mailbox import Letter
from govsites.items import LetterItem


def _answered(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def letter_item(site_id: str, column_url: str, column: str, url: str, letter: Letter, excluded: bool) -> LetterItem:
    """A letter as its column's list shows it."""
    return LetterItem(
        site_id=site_id,
        column_url=column_url,
        column=column,
        url=url,
        title=letter.title,
        submitted_date=letter.submitted.isoformat() if letter.submitted else "",
        status=letter.status,
        answered=_answered(letter.answered),
        reply_date=letter.reply_date.isoformat() if letter.reply_date else "",
        excluded=excluded,
    )


def incomplete(letter: Letter) -> bool:
    """True when the list leaves out whether or when the letter was answered: its detail page is read."""
    return letter.answered is None or letter.submitted is None or bool(letter.answered and letter.reply_date is None)


def merge_letter(listed: LetterItem, detail: Letter) -> LetterItem:
    """The list's row completed by what the detail page says (the detail page wins where it speaks)."""
    return replace(
        listed,
        title=listed.title or detail.title,
        submitted_date=detail.submitted.isoformat() if detail.submitted else listed.submitted_date,
        status=detail.status or listed.status,
        answered=listed.answered if detail.answered is None else _answered(detail.answered),
        reply_date=detail.reply_date.isoformat() if detail.reply_date else listed.reply_date,
    )
