"""Merchants: claims on a listing, direct edits of its practical information, their history."""
