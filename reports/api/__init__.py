"""The read-only open-data API under /api/v1/ (docs/api.md).

Every figure comes from the progress engine the dashboard and the public page use; every
protected answer is scoped by the same access rules as the portal's pages.
"""
