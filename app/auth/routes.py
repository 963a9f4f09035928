from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from app.audit import record
from app.auth import bp
from app.auth import two_factor as two_factor_service
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmSignInForm,
    EnrolTwoFactorForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SetPasswordForm,
    SignInForm,
    TwoFactorForm,
)
from app.auth.fresh import mark_fresh
from app.auth.models import User
from app.auth.notices import password_changed
from app.auth.passwords import verify_password
from app.auth.reset import request_reset, user_for_reset_token
from app.auth.reset import reset_password as reset_user_password
from app.auth.services import (
    accept_invitation,
    authenticate,
    end_current_session,
    find_usable_invitation,
    set_password,
    start_session,
)
from app.db_types import utcnow
from app.errors import on_failure
from app.extensions import db, limiter
from app.forms import ButtonForm
from app.htmx import render
from app.mail import mail_configured
from app.permissions import public, signed_in


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: '/actions/?rag=red' yes; 'https://evil.test', '//evil.test' no."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    next_url = safe_next(request.args.get("next"))
    locked_message = None
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.ok and two_factor_service.enrolled(result.user):
            session.clear()
            session[TWO_FACTOR_PENDING] = {
                "u": result.user.id,
                "at": int(time.time()),
                "next": next_url,
                "tries": 0,
            }
            db.session.commit()
            return redirect(url_for("auth.two_factor_sign_in"), 303)
        if result.ok:
            start_session(result.user)
            db.session.commit()
            return redirect(next_url or url_for("home.index"), 303)
        db.session.commit()  # keep the throttle count and the audit event of the failure
        if result.locked_until:
            minutes = max(1, math.ceil((result.locked_until - utcnow()).total_seconds() / 60))
            locked_message = (
                "There have been too many failed attempts to sign in from this device. "
                f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, "
                "or ask a portal administrator to help."
            )
            form.email.errors.append(locked_message)
        else:
            form.email.errors.append("Enter a correct email address and password")
        form.password.data = ""
        return render(
            "auth/sign_in.html", form=form, next_url=next_url, status=422 if not locked_message else 429
        )
    status = 422 if form.errors else 200
    return render("auth/sign_in.html", form=form, next_url=next_url, status=status)


TWO_FACTOR_PENDING = "two_factor_pending"
TWO_FACTOR_SETUP = "two_factor_setup"
# The second step must follow the first within this time, in at most this many tries.
TWO_FACTOR_WINDOW = 300
TWO_FACTOR_TRIES = 5


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def two_factor_sign_in():
    pending = session.get(TWO_FACTOR_PENDING)
    user = db.session.get(User, pending["u"]) if pending else None
    if user is None or not user.active or time.time() - pending["at"] > TWO_FACTOR_WINDOW:
        session.pop(TWO_FACTOR_PENDING, None)
        flash("Sign in with your email address and password first.", "info")
        return redirect(url_for("auth.sign_in"), 303)
    form = TwoFactorForm()
    if form.validate_on_submit():
        how = two_factor_service.check(user, form.code.data)
        if how is not None:
            start_session(user)
            summary = "Signed in with a recovery code" if how == "recovery" else "Signed in"
            record("auth.sign_in", user, actor=user, summary=summary)
            db.session.commit()
            if how == "recovery":
                left = two_factor_service.recovery_codes_left(user)
                flash(f"You signed in with a recovery code. You have {left} left.", "info")
            return redirect(pending.get("next") or url_for("home.index"), 303)
        record("auth.two_factor_failed", user, actor=user, summary="Wrong two-factor code")
        pending["tries"] += 1
        session[TWO_FACTOR_PENDING] = pending
        db.session.commit()
        if pending["tries"] >= TWO_FACTOR_TRIES:
            session.pop(TWO_FACTOR_PENDING, None)
            flash("Too many wrong codes. Sign in again.", "error")
            return redirect(url_for("auth.sign_in"), 303)
        form.code.errors.append(
            "That code is not right, or was already used. Enter the code the app shows now"
        )
    return render("auth/two_factor_sign_in.html", form=form, status=422 if form.errors else 200)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor():
    user = current_user._get_current_object()
    if two_factor_service.enrolled(user):
        return render(
            "auth/two_factor.html",
            user=user,
            codes_left=two_factor_service.recovery_codes_left(user),
            required=two_factor_service.required_for(user),
        )
    secret = session.get(TWO_FACTOR_SETUP) or two_factor_service.new_secret()
    session[TWO_FACTOR_SETUP] = secret
    form = EnrolTwoFactorForm()

    def render_setup(status: int = 200, conflict: bool = False):
        return render(
            "auth/two_factor_setup.html",
            form=form,
            secret=secret,
            qr_code=two_factor_service.qr_code(secret, user),
            required=two_factor_service.required_for(user),
            status=status,
        )

    if form.validate_on_submit():
        on_failure(render_setup, form, field="code")
        codes = two_factor_service.enrol(user, secret, form.code.data)
        db.session.commit()
        session.pop(TWO_FACTOR_SETUP, None)
        response = render("auth/recovery_codes.html", codes=codes)
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_setup(status=422 if form.errors else 200)


