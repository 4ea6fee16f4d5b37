"""The plan and unit a background job was started for, read back from its params.

Jobs keep ids, not rows (the job may run minutes later on another host); a plan or unit
deleted in between ends the job with a Chinese message instead of an error.
"""

from departments.models import Department
from jobs.services import JobError
from tasks.models import Plan


def plan_and_department(params) -> tuple[Plan, Department | None]:
    plan = Plan.objects.filter(pk=params["plan"]).first()
    if plan is None:
        raise JobError("该实施方案已不存在，无法导出。")
    department = None
    if params.get("department"):
        department = Department.objects.filter(pk=params["department"]).first()
        if department is None:
            raise JobError("所选单位已不存在，无法导出。")
    return plan, department
