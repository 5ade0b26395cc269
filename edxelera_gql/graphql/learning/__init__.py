"""GraphQL types and resolvers of the learning domain."""
