from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from livesession.events.models import Event, time_zone_choices


class EventSerializer(serializers.ModelSerializer[Event]):
    time_zone = serializers.ChoiceField(choices=time_zone_choices(), default="Europe/Paris")
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "title", "description", "starts_at", "ends_at", "time_zone", "room_kind",
                  "room_url",
                  "opens_minutes_before", "capacity", "seats_taken", "waitlist_enabled",
                  "approval_required", "double_opt_in", "registration_deadline", "status",
                  "created_at", "published_at", "public_url"]
        read_only_fields = ["id", "status", "created_at", "published_at", "public_url",
                            "seats_taken"]

    def get_public_url(self, event: Event) -> str:
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("portal:event", kwargs={"event_id": event.pk})

    def validate(self, attrs: dict) -> dict:
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError(
                {"ends_at": _("The end must come after the start. Check the dates and times.")}
            )
        return attrs


class RegistrationInSerializer(serializers.Serializer[dict]):
    """For the OpenAPI document: the service checks the submission against the event's
    own form (enabled standard fields, custom questions, consent purposes)."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False)
    mobile_phone = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    postal_code = serializers.CharField(required=False)
    job_function = serializers.CharField(required=False)
    answers = serializers.DictField(required=False,
                                    help_text="Answers to the event's custom questions, by key.")
    consents = serializers.ListField(child=serializers.CharField(), required=False,
                                     help_text="Keys of the optional purposes consented to.")
    language = serializers.ChoiceField(choices=["fr", "en"], default="fr")


class RegistrationAcceptedSerializer(serializers.Serializer[dict]):
    detail = serializers.CharField()


class RegistrationOutSerializer(serializers.Serializer[dict]):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
