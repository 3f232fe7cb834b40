"""API Design Rules checked on the OpenAPI document (profile `adr-openapi`)."""
