"""Helpers shared by every feature's forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from directory.errors import DomainError


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach a service's error to the field it names, or flash it when no field fits."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        # WTForms may hold errors as a tuple before validation has run.
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
