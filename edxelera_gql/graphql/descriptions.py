"""Description texts several parts of the schema share, so the same thing reads the same.

Numbers come from the code that enforces them (the rules' constants, the settings' defaults),
so a description cannot drift from the limit it describes.
"""

from __future__ import annotations

from edxelera_gql.catalog.content.slugs import SLUG_MAX_LENGTH
from edxelera_gql.discussion.posts import POST_RATE, REPLY_RATE
from edxelera_gql.discussion.rules import BODY_MAX_CHARS
from edxelera_gql.enrollment.checkout import INIT_RATE
from edxelera_gql.enrollment.payments import VERIFY_RATE
from edxelera_gql.infra.ratelimit import Rule
from edxelera_gql.learning.playback import PLAYBACK_RATE
from edxelera_gql.settings import Settings

# The production defaults every deployment starts from (each is configurable).
DEFAULTS = Settings()


def per_window(rule: Rule) -> str:
    """``Rule(10, 60)`` as "10 a minute"."""
    if rule.window_seconds == 60:
        return f"{rule.limit} a minute"
    if rule.window_seconds % 60 == 0:
        return f"{rule.limit} per {rule.window_seconds // 60} minutes"
    return f"{rule.limit} per {rule.window_seconds} seconds"


def minutes(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} seconds"


_WINDOW = minutes(DEFAULTS.rate_limit_window_seconds)
# The rate limits, named where they apply (each over the limit answers RATE_LIMITED).
RATES = {
    "post": per_window(POST_RATE),
    "reply": per_window(REPLY_RATE),
    "init_payment": per_window(INIT_RATE),
    "verify_payment": per_window(VERIFY_RATE),
    "playback": per_window(PLAYBACK_RATE),
    "sign_in_email": f"{DEFAULTS.sign_in_limit_per_email} per email and IP address per {_WINDOW}",
    "sign_in_ip": f"{DEFAULTS.sign_in_limit_per_ip} per IP address per {_WINDOW}",
    "sign_up_ip": f"{DEFAULTS.sign_up_limit_per_ip} per IP address per {_WINDOW}",
}


# -- mutations ---------------------------------------------------------------------------------

PAYLOAD_ERRORS = (
    "Expected failures of this mutation, each a UserError {code, field, message}; empty on "
    "success. When it is not empty the other fields are null unless they say otherwise. "
    "Mutations never report these as top-level GraphQL errors."
)

# -- arguments and input fields ----------------------------------------------------------------

PROGRAM_SLUG = (
    f"The program's `slug` (`Program.slug`, a-z, 0-9 and '-', at most {SLUG_MAX_LENGTH} "
    "characters)."
)
COURSE_SLUG = "The course's `slug` (`Course.slug`)."
LESSON_SLUG = "The lesson's `slug` (`LessonItem.slug`), unique within its course."
WEEK_NUMBER = "The week's number in its program (`WeekSummary.number`), starting at 1."
POST_BODY = (
    f"The text, 1 to {BODY_MAX_CHARS:,} characters once trimmed, with at least one visible "
    "character and no control characters other than tabs and line breaks. Stored as given "
    "(trimmed, Unicode NFC), never as HTML: the client escapes it when it shows it."
)
POST_ID = "`Post.id` (the bare number older clients send is accepted too)."

# -- access ------------------------------------------------------------------------------------

STAFF = "the program's staff (its instructors and teaching assistants, and admins)"
PUBLIC = "Public: anyone may read it, signed in or not."
