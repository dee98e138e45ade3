import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.delivery import preference_for
from notifications.serializers import (
    DeviceCreateInputSerializer,
    DeviceSerializer,
    NotificationSerializer,
    NotificationSettingsSerializer,
    UnreadCountSerializer,
    VapidKeySerializer,
    WebhookCreateInputSerializer,
    WebhookSerializer,
)
from thads.api.filters import StrictFilterSet
from thads.api.ids import ID_LOOKUP_REGEX
from thads.api.validation import validated
from thads.errors import found


class NotificationFilter(StrictFilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's in-app inbox, newest first."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        notification = found(self.get_queryset().filter(pk=pk).first())
        return Response(NotificationSerializer(notification).data)

    def destroy(self, request, pk=None):
        notification = found(self.get_queryset().filter(pk=pk).first())
        services.notification_delete(user=request.user, notification=notification)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = found(self.get_queryset().filter(pk=pk).first())
        services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=UnreadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_mark_all_read(user=request.user)
        return Response({"unread": 0})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None)
    def unread_count(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class NotificationSettingsView(APIView):
    """Which channels the caller's reminders go to, and whether as a daily digest."""

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request):
        preference = preference_for(request.user)
        return Response({"channels": preference.channels, "digest": preference.digest})

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def put(self, request):
        data = validated(NotificationSettingsSerializer, request)
        preference = services.notification_settings_set(user=request.user, **data)
        return Response({"channels": preference.channels, "digest": preference.digest})


class DeviceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's Web Push subscriptions."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = DeviceSerializer
    ordering = "id"

    def get_queryset(self):
        return selectors.device_list(user=self.request.user)

    @extend_schema(request=DeviceCreateInputSerializer, responses={201: DeviceSerializer})
    def create(self, request):
        data = validated(DeviceCreateInputSerializer, request)
        device = services.device_register(user=request.user, **data)
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        device = found(self.get_queryset().filter(pk=pk).first())
        services.device_remove(user=request.user, device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=VapidKeySerializer)
    @action(detail=False, methods=["get"], url_path="vapid-key")
    def vapid_key(self, request):
        """The application server key a client subscribes with (empty: push is off)."""
        from notifications.delivery.push import vapid_public_key

        return Response({"public_key": vapid_public_key()})


class WebhookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's webhook endpoints; each receives reminders as signed POSTs."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = WebhookSerializer
    ordering = "id"

    def get_queryset(self):
        return selectors.webhook_list(user=self.request.user)

    @extend_schema(request=WebhookCreateInputSerializer, responses={201: WebhookSerializer})
    def create(self, request):
        data = validated(WebhookCreateInputSerializer, request)
        endpoint = services.webhook_create(user=request.user, **data)
        return Response(WebhookSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        endpoint = found(self.get_queryset().filter(pk=pk).first())
        services.webhook_remove(user=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
