"""Two-factor sign-in in tests: the code a person's authenticator app would show."""

import time

from django_otp.oath import TOTP

from units.accounts.two_factor import services


def app_code(device, *, steps_ahead=0):
    """The code the app shows now (or that many 30-second steps later; the portal accepts the
    next step's code too, and a code already used is refused)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def fresh_app_code(device):
    """A code the portal has not accepted yet: the current step's, or the next one's."""
    device.refresh_from_db()
    step = max(int(time.time()) // device.step, device.last_t + 1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = step * device.step
    return f"{totp.token():06d}"


def enrol(user):
    """An app confirmed as the setup page does it; returns (device, recovery codes)."""
    device = services.enrolment_device(user=user)
    codes = services.enrolment_confirm(user=user, device=device, code=app_code(device))
    device.refresh_from_db()
    return device, codes
