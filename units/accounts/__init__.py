"""Accounts: how people sign in and look after their own account."""
