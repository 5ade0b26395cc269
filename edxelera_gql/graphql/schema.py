"""Schema assembly: one Query and Mutation made of the domains' parts, plus the limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from opentelemetry.trace import Tracer
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig

from edxelera_gql.graphql.auth.mutations import AuthMutation
from edxelera_gql.graphql.auth.queries import AuthQuery
from edxelera_gql.graphql.catalog.queries import CatalogQuery
from edxelera_gql.graphql.certificates.mutations import CertificateMutation
from edxelera_gql.graphql.certificates.queries import CertificateQuery
from edxelera_gql.graphql.discussion.mutations import DiscussionMutation
from edxelera_gql.graphql.discussion.queries import DiscussionQuery
from edxelera_gql.graphql.enrollment.management import ManagementMutation
from edxelera_gql.graphql.enrollment.mutations import EnrollmentMutation
from edxelera_gql.graphql.enrollment.queries import EnrollmentQuery
from edxelera_gql.graphql.errors import log_unexpected_errors
from edxelera_gql.graphql.input_guard import RefuseUnstorableText
from edxelera_gql.graphql.learning.mutations import LearningMutation
from edxelera_gql.graphql.learning.queries import LearningQuery
from edxelera_gql.graphql.limits import cost_limit_rule
from edxelera_gql.graphql.node import NodeQuery
from edxelera_gql.graphql.nodes import MODULES as _NODE_RESOLVERS  # noqa: F401 (registers)
from edxelera_gql.graphql.notifications.mutations import NotificationMutation
from edxelera_gql.graphql.notifications.queries import NotificationQuery
from edxelera_gql.graphql.scalars import DateTimeScalar
from edxelera_gql.graphql.staff.authoring import AuthoringMutation
from edxelera_gql.graphql.staff.roster import RosterQuery
from edxelera_gql.graphql.staff.team import TeamQuery
from edxelera_gql.graphql.staff.team_mutations import TeamMutation
from edxelera_gql.graphql.staff.uploads import UploadMutation
from edxelera_gql.infra import tracing
from edxelera_gql.settings import Settings


# Each domain contributes its own part; the schema is their union.
@strawberry.type(
    description="Reads. Send `Authorization: Bearer <accessToken>` to read as a signed-in "
    "user; without it the viewer is anonymous, and a refused token answers HTTP 401 "
    "(TOKEN_EXPIRED or INVALID_TOKEN), never anonymously. Root fields are nullable: a field "
    "that fails is null and reports its failure as a GraphQL error with `extensions.code` "
    "(an ErrorCode), while the other fields keep their data. Queries may also be sent with "
    "GET, and as automatic persisted queries."
)
class Query(
    AuthQuery,
    CatalogQuery,
    EnrollmentQuery,
    CertificateQuery,
    LearningQuery,
    DiscussionQuery,
    NotificationQuery,
    RosterQuery,
    TeamQuery,
    NodeQuery,
):
    pass


@strawberry.type(
    description="Writes, over POST only. Each mutation takes one `input` (when it has "
    "arguments) and answers a payload whose `errors` lists its expected failures as "
    "UserError {code, field, message}, empty on success; top-level GraphQL errors mean the "
    "request itself failed (a refused token, a limit, a malformed variable, an unexpected "
    "error). Several mutations in one request run one after another, each on its own: a "
    "failure of one does not undo another."
)
class Mutation(
    AuthMutation,
    EnrollmentMutation,
    LearningMutation,
    CertificateMutation,
    DiscussionMutation,
    NotificationMutation,
    ManagementMutation,
    TeamMutation,
    AuthoringMutation,
    UploadMutation,
):
    pass


class EdxSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Called before ErrorCodes masks anything, so the log keeps the original trace.
        log_unexpected_errors(errors, execution_context)


def _per_request(extension: type[SchemaExtension], **kwargs: Any) -> type[SchemaExtension]:
    """A subclass that builds itself with ``kwargs``: Strawberry then makes a fresh instance per
    request (a shared instance would share ``execution_context`` between concurrent requests)."""

    def __init__(self: SchemaExtension) -> None:
        extension.__init__(self, **kwargs)

    return type(extension.__name__, (extension,), {"__init__": __init__})


class RootFieldSpans(SchemaExtension):
    """With tracing on: a span per root field, the resolvers that do the I/O (nested fields
    read what they loaded, or batch through DataLoaders, whose SQL has its own spans)."""

    def __init__(self, *, tracer: Tracer) -> None:
        self.tracer = tracer

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        if info.path.prev is not None:
            return _next(root, info, *args, **kwargs)
        return tracing.in_span(
            self.tracer,
            f"resolve {info.field_name}",
            lambda: _next(root, info, *args, **kwargs),
            {"graphql.field.name": info.field_name},
        )


def build_schema(settings: Settings | None = None, *, tracer: Tracer | None = None) -> EdxSchema:
    settings = settings or Settings()
    # The limit rules are built once: the validation cache is keyed by the rule classes, and
    # rebuilding them per request (as the limiter extensions do) would defeat it.
    limit_rules = [
        depth_rule(settings.graphql_max_depth, None, None),
        alias_rule(settings.graphql_max_aliases),
        cost_limit_rule(settings.graphql_max_cost),
    ]
    extensions: list[Any] = [
        # Bounded caches: parsing and validating the same documents again is wasted work.
        _per_request(ParserCache, maxsize=256),
        _per_request(ValidationCache, maxsize=256),
        RefuseUnstorableText,
        _per_request(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        _per_request(AddValidationRules, validation_rules=limit_rules),
    ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    if tracer is not None:  # only then: a resolve hook wraps every field of every request
        extensions.append(_per_request(RootFieldSpans, tracer=tracer))
    return EdxSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        scalar_overrides={datetime: DateTimeScalar},
        # "Did you mean ..." would let anyone enumerate the schema with introspection off.
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=settings.is_production
        ),
    )


def schema_sdl() -> str:
    """The schema as ``schema.graphql`` holds it."""
    return build_schema().as_str() + "\n"
