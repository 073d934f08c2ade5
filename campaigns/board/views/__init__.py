"""One module per Board page; `campaigns/board/urls.py` routes them."""
