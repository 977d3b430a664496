"""Saved plans: the SQL store, its schema, revisions, share links, and who may do what."""
