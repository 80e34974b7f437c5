"""Users and providers of the practice (SEC-1).

Owner and Admin manage them (SETUP_ROLES). Choices made here, beyond DOMAIN.md:

* The last active Owner cannot be deactivated or given another role: the practice would have
  nobody left who can manage it.
* Only an Owner may make someone an Owner, or change or deactivate an Owner: an Admin cannot
  take the practice over.
* Nobody deactivates their own login (they would lock themselves out mid-session).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Provider, User
from dentaldesk.db.versioning import check_version
from dentaldesk.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from dentaldesk.domain.records import parse_colour, required_text
from dentaldesk.domain.terms import Role
from dentaldesk.domain.text import fold
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.login import hash_password
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork

PROVIDER_KINDS = {"dentist": "Dentist", "hygienist": "Hygienist", "specialist": "Specialist"}
_USER_FIELDS = ("username", "full_name", "role", "provider_id", "active")
_PROVIDER_FIELDS = ("name", "short_name", "kind", "color", "active")

# --------------------------------------------------------------------------- Users


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: Role
    provider_id: int | None
    provider_name: str
    active: bool
    version: int = 1


@dataclass(frozen=True)
class UserForm:
    """The user editor as typed; ``password`` is used only when a user is added."""

    username: str
    full_name: str
    role: Role
    provider_id: int | None
    active: bool = True
    password: str = ""
    version: int | None = None  # the user's version when loaded (DATA-4); None when adding


@guarded(Right.MANAGE_USERS, read=True)
def list_users(uow: UnitOfWork, actor: Actor) -> list[UserRow]:
    with uow.read():
        rows = uow.session.execute(
            select(User, Provider.name)
            .outerjoin(Provider, Provider.id == User.provider_id)
            .where(User.office_id == actor.office_id)
            .order_by(User.active.desc(), User.username)
        )
        return [
            UserRow(u.id, u.username, u.full_name, u.role, u.provider_id, provider or "", u.active, u.version)
            for u, provider in rows
        ]


def _provider_for_link(session: Session, actor: Actor, provider_id: int | None) -> int | None:
    if provider_id is None:
        return None
    provider = session.get(Provider, provider_id)
    if provider is None or provider.office_id != actor.office_id or not provider.active:
        raise ValidationError("Choose an active provider of this office, or none.", "provider")
    return provider_id


@guarded(Right.MANAGE_USERS)
def add_user(uow: UnitOfWork, actor: Actor, form: UserForm) -> int:
    """Add a login with an Argon2-hashed password (SEC-1)."""
    if form.role is Role.OWNER and actor.role is not Role.OWNER:
        raise PermissionDenied("Only an Owner can add another Owner.", "role")
    username = required_text(form.username, "username", "user name", max_length=64)
    if " " in username:
        raise ValidationError("A user name has no spaces.", "username")
    full_name = required_text(form.full_name, "full_name", "full name", max_length=120)
    password_hash = hash_password(form.password, username)
    with uow:
        s = uow.session
        if any(fold(taken) == fold(username) for taken in s.scalars(select(User.username))):
            raise ValidationError(f"The user name '{username}' is taken.", "username")
        user = User(
            office_id=actor.office_id,
            username=username,
            full_name=full_name,
            role=Role(form.role),
            password_hash=password_hash,
            provider_id=_provider_for_link(s, actor, form.provider_id),
            active=True,
        )
        s.add(user)
        s.flush()
        audit.record(s, actor, "create", "app_user", user.id, after=audit.snapshot(user, *_USER_FIELDS))
        uow.commit()
        return user.id


def _user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.office_id != actor.office_id:
        raise NotFound("This user no longer exists.")
    return user


def _other_active_owners(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count(User.id)).where(
                User.office_id == user.office_id, User.role == Role.OWNER, User.active.is_(True), User.id != user.id
            )
        )
        or 0
    )


@guarded(Right.MANAGE_USERS, user_id=User)
def update_user(uow: UnitOfWork, actor: Actor, user_id: int, form: UserForm) -> None:
    """Change a user's name, role, provider link or active state (the user name stays)."""
    full_name = required_text(form.full_name, "full_name", "full name", max_length=120)
    role = Role(form.role)
    with uow:
        s = uow.session
        user = _user(s, actor, user_id)
        check_version(user, form.version)
        touches_owner = user.role is Role.OWNER or role is Role.OWNER
        if touches_owner and actor.role is not Role.OWNER and (user.role is not role or user.active != form.active):
            raise PermissionDenied("Only an Owner can give, take away or deactivate the Owner role.", "role")
        if user.id == actor.user_id and not form.active:
            raise RuleViolation("You cannot deactivate your own login; ask another Owner or Admin.", "active")
        stays_owner = role is Role.OWNER and form.active
        if user.role is Role.OWNER and user.active and not stays_owner and _other_active_owners(s, user) == 0:
            field = "active" if not form.active else "role"
            raise RuleViolation(f"{user.full_name} is the last active Owner; make another user Owner first.", field)
        before = audit.snapshot(user, *_USER_FIELDS)
        user.full_name = full_name
        user.role = role
        if form.provider_id != user.provider_id:  # an unchanged link stays even if the provider left
            user.provider_id = _provider_for_link(s, actor, form.provider_id)
        user.active = form.active
        s.flush()
        after = audit.snapshot(user, *_USER_FIELDS)
        if after != before:
            audit.record(s, actor, "update", "app_user", user.id, before=before, after=after)
        uow.commit()


