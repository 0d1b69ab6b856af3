"""Development tools: the demo data and the fake WeChat server (never used by the running service)."""
