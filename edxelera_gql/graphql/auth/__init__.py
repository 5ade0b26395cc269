"""GraphQL types and resolvers of the auth domain."""
