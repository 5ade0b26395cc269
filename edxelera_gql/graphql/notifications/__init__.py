"""GraphQL types and resolvers of the learner emails' preferences."""
