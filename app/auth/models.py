"""Agencies, users and their sessions: who someone is and which agency they speak for."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, and_, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned


class AgencyKind(StrEnum):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    POLICE = "police"
    HEALTH = "health"
    SCHOOL = "school"
    VOLUNTARY = "voluntary"
    DISTRICT_COUNCIL = "district_council"
    PROBATION_YOUTH_OFFENDING = "probation_youth_offending"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyKind.POLICE: "Police",
    AgencyKind.HEALTH: "Health / primary care trust",
    AgencyKind.SCHOOL: "School",
    AgencyKind.VOLUNTARY: "Voluntary and community",
    AgencyKind.DISTRICT_COUNCIL: "District council",
    AgencyKind.PROBATION_YOUTH_OFFENDING: "Probation / youth offending",
    AgencyKind.OTHER: "Other",
}


class Role(StrEnum):
    PARTNER = "partner"
    AGENCY_LEAD = "agency_lead"
    TRUST_MEMBER = "trust_member"
    PROGRAMME_MANAGER = "programme_manager"
    PARTICIPATION_LEAD = "participation_lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.PARTNER: "Partner agency staff",
    Role.AGENCY_LEAD: "Agency lead",
    Role.TRUST_MEMBER: "Children's Trust member",
    Role.PROGRAMME_MANAGER: "Programme manager",
    Role.PARTICIPATION_LEAD: "Participation lead",
    Role.ADMIN: "Administrator",
}

# What each role does in the portal as it is today: a module that adds work for a role (returns,
# young people's feedback) adds its words here when it lands, never before.
ROLE_DESCRIPTIONS = {
    Role.PARTNER: "Reads the thresholds and pathways, reports progress on your agency's actions, and "
    "prepares its safer-recruitment returns.",
    Role.AGENCY_LEAD: "Confirms your agency's staff are briefed on new thresholds, answers for "
    "your agency's actions, submits its safer-recruitment returns, and gives its part of the "
    "inspection self-assessment.",
    Role.TRUST_MEMBER: "Reviews partnership progress across every agency, challenges it, and reviews "
    "agencies' safer-recruitment returns.",
    Role.PROGRAMME_MANAGER: "Runs the improvement programme: projects, actions and owners; sets the "
    "safer-recruitment return periods and reviews the returns; prepares the partnership for inspection.",
    Role.PARTICIPATION_LEAD: "Reads what young people tell the partnership, acts at once on any "
    "message that may show a young person at risk, and publishes \u201cyou said, we did\u201d.",
    Role.ADMIN: "Publishes threshold documents and manages agencies and users.",
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_digest(token: str) -> str:
    """Session and invitation tokens are stored only as digests: a database leak grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class Agency(Versioned, db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="agency")

    @property
    def kind_label(self) -> str:
        return AGENCY_KIND_LABELS.get(AgencyKind(self.kind), self.kind)

    def audit_view(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "district": self.district,
            "active": self.active,
        }

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name!r}>"


# Invited and not yet signed up: the account exists and has no password. Few at any time, and the
# administrator's home page counts them on every visit: a partial index holds just them.
NOT_YET_SIGNED_UP = "password_hash IS NULL"


class User(UserMixin, Versioned, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        Index(
            "ix_users_awaiting_password",
            "id",
            sqlite_where=text(NOT_YET_SIGNED_UP),
            postgresql_where=text(NOT_YET_SIGNED_UP),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored normalised (lower case), which makes the unique constraint case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-factor sign-in (app/auth/two_factor.py): the authenticator's shared secret, the last
    # time step a code was accepted for (a code works once), and since when it is on.
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # encrypted (app.auth.two_factor)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def what_you_do(self) -> str:
        """The role's work in the portal, in the user's own words (their home page says it)."""
        return Role(self.role).description

    @property
    def signed_in_as(self) -> str:
        """Who the header says is signed in: 'Agency lead, Nottinghamshire Police'."""
        return f"{self.role_label}, {self.agency.name}"

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def sees_all_agencies(self) -> bool:
        from app.permissions import sees_all_agencies

        return sees_all_agencies(self)

    def audit_view(self) -> dict:
        return {
            "email": self.email,
            "full_name": self.full_name,
            "agency_id": self.agency_id,
            "role": self.role,
            "active": self.active,
        }

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def awaiting_password():
    """Active accounts invited and not yet signed up (found from ix_users_awaiting_password)."""
    return and_(User.password_hash.is_(None), User.active.is_(True))


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random token; this row decides if it still counts."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class SignInThrottle(db.Model):
    """Failed sign-ins by one guesser (client address) at one email address, whether or not an
    account exists (no enumeration). The key is a digest of both (`app.auth.services.throttle_key`),
    so the table names neither; its column keeps the name it had when the key was the email alone.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column("email", String(254), primary_key=True)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(db.Model):
    """A single-use, expiring link that lets an invited user set their password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def count_active_holders(permission) -> int:
    """How many active accounts hold `permission` (e.g. the last one who can manage users)."""
    roles = [str(role) for role in permission.roles]
    return db.session.scalar(select(func.count(User.id)).where(User.role.in_(roles), User.active.is_(True)))


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator; stored only as a digest."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
