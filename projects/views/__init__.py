"""Views: see projects/urls.py."""
