"""Demo logins: one per role, and an officer for every unit of the blocs."""

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kontum_poverty.demo.context import DEMO_PASSWORD, DemoContext
from units.models import Role, User
from units.services import Row, counts_add, rows_upsert


def users_load(context: DemoContext) -> None:
    """Create the demo logins; an existing demo login gets the demo password back if changed."""
    rows: list[Row] = [
        {"username": "admin", "role": Role.ADMIN, "unit_id": None, "is_staff": True,
         "is_superuser": True, "first_name": "Quản trị hệ thống (mẫu)"},
        {"username": "board", "role": Role.BOARD, "unit_id": None, "is_staff": False,
         "is_superuser": False, "first_name": "Ban Thi đua – Khen thưởng (mẫu)"},
        {"username": "leader", "role": Role.LEADER, "unit_id": None, "is_staff": False,
         "is_superuser": False, "first_name": "Lãnh đạo tỉnh (mẫu)"},
        {"username": "dolisa", "role": Role.DOLISA, "unit_id": None, "is_staff": False,
         "is_superuser": False, "first_name": "Sở Lao động – Thương binh và Xã hội (mẫu)"},
    ]  # fmt: skip
    rows += [
        {
            "username": f"officer-{unit.code}",
            "role": Role.OFFICER,
            "unit_id": unit.pk,
            "is_staff": False,
            "is_superuser": False,
            "first_name": f"Cán bộ {unit.name} (mẫu)"[:150],
        }
        for unit in sorted(context.units.values(), key=lambda unit: unit.code)
    ]
    names = [row["username"] for row in rows]
    taken = sorted(
        User.objects.filter(username__in=names, is_demo=False).values_list("username", flat=True)
    )
    if taken:
        raise ValidationError(
            _("Real accounts already use the demo logins %(names)s; the demo will not touch them."),
            code="demo_login_taken",
            params={"names": ", ".join(taken)},
        )
    # One hash for all demo logins, made only when needed: PBKDF2 is slow by design, and this
    # password is public anyway.
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    encoded = make_password(DEMO_PASSWORD) if existing != set(names) else ""
    for row in rows:
        # Made-up addresses on a reserved domain (RFC 2606): notices e-mailed to demo logins
        # show the whole flow and can never reach a real mailbox.
        email = f"{row['username']}@demo.kontum.invalid"
        row.update(password=encoded, is_demo=True, is_active=True, email=email)
    done = rows_upsert(
        queryset=User.objects.filter(username__in=names),
        key=("username",),
        rows=rows,
        create_only=("password",),
    )
    created = {user.pk for user in done.created}
    verified: dict[str, bool] = {}
    stale = []
    for user in done.objects.values():
        if user.pk in created:
            continue
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        if not verified[user.password]:
            encoded = encoded or make_password(DEMO_PASSWORD)
            user.password = encoded
            stale.append(user)
    User.objects.bulk_update(stale, ["password"])
    counts = done.counts()
    counts["updated"] += len(stale)
    counts["unchanged"] -= len(stale)
    counts_add(context.counts, User._meta.label_lower, counts)
    context.users = {username: user for (username,), user in done.objects.items()}