@bp.route("/account/confirm", methods=["GET", "POST"])
@signed_in
def confirm_sign_in():
    """Prove it is you again before a sensitive action (app/auth/fresh.py)."""
    user = current_user._get_current_object()
    next_url = safe_next(request.args.get("next")) or url_for("home.index")
    form = ConfirmSignInForm()
    needs_code = two_factor_service.enrolled(user)
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data):
            form.password.errors.append("Your password is not correct")
        elif needs_code and two_factor_service.check(user, form.code.data or "") is None:
            form.code.errors.append("Enter the code your authenticator app shows now")
        else:
            mark_fresh()
            record(
                "auth.confirmed",
                user,
                actor=user,
                summary="Confirmed their password before a sensitive action",
            )
            db.session.commit()
            return redirect(next_url, 303)
        record(
            "auth.confirm_failed", user, actor=user, summary="Wrong password or code when asked to confirm"
        )
        db.session.commit()
    return render(
        "auth/confirm_sign_in.html", form=form, needs_code=needs_code, status=422 if form.errors else 200
    )


@bp.before_app_request
def two_factor_first():
    """A role that must use two-factor sign-in sets it up before anything else."""
    if not current_user.is_authenticated or request.endpoint in TWO_FACTOR_FREE:
        return None
    user = current_user._get_current_object()
    if not two_factor_service.required_for(user) or two_factor_service.enrolled(user):
        return None
    target = url_for("auth.two_factor")
    if request.htmx:
        response = current_app.response_class("", status=401)
        response.headers["HX-Redirect"] = target
        return response
    flash("Your role needs two-factor sign-in. Set it up to continue.", "info")
    return redirect(target, 303 if request.method == "POST" else 302)


TWO_FACTOR_FREE = {"auth.two_factor", "auth.sign_out", "static", "home.health", None}


@bp.post("/logout")
@signed_in
def sign_out():
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"), 303)
    record("auth.sign_out", current_user._get_current_object(), summary="Signed out")
    end_current_session()
    db.session.commit()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def set_password_from_invitation(token: str):
    invitation = find_usable_invitation(token)
    if invitation is None:
        return render("auth/invitation_invalid.html", status=404)
    form = SetPasswordForm(account_email=invitation.user.email)
    if form.validate_on_submit():
        if current_user.is_authenticated:
            end_current_session("switched_account")
        user = accept_invitation(invitation, form.password.data)
        start_session(user)
        db.session.commit()
        flash("Your password is set and you are signed in.", "success")
        return redirect(url_for("home.index"), 303)
    return render(
        "auth/set_password.html",
        form=form,
        invited_user=invitation.user,
        status=422 if form.errors else 200,
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        return render("auth/reset_link_sent.html", mail_configured=mail_configured())
    return render("auth/forgot_password.html", form=form, status=422 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str):
    user = user_for_reset_token(token)
    if user is None:
        return render("auth/reset_link_invalid.html", status=404)
    form = ResetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        if current_user.is_authenticated:
            end_current_session("switched_account")
        reset_user_password(user, form.password.data)
        if two_factor_service.enrolled(user):
            # The emailed link proves the mailbox, not the second factor: sign in with both.
            db.session.commit()
            flash(
                "Your new password is set, and any signed-in browsers were signed out. Sign in with "
                "it and a code from your authenticator app.",
                "success",
            )
            return redirect(url_for("auth.sign_in"), 303)
        start_session(user)
        db.session.commit()
        flash(
            "Your new password is set and you are signed in. Any other signed-in browsers were signed out.",
            "success",
        )
        return redirect(url_for("home.index"), 303)
    return render("auth/reset_password.html", form=form, account=user, status=422 if form.errors else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(account_email=user.email)
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not correct")
        else:
            set_password(user, form.password.data, reason="password_changed")
            record("auth.password_changed", user, summary="Changed their password")
            password_changed(user, "from your account page")
            start_session(user)  # every other browser is signed out; this one carries on
            db.session.commit()
            flash("Your password has been changed. Any other signed-in browsers were signed out.", "success")
            return redirect(url_for("home.index"), 303)
    return render("auth/change_password.html", form=form, status=422 if form.errors else 200)


def unauthorized():
    """Anonymous user on a protected route: sign-in page, or for htmx a 401 that redirects."""
    login_url = url_for("auth.sign_in", next=request.full_path.rstrip("?"))
    if request.htmx:
        response = current_app.response_class("", status=401)
        response.headers["HX-Redirect"] = login_url
        return response
    if request.method == "GET":
        flash("Sign in to continue.", "info")
    return redirect(login_url)
