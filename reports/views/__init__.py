"""The dashboard, the public page and the PDF documents page; `reports/urls.py` routes them."""
