"""Ids and the patterns that bound them, written once for every contract and request.

The event contracts and the HTTP requests spell some ids differently, and those spellings are
published (JSON Schemas, OpenAPI): each variant is named here for what it bounds rather than
merged with its neighbours, so a contract can only change on purpose. Every pattern that could
become a NATS subject token keeps to letters, digits, `-` and `_`.
"""

from __future__ import annotations

from shegong_events.envelope import new_event_id

# an id a caller may choose (a household, a visit, a member, a rule's template); up to 64 chars
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$"
# a station, district or organisation id as the registry's contracts spell it: lower case, 2-63
SLUG = r"^[a-z0-9][a-z0-9\-]{1,62}$"
# an id in the engagement contracts (meetings, issues, motions, volunteers): lower case, 1-63
ENGAGEMENT_ID = r"^[a-z0-9][a-z0-9\-]{0,62}$"
# an id in the notifications contracts (rules, templates, recipients, topics): up to 80 chars
NOTIFICATIONS_ID = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,79}$"
# a data subject's key id, e.g. `org-contact:fulilu-choir`: an identifier with a kind in front
DATA_SUBJECT = r"^[A-Za-z0-9][A-Za-z0-9_:\-]{0,127}$"
# a workbench login name: a slug that may also hold `_`
USERNAME = r"^[a-z0-9][a-z0-9_\-]{1,62}$"

# phone numbers as each request accepts them (sealed at once, never in an event as typed)
PHONE = r"^\+?[0-9][0-9\-() ]{4,29}$"  # the edge's general phone type
ORGANISATION_PHONE = r"^[0-9+\-() ]{5,30}$"  # an organisation's 负责人, at filing
HOUSEHOLD_PHONE = r"^\+?[0-9][0-9\- ]{4,19}$"  # a household member's
VOLUNTEER_PHONE = r"^\+?[0-9\- ]{5,20}$"  # a volunteer's, at enrolment


def new_id(prefix: str) -> str:
    """An id a service makes for what the caller did not name: `<prefix>-<32 hex digits>`, lower
    case and time-ordered (a UUIDv7), so it fits `IDENTIFIER` and the contracts' lower-case ids."""
    return f"{prefix}-{new_event_id().hex}"
