"""GraphQL adapters of the staff tools: one module per tool, each a part of Query or Mutation."""
