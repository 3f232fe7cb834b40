"""API Design Rules checked on the running API (profile `adr-runtime`)."""
