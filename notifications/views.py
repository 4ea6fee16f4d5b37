"""The inbox, the bell's targets, the user's channel settings and the mail unsubscribe page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from departments.models import User
from notifications import services
from notifications.channels import read_unsubscribe_token
from notifications.forms import SettingsForm, UnitWebhookForm
from notifications.models import Channel, Kind, Notice, UnitWebhook
from notifications.rules import required_kinds

PAGE_SIZE = 20


def get_notice_for_user(user, pk):
    """A notice of `user`'s own; anyone else's is 404 (its existence does not leak)."""
    return get_object_or_404(Notice, pk=pk, recipient=user)


@require_safe
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    unread_first = request.GET.get("sort") == "unread"
    notices = Notice.objects.filter(recipient=request.user)
    if only_unread:
        notices = notices.filter(read_at__isnull=True)
    order: list[str | Case] = ["-created_at", "-id"]
    if unread_first and not only_unread:
        order.insert(0, Case(When(read_at__isnull=True, then=0), default=1))
    page = Paginator(notices.order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
    params = [("unread", "1")] if only_unread else []
    params += [("sort", "unread")] if unread_first and not only_unread else []
    context = {
        "page": page,
        "only_unread": only_unread,
        "unread_first": unread_first,
        "query": urlencode(params),
    }
    return render(request, "notifications/inbox.html", context)


@require_POST
def notice_open(request, pk):
    """Mark the notice read and go to what it is about."""
    notice = get_notice_for_user(request.user, pk)
    services.notice_mark_read(user=request.user, notice=notice)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@require_POST
def notice_read(request, pk):
    notice = get_notice_for_user(request.user, pk)
    services.notice_mark_read(user=request.user, notice=notice)
    return redirect(_back(request))


@require_POST
def notice_read_all(request):
    count = services.notice_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("notifications:inbox")


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:inbox"


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    prefs = services.settings_for(request.user)
    form = SettingsForm(request.POST or None, user=request.user, prefs=prefs)
    if request.method == "POST" and form.is_valid():
        services.settings_save(
            user=request.user,
            email_mode=form.cleaned_data["email_mode"],
            email_disabled_kinds=form.disabled_kinds(),
        )
        messages.success(request, "提醒设置已保存。")
        return redirect("notifications:settings")
    bots = UnitWebhook.objects.filter(department_id=request.user.department_id, is_active=True)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "bots": bots if request.user.department_id else []},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("notifications.manage_unit_webhooks", raise_exception=True)
def unit_webhooks(request):
    """A department head sets the unit's 企业微信 / 钉钉 group bots."""
    department = request.user.department
    if department is None:
        raise Http404("没有所属单位。")
    existing = {b.channel: b for b in UnitWebhook.objects.filter(department=department)}
    forms = {
        channel: UnitWebhookForm(
            request.POST or None,
            prefix=channel,
            channel=channel,
            instance=existing.get(channel) or UnitWebhook(department=department),
        )
        for channel in (Channel.WECOM, Channel.DINGTALK)
    }
    if request.method == "POST" and all(f.is_valid() for f in forms.values()):
        services.unit_webhooks_save(
            department=department,
            keep=[f.save(commit=False) for f in forms.values() if f.cleaned_data.get("url")],
            remove=[f.instance for f in forms.values() if not f.cleaned_data.get("url")],
        )
        messages.success(request, "本单位群机器人设置已保存。")
        return redirect("notifications:unit_webhooks")
    return render(
        request,
        "notifications/unit_webhooks.html",
        {"department": department, "forms": [(c.label, f) for c, f in forms.items()]},
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The link in every mail: GET asks, POST stops that kind of mail (no sign-in needed)."""
    found = read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    kind = found[1]
    if kind in (Kind.EMAIL_DIGEST, "*"):
        label, kinds = "所有可关闭的邮件提醒", [k.value for k in Kind]
    elif kind in Kind.values:
        label, kinds = f"“{Kind(kind).label}”邮件", [kind]
    else:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    required = kind in required_kinds(user)
    done = False
    if request.method == "POST" and not required:
        prefs = services.settings_for(user)
        services.settings_save(
            user=user,
            email_mode=prefs.email_mode,
            email_disabled_kinds=set(prefs.email_disabled_kinds) | set(kinds),
        )
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "required": required, "done": done},
    )
