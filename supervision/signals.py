"""Signals sent at every supervision step, inside the step's transaction.

Every signal is sent with `order` (or `verification`/`urging`) and `actor` keyword arguments.
The notifications app connects to these; supervision never calls it directly.
"""

from django.dispatch import Signal

order_issued = Signal()
order_acknowledged = Signal()
order_replied = Signal()
order_urged = Signal()
order_sent_back = Signal()
order_extension_requested = Signal()
order_extension_decided = Signal()  # also sent with granted=True/False
order_closed = Signal()
order_instructed = Signal()
report_urged = Signal()  # sent with urging= (a ReportUrging) instead of order=
verification_recorded = Signal()  # sent with verification= instead of order=

# Year-end evaluation (年度考评) steps, sent with `evaluation` and `actor` inside the step's
# transaction; evaluation_returned also with `comment`. Notifications may connect to them.
evaluation_submitted = Signal()
evaluation_returned = Signal()
evaluation_published = Signal()
