"""Figures, table export and run manifests."""
