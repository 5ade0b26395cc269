"""What each ``ErrorCode`` means to a client and what the client should do about it.

Kept apart from the enums because these texts are long; the limits quoted are the defaults of
the settings and the rules' own constants.
"""

from __future__ import annotations

from edxelera_gql.errors import Code
from edxelera_gql.graphql.connections import MAX_PAGE_SIZE
from edxelera_gql.graphql.descriptions import DEFAULTS, minutes

ERROR_CODE = (
    "Why something failed, the same codes on both error channels: a mutation's payload lists "
    "expected failures in `errors` (UserError.code); a query reports them as GraphQL errors "
    "with `extensions.code`. Also used as a reason in EnrollmentEligibility.reason and "
    "LessonItem.lockReason. Branch on the code, show the message: messages may be reworded, "
    "codes are part of the contract."
)

_ENROLL = "canEnroll (`reason`) and initPayment (`field` = `programSlug`)"

ERROR_CODE_VALUES: dict[Code, str] = {
    Code.UNAUTHENTICATED: "The field needs a signed-in viewer and the request carried no "
    "`Authorization` header. Sign in (signIn) and send `Authorization: Bearer <accessToken>`. "
    "A token that was sent but is no good is never treated as anonymous: it answers HTTP 401 "
    "with TOKEN_EXPIRED or INVALID_TOKEN instead.",
    Code.FORBIDDEN: "Signed in, but the viewer's role may not do this: refundPayment and "
    "revokeCertificate need an admin, setPinnedPost an instructor or admin. Also "
    "certificateDownload of a revoked certificate. Do not retry; hide the action.",
    Code.NOT_FOUND: "No such object, or one the viewer may not see (someone else's payment, "
    "certificate or post, an unpublished program, a week the program does not have): both "
    "answer alike, so ids and slugs never reveal what exists. `field` names the argument when "
    "one is to blame. Show a not-found state; retrying will not help.",
    Code.INVALID_INPUT: "An argument or input field is malformed or out of range (an email "
    "that is not one, a short password, an empty post, `first` over "
    f"{MAX_PAGE_SIZE}, a malformed cursor, "
    "a variable of the wrong type, text that is not valid Unicode). `field` names it and "
    "`message` says what is wrong, fit to show beside the field; a mutation lists every bad "
    "field at once. Fix the input; the same request will fail again.",
    Code.RATE_LIMITED: "Too many attempts in a short time (sign-in, sign-up, posts, replies, "
    "payments, video playback). Wait `UserError.retryAfterSeconds` (mutations) or "
    "`extensions.retryAfterSeconds` (queries), then retry. Nothing was done.",
    Code.INTERNAL_SERVER_ERROR: "An unexpected failure on the server (a bug or an outage), "
    "never an expected outcome. `extensions.requestId` finds it in the server's logs; in "
    "production the message is masked. Retry later, and report the request id if it lasts.",
    Code.EMAIL_TAKEN: "signUp: an account with this email already exists (`field` = `email`). "
    "Offer to sign in instead.",
    Code.INVALID_CREDENTIALS: "signIn: the email or the password is wrong (on purpose, the "
    "answer does not say which). Let the user try again; repeated failures are RATE_LIMITED.",
    Code.ACCOUNT_SUSPENDED: "The account is suspended: signIn and refreshSession refuse it, "
    "and requests with its access tokens answer HTTP 401 with this code. Discard the tokens "
    "and tell the user; retrying will not help.",
    Code.INVALID_REFRESH_TOKEN: "refreshSession: the refresh token is unknown, expired, signed "
    "out or already used. Presenting a used one again also ends its session (every token "
    "from the same sign-in), as a stolen token would. Discard the tokens and sign in again.",
    Code.SIGN_IN_REQUIRED: "canEnroll for a signed-out viewer while the enrollment window is "
    "open: the viewer could enroll after signing in (or signing up).",
    Code.NOT_PUBLISHED: f"{_ENROLL}: the program is not published yet (only staff can see "
    "it), so nobody can enroll.",
    Code.ALREADY_ENROLLED: f"{_ENROLL}: the viewer already has an ACTIVE enrollment in the "
    "program. Take them to it (programHome) instead.",
    Code.PROGRAM_ENDED: f"{_ENROLL}: the program has ended (`Program.endAt` has passed); "
    "nobody can enroll any more.",
    Code.ENROLLMENT_CLOSED: f"{_ENROLL}: the regular enrollment window has closed "
    "(`Program.enrollmentClosesAt`) and the program has no late join.",
    Code.LATE_JOIN_WINDOW_EXPIRED: f"{_ENROLL}: the regular window and the late-join window "
    "(`Program.lateJoinEndsAt`) have both closed.",
    Code.WEEK_TWO_UNLOCKED: f"{_ENROLL}: enrollment closed when week 2 was released; late "
    "join never reaches past that.",
    Code.PAYMENT_PROVIDER_UNAVAILABLE: "Paystack could not be reached or refused the call. "
    "initPayment and verifyPayment: nothing was charged by this call and nothing was left "
    "half-done (a payment already made is safe); retry after a short wait. refundPayment: "
    "Paystack did not confirm the refund, and a request that timed out may still have "
    "reached it, so check the payment in Paystack before asking again.",
    Code.PAYMENT_NOT_SUCCESSFUL: "verifyPayment: the payment has not succeeded (abandoned, "
    "failed, still pending, or refunded); the payload's `billingStatus` shows where it "
    "stands. Offer to pay again (initPayment) or to check again later. refundPayment: only a "
    "SUCCESS payment can be refunded.",
    Code.PAYMENT_AMOUNT_MISMATCH: "verifyPayment: Paystack reports another amount or currency "
    "than the price recorded for this payment, so access stays closed. Ask the user to "
    "contact support; do not retry the payment automatically.",
    Code.NOT_ENROLLED: "The viewer has no ACTIVE enrollment in the program and is not staff "
    "(programHome, weekHub, courseProgress, completeLesson, lessonPlayback, discussions); "
    "also LessonItem.lockReason. Offer to enroll (canEnroll, then initPayment).",
    Code.WEEK_NOT_RELEASED: "The week has not been released yet: its lessons (lockReason, "
    "with `unlocksAt`), their videos (lessonPlayback, with `extensions.unlocksAt`), "
    "completeLesson, and for students its discussion. Show when it opens and try again then.",
    Code.PREREQUISITES_INCOMPLETE: "The lesson needs other lessons completed first: "
    "LessonItem.missingPrerequisites lists them (lessonPlayback: their slugs in "
    "`extensions.missingPrerequisites`). Send the viewer to those lessons.",
    Code.VIDEO_NOT_READY: "lessonPlayback: the viewer may open the lesson, but its video is "
    "missing or still processing. Show the lesson without video and try again later.",
    Code.CANNOT_PIN_REPLY: "setPinnedPost: only top-level posts can be pinned and this one is "
    "a reply (`field` = `postId`).",
    Code.SERVICE_UNAVAILABLE: "A dependency of the server is briefly down (certificate "
    "storage, for certificateDownload). Nothing is wrong with the request: retry in a minute.",
    Code.TOKEN_EXPIRED: "The bearer access token has expired (they live "
    f"{minutes(DEFAULTS.access_token_ttl_seconds)} by default). Answered with HTTP 401 and "
    "`WWW-Authenticate: Bearer` before any field runs. Call refreshSession with the refresh "
    "token (it ignores the stale header), then retry with the new access token.",
    Code.INVALID_TOKEN: "The bearer token is malformed, not this server's, or its session has "
    "ended (signed out, or revoked after a refresh token was reused). HTTP 401 with "
    "`WWW-Authenticate: Bearer`. Discard the tokens and sign in again.",
    Code.BAD_REQUEST: "The HTTP request is wrong before any GraphQL runs: a body that is not a "
    "JSON object, a batch of operations, no `query`, several operations without "
    "`operationName`, a mutation over GET (HTTP 405), an `Accept` (406) or content type (415) "
    "this endpoint does not speak, a malformed `persistedQuery`. Fix the client code.",
    Code.GRAPHQL_PARSE_FAILED: "The document is not valid GraphQL syntax; the message and "
    "`locations` point at the problem. Fix the document.",
    Code.GRAPHQL_VALIDATION_FAILED: "The document does not fit this schema (an unknown field "
    "or argument, a missing selection, a wrong literal). Regenerate the client's operations "
    "against the current schema.",
    Code.QUERY_TOO_COMPLEX: "The document exceeds a limit checked before anything runs: "
    f"nesting deeper than {DEFAULTS.graphql_max_depth} levels, more than "
    f"{DEFAULTS.graphql_max_aliases} aliases, more than {DEFAULTS.graphql_max_tokens:,} "
    f"tokens, or a cost over {DEFAULTS.graphql_max_cost:,} (every selected field costs 1, "
    "times the `first` of each connection around it, counted as 100 when `first` is a "
    "variable; `extensions.cost` and `extensions.limit` tell). These are the defaults. Ask "
    "for fewer fields or smaller pages, or split the query.",
    Code.PAYLOAD_TOO_LARGE: f"The request body is over {DEFAULTS.graphql_max_body_bytes:,} "
    "bytes (HTTP 413). Send less, or send a persisted query's hash instead of its text.",
    Code.PERSISTED_QUERY_NOT_FOUND: "Automatic persisted queries: the server does not know "
    "this `sha256Hash` (never sent, or expired). Resend the same request with the full "
    "`query` beside the hash; Apollo's persisted-query link does so by itself. HTTP 200.",
    Code.PERSISTED_QUERY_HASH_MISMATCH: "`extensions.persistedQuery.sha256Hash` is not the "
    "SHA-256 (hex) of the `query` sent with it (HTTP 400). Hash the exact text sent.",
    Code.PERSISTED_QUERY_REQUIRED: "This deployment runs only the operations on its "
    "persisted-query allow-list, and the document sent is not one of them (HTTP 400). Use "
    "the operations the app was built with.",
}
