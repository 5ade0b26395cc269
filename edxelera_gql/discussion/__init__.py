"""Week discussion threads, posts, replies and pins."""
