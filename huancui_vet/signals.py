"""Signals the project package sends upward: apps above it listen, so it imports none of them."""

from django.dispatch import Signal

# A request was refused with 403 (sent by huancui_vet.views.permission_denied; the audit
# trail in departments.audit records it). Arguments: request.
access_denied = Signal()
