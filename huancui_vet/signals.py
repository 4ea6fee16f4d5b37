"""Signals the project package sends upward: apps above it listen, so it imports none of them."""

from django.dispatch import Signal

# A request was refused with 403 (sent by huancui_vet.views.permission_denied; the audit
# trail in departments.audit records it). Arguments: request.
access_denied = Signal()

# The database was replaced by a backup (sent by huancui_vet.backup after a restore): whatever
# was cached from the replaced state must not be served (supervision renews its figures tokens).
database_restored = Signal()
