"""Sending mail to members (Flask-Mailman), in the recipient's language."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage, Mail

from directory.i18n import REGIONAL_LOCALES

mail = Mail()
log = logging.getLogger(__name__)


def send_email(to: str, language: str | None, template: str, **context) -> bool:
    """Render ``templates/emails/<template>.txt`` in ``language`` and send it to ``to``.

    Returns False (and logs) when the message could not be sent: a mail server that is down
    must never turn a request into a 500; callers decide what to tell the user.
    """
    languages = current_app.config["LANGUAGES"]
    locale = REGIONAL_LOCALES[language if language in languages else languages[0]]
    with force_locale(locale):
        text = render_template(f"emails/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    try:
        EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to]).send()
    except Exception:  # any transport failure (SMTP, DNS, disk) is only logged
        log.exception("could not send the %s email", template)
        return False
    return True
