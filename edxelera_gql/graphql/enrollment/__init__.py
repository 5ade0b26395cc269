"""GraphQL types and resolvers of the enrollment domain."""
