"""The Board manages accounts on its own pages: create an officer with an invitation, deactivate,
reactivate, move to another unit; every change kept with who made it and when."""
