"""Workflow signals: how higher apps (notifications) learn about report transitions.

The reports app never imports a higher app. Each signal is sent inside the service's
transaction, after the change is saved, so a receiver that writes rows (an outbox) commits
or rolls back together with the change. Every signal passes `report` (fresh, saved) and
`actor` (the user who acted); receivers must accept **kwargs.
"""

from django.dispatch import Signal

# A reporter sent the report to the department head (plans that require sign-off).
report_awaiting_signoff = Signal()
# The report reached the education bureau's review queue (submitted or signed off).
report_submitted_for_review = Signal()
# A supervisor returned the report; also passes `comment`.
report_returned = Signal()
# A supervisor accepted the report.
report_accepted = Signal()
