"""Accounts, roles, passwords, tokens and permissions."""
