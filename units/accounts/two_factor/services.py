"""Who must use a second factor, enrolment, code checks and recovery codes.

A person is *enrolled* when they have a confirmed TOTP device (an authenticator app). Recovery
codes are a django-otp static device beside it: single-use, replaced as a set.
"""

import math
import re
from base64 import b32encode

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from units import access
from units.models import User

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"
_APP_CODE = re.compile(r"^\d{6}$")


def two_factor_required(user: User) -> bool:
    """Board staff, administrators and anyone who can open the Django admin must use it.

    Demo accounts (made by `load_demo`, all sharing one published password) skip it only on a
    DEBUG laptop; with DEBUG off a demo Board account enrols like anyone.
    """
    if user.is_demo and settings.DEBUG:
        return False
    return access.is_board(user) or access.is_admin(user) or (user.is_active and user.is_staff)


def two_factor_enrolled(user: User) -> bool:
    """Has the person confirmed an authenticator app?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_optional(user: User) -> bool:
    """May the person turn two-factor sign-in off again?"""
    return not two_factor_required(user)


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the person still has."""
    return StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME, device__confirmed=True
    ).count()


def enrolment_device(*, user: User) -> TOTPDevice:
    """The not yet confirmed app device whose secret the enrolment page shows.

    Kept in the database so the secret stays the same between showing the QR code and checking
    the first code, and reused so reloading the page does not invalidate a scanned code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for people who type it instead of scanning."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn on the server (no script, no CDN)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code to scan"))


def enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with its first code; return a fresh set of recovery codes."""
    with transaction.atomic():
        # Locked: two tabs confirming at once must not both pass or both count a failure.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        refusal = _check_with_device(device, _normalise(code), expect_app_code=True)
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One app per person: an older app (or an abandoned enrolment) stops working.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _recovery_codes_replace(user=user)
    # Raised after the block: a failed attempt's throttle count must be committed, not undone.
    if refusal is not None:
        raise refusal
    return codes


def code_verify(*, user: User, code: str) -> Device:
    """Check a code from the app or a recovery code; return the device that accepted it.

    A recovery code is used up by this call. Wrong codes slow further attempts down (django-otp
    doubles the wait after each failure), and the refusal says how long to wait.
    """
    code = _normalise(code)
    with transaction.atomic():
        if _APP_CODE.match(code):
            queryset = TOTPDevice.objects.filter(user=user, confirmed=True)
        else:
            queryset = StaticDevice.objects.filter(
                user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
            )
        device = queryset.select_for_update().order_by("pk").first()
        if device is None:
            refusal: ValidationError | None = ValidationError(
                _("This code is not right. Check it and try again."), code="invalid"
            )
        else:
            refusal = _check_with_device(device, code, expect_app_code=False)
    if refusal is not None:
        raise refusal
    assert device is not None
    return device


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """A new set of recovery codes for an enrolled person; every older code stops working."""
    if not two_factor_enrolled(user):
        raise ValidationError(
            _("Turn on two-factor sign-in before asking for recovery codes."), code="not_enrolled"
        )
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def two_factor_disable(*, user: User, password: str) -> None:
    """Turn two-factor sign-in off for a role that may; the password proves it is the owner.

    The password, not a code: the app's code that signed this session in cannot be used twice,
    and a person turning it off may no longer have the app.
    """
    if two_factor_required(user):
        raise ValidationError(
            _("Your role must use two-factor sign-in; it cannot be turned off."), code="required"
        )
    if not user.check_password(password):
        raise ValidationError(_("The password is not right."), code="wrong_password")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


# --- Internals ---------------------------------------------------------------------------------


def _normalise(code: str) -> str:
    """People type codes with spaces or the dash the page shows; neither is part of the code."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _check_with_device(
    device: TOTPDevice | StaticDevice, code: str, *, expect_app_code: bool
) -> ValidationError | None:
    """The refusal for this code on this (locked) device, or None when the device accepts it."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = (details or {}).get("locked_until")
        seconds = max(1, math.ceil((wait - timezone.now()).total_seconds())) if wait else 1
        return ValidationError(
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then try again.",
                "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                seconds,
            )
            % {"seconds": seconds},
            code="throttled",
        )
    if expect_app_code and not _APP_CODE.match(code):
        device.throttle_increment()
        return ValidationError(
            _("Type the 6-digit code your authenticator app shows."), code="invalid"
        )
    if not device.verify_token(code):
        return ValidationError(_("This code is not right. Check it and try again."), code="invalid")
    return None


def _recovery_codes_replace(*, user: User) -> list[str]:
    # The device stays, only its codes change: a session signed in with a recovery code keeps
    # pointing at a device that exists, so making new codes does not sign the person out.
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_code_display(code: str) -> str:
    """`abcd2345` as `abcd-2345`: easier to copy by hand; the dash is ignored when typed."""
    return f"{code[:4]}-{code[4:]}"
