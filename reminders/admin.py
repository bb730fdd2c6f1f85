from django.contrib import admin
from django.http import HttpRequest

from .models import EmailPreference, Notification, Reminder


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ("recipient", "read_at", "email_wanted", "emailed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "title", "escalated", "resolved_at")
    list_filter = ("kind", "escalated", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "object_key")
    readonly_fields = (
        "kind",
        "object_key",
        "occurrence",
        "title",
        "body",
        "url",
        "escalated",
        "created_at",
        "resolved_at",
    )
    inlines = [NotificationInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reminders come from the rules, never by hand


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "email")
    list_filter = ("kind", "email")
    list_select_related = ("user",)
