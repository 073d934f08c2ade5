"""Two-factor sign-in: a TOTP app code (django-otp) after the password, with recovery codes."""
