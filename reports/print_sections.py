"""Extra sections of a task's printed record, registered by higher apps.

The reports app must not import `supervision`; supervision orders (督办单) and on-site
verifications are listed on the print view through this registry instead. A higher app
registers in its AppConfig.ready():

    from reports.print_sections import register_task_print_section
    register_task_print_section(orders_section)

where `orders_section(task, user)` returns None (nothing to show) or a dict
{"title": "督办与核实", "template": "supervision/_task_print_orders.html", "context": {...}};
the template is included inside the print view's `supervision_records` block with
`section` in its context. Sections run in registration order; each should run a fixed
number of queries.
"""

_SECTIONS = []


def register_task_print_section(section):
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def task_print_sections(task, user):
    """The registered sections that have something to show for `task` and `user`."""
    return [shown for section in _SECTIONS if (shown := section(task, user)) is not None]
