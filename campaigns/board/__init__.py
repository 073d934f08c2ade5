"""The Board's pages, all under /board/: the review queue and review page, ranking, award
proposals and closing the year. Leaders read them; only the Board acts (`guards.py`)."""
