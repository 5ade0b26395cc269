"""Staff tools: who is staff in a program, the roster and analytics, authoring, uploads and the
audit log. Above the learner-facing domains (it reads their tables and reuses their rules)."""
