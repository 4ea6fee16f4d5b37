from departments.models import Role


def navigation(request):
    """Navigation entries for the signed-in user's role (display only; views enforce access)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = user.role
    items = []
    if role in (Role.REPORTER, Role.HEAD):
        items.append(("reports:my_tasks", "我的任务"))
        items.append(("reports:bulk_entry", "批量填报"))
    if role == Role.HEAD:
        items.append(("reports:signoff_queue", "待我签批"))
        # By role, like every entry here (no permission query per page).
        items.append(("people_list", "本单位账号"))
    if role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        items.append(("reports:review_queue", "审核队列"))
    if role in (Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR):
        items.append(("supervision:dashboard", "督查看板"))
        items.append(("supervision:scorecard", "部门评分"))
        items.append(("supervision:order_list", "督办单"))
    items.append(("supervision:evaluation_list", "年度考评"))
    items.append(("tasks:plan_list", "实施方案"))
    return {"nav_items": items, "current_role": role}
