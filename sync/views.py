from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sync.feed import sync_page
from thads.errors import DomainError


class SyncChangeSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    data = serializers.DictField()


class SyncTombstoneSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()


class SyncPageSerializer(serializers.Serializer):
    changes = SyncChangeSerializer(many=True)
    deleted = SyncTombstoneSerializer(many=True)
    next_token = serializers.CharField()
    has_more = serializers.BooleanField()


class SyncInputSerializer(serializers.Serializer):
    since = serializers.CharField(required=False, max_length=4000)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=settings.SYNC_PAGE_SIZE
    )


class SyncView(APIView):
    """Delta sync for offline clients.

    Without `since`: a full sync of everything the caller may see, in pages
    (units, documents, directives, assignments, progress reports, extension
    requests, notifications). With `since`: what changed since that token, and
    tombstones for what was deleted or left the caller's scope. Follow
    `next_token` while `has_more` is true; keep the last `next_token` for the
    next sync. An expired or unknown token answers 410: sync again from scratch.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description="The last next_token."),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: SyncPageSerializer,
            410: OpenApiResponse(
                description="sync_token_expired / sync_token_invalid: resync from scratch."
            ),
        },
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"since", "page_size", "format"})
        if unknown:
            raise DomainError(
                "validation_error",
                _("Dữ liệu không hợp lệ."),
                fields={name: [_("Tham số lọc không được hỗ trợ.")] for name in unknown},
            )
        params = SyncInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = sync_page(
            user=request.user,
            token=params.validated_data.get("since"),
            page_size=params.validated_data.get("page_size"),
        )
        return Response(
            {
                "changes": page.changes,
                "deleted": page.deleted,
                "next_token": page.next_token,
                "has_more": page.has_more,
            }
        )
