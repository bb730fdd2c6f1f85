from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.redirects import redirect_back
from core.types import AuthedRequest

from . import selectors, services
from .forms import PreferencesForm
from .models import Notification

PAGE_SIZE = 30


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("strona"))
    return render(request, "reminders/list.html", {"page": page})


@login_required
@require_POST
def mark_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect("reminders:list")


@login_required
@require_POST
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    """Tapping a notification marks it read and opens the thing it is about."""
    notification = get_object_or_404(Notification.objects.select_related("reminder"), pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect_back(request, notification.reminder.url, reverse("reminders:list"))


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = services.notification_mark_read(user=request.user)
    messages.success(request, _("Marked as read: %(count)s.") % {"count": count})
    return redirect("reminders:list")


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    kinds = selectors.kinds_for(user=request.user)
    form = PreferencesForm(
        request.POST or None, kinds=kinds, initial={"email_kinds": selectors.email_kinds_for(user=request.user)}
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user, email_kinds=form.cleaned_data["email_kinds"], offered=[k for k, _label in kinds]
        )
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {"form": form, "has_email": bool(request.user.email)})
