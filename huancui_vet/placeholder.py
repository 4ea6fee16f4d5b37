"""Temporary page for routes whose feature is still being built. Removed once all land."""

from django.shortcuts import render


def coming_soon(request, *args, **kwargs):
    return render(request, "coming_soon.html")
