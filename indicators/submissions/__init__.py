"""The indicator side of a unit's yearly report: the values and model results it carries.

`services` saves the whole report (the campaigns part through `campaigns.services`, then the
values and model results) and adds the indicators' items to the submit checklist and snapshot;
`selectors` reads what the officer's form shows; `warnings` finds figures that need an
explanation; `review` reads what the Board's review page shows, with `scoring`'s suggested
points. The pages themselves are campaigns' (`campaigns/reporting/`, `campaigns/board/`).
"""
