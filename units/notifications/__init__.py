"""Notices to people: in the portal ("Thông báo") and by e-mail, with each person's choice of
which kinds reach their mailbox, and the record of reminders sent (one a day per stage).

Events happen in every app, so this lives in the lowest one: the apps above call
`units.notifications.services.notify` when something happens to someone.
"""
