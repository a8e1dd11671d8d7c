"""The article item: its fields, their JSON Schema, and the text and URL rules every field obeys."""
