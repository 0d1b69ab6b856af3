"""Sign-in (WeChat and development), sessions, and the caller's context."""