@guarded(Right.MANAGE_USERS, user_id=User)
def reset_password(uow: UnitOfWork, actor: Actor, user_id: int, password: str) -> None:
    """Give a user a new password, stored as an Argon2 hash (SEC-1); the audit never holds it."""
    with uow:
        s = uow.session
        user = _user(s, actor, user_id)
        if user.role is Role.OWNER and actor.role is not Role.OWNER:
            raise PermissionDenied("Only an Owner can reset an Owner's password.", "password")
        user.password_hash = hash_password(password, user.username)
        audit.record(
            s,
            actor,
            "reset_password",
            "app_user",
            user.id,
            before={"username": user.username, "password": "old"},
            after={"username": user.username, "password": "reset"},
        )
        uow.commit()


# --------------------------------------------------------------------------- Providers


@dataclass(frozen=True)
class ProviderRow:
    id: int
    name: str
    short_name: str
    kind: str
    color: str
    active: bool
    version: int = 1

    @property
    def kind_label(self) -> str:
        return PROVIDER_KINDS.get(self.kind, self.kind.capitalize())


@dataclass(frozen=True)
class ProviderForm:
    name: str
    short_name: str
    kind: str
    color: str
    active: bool = True
    version: int | None = None  # the provider's version when loaded (DATA-4); None when adding


@guarded(Right.READ_OFFICE)
def list_providers(uow: UnitOfWork, actor: Actor) -> list[ProviderRow]:
    """Every provider of the office, active ones first. Any role may read it (pickers need it)."""
    with uow.read():
        providers = uow.session.scalars(
            select(Provider)
            .where(Provider.office_id == actor.office_id)
            .order_by(Provider.active.desc(), Provider.name)
        )
        return [ProviderRow(p.id, p.name, p.short_name, p.kind, p.color, p.active, p.version) for p in providers]


@guarded(Right.SETUP, provider_id=Provider)
def save_provider(uow: UnitOfWork, actor: Actor, provider_id: int | None, form: ProviderForm) -> int:
    """Add or change a provider: name, short name, kind, colour on the chart."""
    name = required_text(form.name, "name", "provider's name", max_length=120)
    short = required_text(form.short_name, "short_name", "short name", max_length=16).upper()
    if form.kind not in PROVIDER_KINDS:
        raise ValidationError(f"Kind is one of: {', '.join(PROVIDER_KINDS.values())}.", "kind")
    color = parse_colour(form.color)
    with uow:
        s = uow.session
        clash = select(Provider.id).where(
            Provider.office_id == actor.office_id, func.upper(Provider.short_name) == short, Provider.active.is_(True)
        )
        if provider_id is not None:
            clash = clash.where(Provider.id != provider_id)
        if form.active and s.scalar(clash) is not None:
            raise ValidationError(f"Another active provider already uses the short name {short}.", "short_name")
        if provider_id is None:
            provider = Provider(office_id=actor.office_id)
            s.add(provider)
            before = None
        else:
            found = s.get(Provider, provider_id)
            if found is None or found.office_id != actor.office_id:
                raise NotFound("This provider no longer exists.")
            provider = found
            check_version(provider, form.version)
            before = audit.snapshot(provider, *_PROVIDER_FIELDS)
        provider.name, provider.short_name, provider.kind, provider.color = name, short, form.kind, color
        provider.active = form.active
        s.flush()
        audit.record(
            s,
            actor,
            "create" if before is None else "update",
            "provider",
            provider.id,
            before=before,
            after=audit.snapshot(provider, *_PROVIDER_FIELDS),
        )
        uow.commit()
        return provider.id
