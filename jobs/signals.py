"""Sent once when a job ends (done or failed), outside any transaction, with kwargs `job`.

`notifications` turns it into a notice for the user who started the job."""

from django.dispatch import Signal

job_finished = Signal()
