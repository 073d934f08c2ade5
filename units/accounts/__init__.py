"""Accounts: how people sign in and look after their own account, and the Board's and the
admin's pages for the people who use the portal."""
