"""GraphQL types and resolvers of the catalog domain."""
