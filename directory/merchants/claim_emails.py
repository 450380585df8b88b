"""The mails of a merchant claim: the code sent to the shop's address, and the decision sent to
the claimant, each in the claimant's language."""

from __future__ import annotations

from directory.accounts.emails import external_url
from directory.accounts.mail import send_email
from directory.merchants.claims import CODE_MAX_AGE, SUPERSEDED, ClaimDecision
from directory.merchants.models import Claim, ClaimStatus


def send_claim_code(claim: Claim, code: str) -> bool:
    """Mail ``code`` to the address given as evidence (the claimant types it on the site)."""
    if not claim.email:
        return False
    return send_email(
        claim.email,
        claim.user.language,
        "claim_code",
        user=claim.user,
        shop=claim.shop,
        code=code,
        minutes=int(CODE_MAX_AGE.total_seconds() // 60),
        link=external_url("claims.code", claim_id=claim.id),
    )


def send_claim_decision(claim: Claim) -> bool:
    """Tell the claimant that a moderator accepted or rejected their claim, and why."""
    accepted = claim.status == ClaimStatus.ACCEPTED.value
    return send_email(
        claim.user.email,
        claim.user.language,
        "claim_accepted" if accepted else "claim_rejected",
        user=claim.user,
        shop=claim.shop,
        reason=claim.decision_reason,
        superseded=claim.decision_reason == SUPERSEDED,
        link=external_url("shops.detail", shop_id=claim.shop.id, slug=claim.shop.slug),
    )


def send_decisions(decision: ClaimDecision) -> None:
    """Mail the decided claim's claimant, and those whose claims an acceptance rejected."""
    for claim in (decision.claim, *decision.superseded):
        if not claim.user.is_deleted:
            send_claim_decision(claim)
