"""GraphQL types and resolvers of the certificates domain."""
