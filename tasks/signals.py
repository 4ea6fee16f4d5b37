"""Task signals: how higher apps (notifications) learn that a task's terms changed.

`task_changed` is sent inside the writing transaction with `task`, `changes` (a short
Chinese description of what changed, e.g. "承担单位") and `department_ids` (every unit on
the task before or after the change). Receivers must accept **kwargs.
"""

from django.dispatch import Signal

task_changed = Signal()
