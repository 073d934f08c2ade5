"""Password rules of the portal beyond Django's own (settings.AUTH_PASSWORD_VALIDATORS)."""

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The campaign's own words: the first thing anyone guessing a portal password tries.
CAMPAIGN_WORDS = ("kontum", "2017", "thidua")
# Shorter words of a unit's name ("xã", "ia") would refuse too many good passwords.
MIN_UNIT_WORD = 3


def fold(text: str) -> str:
    """Lower case, without accents, spaces or punctuation: "Thi Đua Kon Tum" -> "thiduakontum"."""
    text = text.replace("Đ", "d").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", "", plain)


class CampaignWordsValidator:
    """Refuse passwords containing the province, the campaign's words or the user's unit name."""

    def __init__(self, words: tuple[str, ...] = CAMPAIGN_WORDS) -> None:
        self.words = tuple(fold(word) for word in words)

    def _unit_words(self, user: Any) -> list[str]:
        unit = getattr(user, "unit", None)  # a nullable foreign key: None for most roles
        if unit is None:
            return []
        return [
            folded
            for word in re.split(r"[\s\-–]+", unit.name)
            if len(folded := fold(word)) >= MIN_UNIT_WORD
        ]

    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password)
        for word in (*self.words, *self._unit_words(user)):
            if word and word in folded:
                raise ValidationError(
                    _(
                        "The password must not contain the province's, the campaign's or your "
                        "unit's name (such as “kontum”, “2017”, “thidua”)."
                    ),
                    code="password_campaign_word",
                )

    def get_help_text(self) -> str:
        return _(
            "Your password must not contain the province's, the campaign's or your unit's name "
            "(such as “kontum”, “2017”, “thidua”)."
        )


# Vietnamese words people pick as passwords, which Django's (English-centred) list of common
# passwords lacks; "matkhau" is "password".
VIETNAMESE_COMMON_WORDS = frozenset(
    {
        "matkhau",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "yeuanh",
        "tinhyeu",
        "vietnam",
        "xinchao",
        "hanoi",
        "saigon",
        "quantri",
        "admin",
        "password",
        "qwerty",
        "abc",
    }
)


class VietnameseCommonPasswordValidator:
    """Refuse a common Vietnamese word dressed up with digits or symbols ("matkhau123")."""

    def validate(self, password: str, user: Any = None) -> None:
        letters = re.sub(r"[^a-z]+", "", fold(password))
        if letters in VIETNAMESE_COMMON_WORDS:
            raise ValidationError(
                _("This password is a common word with digits added; choose a less common one."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a common word with digits added.")
