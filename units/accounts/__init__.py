"""Accounts: the Board's and the admin's pages for the people who use the portal."""
