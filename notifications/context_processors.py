from notifications.models import Notice


def bell(request):
    """The header bell's unread count: one indexed COUNT query per page for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"unread_notices": count}
