"""Rows in: reading outside tables (enterprise registers) and writing synthetic ones."""
