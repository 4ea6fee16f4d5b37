"""Which kinds of job exist: upper apps register theirs from `AppConfig.ready()`.

    register(
        "reports.raw_csv",
        label="填报原始数据导出（CSV）",
        run=run_raw_csv,            # run(context): does the work (jobs.services.JobContext)
        may_access=may_take_raw,    # may_access(user, params) -> bool, at start and download
    )

The access check is asked again when the file is downloaded, so a user who lost the right
between starting a job and fetching its file is refused.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class UnknownJobKind(LookupError):
    pass


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[Any], None]
    may_access: Callable[[Any, dict], bool]


_KINDS: dict[str, JobKind] = {}


def register(name: str, *, label: str, run, may_access) -> JobKind:
    """Register (or re-register, e.g. after a reload) one kind of job."""
    kind = JobKind(name=name, label=label, run=run, may_access=may_access)
    _KINDS[name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownJobKind(name) from None


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else "后台任务"
