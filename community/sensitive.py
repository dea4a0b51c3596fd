"""Personal data customers paste by mistake — card numbers, CVV codes, phone numbers — is masked
before anything is published (DESIGN.md, "Bank-grade rules"). The author is told what was hidden."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

CARD = "card"
CVV = "cvv"
PHONE = "phone"

MASK_ORDER = (CARD, CVV, PHONE)
LABELS = {
    CARD: _("a card number"),
    CVV: _("a card security code"),
    PHONE: _("a phone number"),
}

# 13–19 digits, optionally in groups separated by single spaces or dashes ("4276 1600 1234 5678").
_CARD_RE = re.compile(r"(?<![\d\w])\d(?:[ -]?\d){12,18}(?![\d\w])")
# A three- or four-digit code right after the words banks and customers use for it.
_CVV_RE = re.compile(
    r"(?P<label>\b(?:cvv2?|cvc2?|cvp2?|cid|код\s+безопасности|(?:тр[её]х|три)значный\s+код|"
    r"код\s+с\s+обратной\s+стороны(?:\s+карты)?)\b\W{0,3})(?P<code>\d{3,4})(?!\d)",
    re.IGNORECASE,
)
# Russian mobile and city numbers: +7 or 8, then ten digits in the usual groupings.
_PHONE_RE = re.compile(
    r"(?<![\d\w+])(?:\+7|8)[\s\-]?\(?(?P<code>\d{3})\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\d)"
)
# The bank's own toll-free lines (8 800 …) are public and must stay readable.
_PUBLIC_PHONE_CODES = {"800"}


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@dataclass
class Masked:
    text: str
    kinds: set[str] = field(default_factory=set)


def mask_sensitive(text: str) -> Masked:
    result = Masked(text)

    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        if not luhn_valid(digits):
            return match.group()
        result.kinds.add(CARD)
        return "•••• " + digits[-4:]

    def cvv(match: re.Match) -> str:
        result.kinds.add(CVV)
        return match.group("label") + "•••"

    def phone(match: re.Match) -> str:
        if match.group("code") in _PUBLIC_PHONE_CODES:
            return match.group()
        result.kinds.add(PHONE)
        return "+7 ••• •••-••-" + re.sub(r"\D", "", match.group())[-2:]

    result.text = _CARD_RE.sub(card, result.text)
    result.text = _CVV_RE.sub(cvv, result.text)
    result.text = _PHONE_RE.sub(phone, result.text)
    return result
