"""The parties cgconform plays for once-only-chain: the citizens (their login), the caller of
the application, the reader of each organisation's FSC transaction log and read API."""
