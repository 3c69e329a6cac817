"""Request and response schemas, one per role (Create, Update, Public)."""
