"""Django's database sessions, read on every request with a prepared statement."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from kontum_poverty.bulk import stored_rows


class SessionStore(db.SessionStore):
    """`django.contrib.sessions.backends.db`, except for the read every request makes: the ORM
    compiling `Session.objects.get(…)` cost more than running it. Writes, expiry and clearing
    are Django's own; an expired row is no session, as there."""

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        found = stored_rows(self.model, session_key=self.session_key)
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
