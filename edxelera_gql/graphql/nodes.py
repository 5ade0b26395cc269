"""Every domain's node resolvers, imported so they register, and the types implementing Node."""

from __future__ import annotations

from edxelera_gql.graphql.auth import nodes as auth_nodes
from edxelera_gql.graphql.catalog import nodes as catalog_nodes
from edxelera_gql.graphql.certificates import nodes as certificate_nodes
from edxelera_gql.graphql.discussion import nodes as discussion_nodes
from edxelera_gql.graphql.enrollment import nodes as enrollment_nodes
from edxelera_gql.graphql.learning import nodes as learning_nodes
from edxelera_gql.graphql.node import registered_types

MODULES = (
    auth_nodes,
    catalog_nodes,
    certificate_nodes,
    discussion_nodes,
    enrollment_nodes,
    learning_nodes,
)
NODE_TYPES = registered_types()
