"""GraphQL types and resolvers of the discussion domain."""
