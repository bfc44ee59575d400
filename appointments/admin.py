from django.contrib import admin

from appointments.models import Appointment, SlotOffer


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "lead", "officer", "status", "booked_by", "sequence")
    list_filter = ("status", "officer")
    date_hierarchy = "starts_at"
    raw_id_fields = ("lead",)
    readonly_fields = ("sequence", "reminded_day_at", "reminded_hour_at", "cancelled_at", "created_at")


@admin.register(SlotOffer)
class SlotOfferAdmin(admin.ModelAdmin):
    list_display = ("created_at", "lead", "status", "expires_at")
    list_filter = ("status",)
    raw_id_fields = ("lead", "appointment")
