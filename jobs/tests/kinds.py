"""Job kinds for the jobs app's own tests (registered by a fixture, removed after)."""

import io

from jobs.services import JobError

CALLS: list[str] = []


def run_echo(context):
    """Writes 'attempt N: <text>' after reporting progress over three steps."""
    CALLS.append(str(context.job.pk))
    text = context.params.get("text", "")
    if text == "boom":
        raise RuntimeError("Traceback (most recent call last): secret internals")
    if text == "refuse":
        raise JobError("该单位没有可导出的数据。")
    for step in range(1, 4):
        context.progress(step, 3)
    context.save_file(
        io.BytesIO(f"attempt {context.job.attempts}: {text}".encode()),
        filename="结果.txt",
        content_type="text/plain; charset=utf-8",
    )
    context.message = "已导出 3 行。"


def may_access_echo(user, params):
    return user.has_perm("reports.view_dashboard")
