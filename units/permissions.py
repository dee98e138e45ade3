from rest_framework.permissions import SAFE_METHODS, BasePermission

from units.selectors import user_scope


class IsLeadership(BasePermission):
    """Director, deputy directors and the Office (secretariat)."""

    def has_permission(self, request, view) -> bool:
        return user_scope(user=request.user).is_leadership


class ReadOrLeadership(BasePermission):
    """Anyone signed in reads; leadership writes."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or user_scope(user=request.user).is_leadership
