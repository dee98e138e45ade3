"""`examples` for the main contract calls: sign-in, the assignment list, assign,
progress and sync."""

from __future__ import annotations

from typing import Any

from thads.api.openapi.common import JSON, SYNC_PATH

_ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"
_REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl"

_ASSIGNMENT = {
    "id": 42,
    "directive": 7,
    "directive_label": "3",
    "directive_title": "Rà soát, phân loại án tồn đọng có điều kiện thi hành",
    "document": 1,
    "unit": 12,
    "unit_code": "CC-HIEPHOA",
    "unit_name": "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
    "role": "lead",
    "status": "in_progress",
    "progress": 60,
    "due_date": "2026-06-30",
    "original_due_date": "2026-06-30",
    "timeliness": "open_on_time",
    "version": 4,
    "extension_count": 0,
    "return_count": 0,
    "assigned_at": "2026-04-22T09:00:00+07:00",
    "acknowledged_by": 5,
    "acknowledged_at": "2026-04-23T08:15:00+07:00",
    "reported_at": None,
    "completed_at": None,
    "cancelled_at": None,
    "latest_report": {
        "id": 88,
        "kind": "progress",
        "percent": 60,
        "note": "Đã rà soát 120/200 hồ sơ.",
        "created_at": "2026-05-15T16:30:00+07:00",
    },
    "allowed_actions": ["progress", "request_extension", "complete"],
    "updated_at": "2026-05-15T16:30:00+07:00",
}

_REPORT = {
    "id": 89,
    "assignment": 42,
    "kind": "progress",
    "author": "hiephoa.officer",
    "percent": 75,
    "note": "Đã rà soát 150/200 hồ sơ.",
    "figures": {"reviewed_cases": 150, "total_cases": 200},
    "client_uuid": "0b7e8c1e-3f1a-4d55-9a61-0f3c2a1b9d10",
    "attachments": [],
    "created_at": "2026-05-20T10:05:00+07:00",
}


def _error_example(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"value": {"code": code, "message": message, **extra}}


def _set_examples(content: dict[str, Any] | None, examples: dict[str, Any]) -> None:
    if content is not None and JSON in content:
        content[JSON]["examples"] = examples


def add_examples(result: dict[str, Any]) -> None:
    paths = result.get("paths", {})

    def operation(path: str, method: str) -> dict[str, Any] | None:
        return paths.get(path, {}).get(method)

    def response_content(op: dict[str, Any], status: str) -> dict[str, Any] | None:
        return op["responses"].get(status, {}).get("content")

    validation = _error_example(
        "validation_error",
        "Dữ liệu không hợp lệ.",
        fields={"due_date": ["Ngày không hợp lệ."]},
    )

    if op := operation("/api/v1/auth/token/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "officer": {
                    "summary": "A unit officer signs in from a phone (demo login)",
                    "value": {
                        "username": "hiephoa.officer",
                        "password": "thads-demo",
                        "device_id": "a1f3c9e2-7d41-4c7e-9b0a-3d5e6f708192",
                        "device_name": "Android — Samsung A54",
                    },
                }
            },
        )
        _set_examples(
            response_content(op, "200"),
            {"pair": {"value": {"access": _ACCESS, "refresh": _REFRESH, "session": 17}}},
        )
        _set_examples(
            response_content(op, "401"),
            {
                "wrong_password": _error_example(
                    "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng."
                )
            },
        )
        _set_examples(
            response_content(op, "429"),
            {
                "throttled": _error_example(
                    "throttled", "Quá nhiều yêu cầu. Vui lòng thử lại sau.", retry_after=42
                )
            },
        )

    if op := operation("/api/v1/assignments/", "get"):
        _set_examples(
            response_content(op, "200"),
            {
                "page": {
                    "summary": "?unit=12&status=in_progress",
                    "value": {
                        "next": "https://thads.example.org/api/v1/assignments/?cursor=cD00Mg%3D%3D",
                        "previous": None,
                        "results": [_ASSIGNMENT],
                    },
                }
            },
        )

    if op := operation("/api/v1/directives/{id}/assign/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "two_units": {
                    "summary": "Hiệp Hòa leads, Yên Thế coordinates",
                    "value": {"units": [12, 20], "lead_unit": 12, "due_date": "2026-06-30"},
                }
            },
        )
        created = [
            {**_ASSIGNMENT, "status": "assigned", "progress": 0, "version": 1},
        ]
        _set_examples(response_content(op, "201"), {"created": {"value": created}})
        _set_examples(
            response_content(op, "409"),
            {
                "already_assigned": _error_example(
                    "unit_already_assigned", "Đơn vị đã được giao nhiệm vụ này."
                )
            },
        )
        _set_examples(response_content(op, "400"), {"invalid": validation})

    if op := operation("/api/v1/assignments/{id}/progress/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "progress": {
                    "summary": "75 % done (send If-Match: the assignment's ETag)",
                    "value": {
                        "percent": 75,
                        "note": "Đã rà soát 150/200 hồ sơ.",
                        "client_uuid": "0b7e8c1e-3f1a-4d55-9a61-0f3c2a1b9d10",
                    },
                }
            },
        )
        _set_examples(response_content(op, "201"), {"report": {"value": _REPORT}})
        _set_examples(
            response_content(op, "409"),
            {
                "not_now": _error_example(
                    "transition_not_allowed",
                    "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Hoàn thành”. "
                    "Thao tác được phép: không có.",
                    status="done",
                    allowed_actions=[],
                )
            },
        )
        _set_examples(
            response_content(op, "412"),
            {
                "stale": _error_example(
                    "version_mismatch",
                    "Nhiệm vụ đã được thay đổi bởi người khác; hãy tải lại rồi thử lại.",
                    current=_ASSIGNMENT,
                )
            },
        )
        _set_examples(
            response_content(op, "428"),
            {
                "no_if_match": _error_example(
                    "precondition_required",
                    "Cần gửi tiêu đề If-Match với ETag hiện tại của nhiệm vụ.",
                )
            },
        )

    if op := operation(SYNC_PATH, "get"):
        _set_examples(
            response_content(op, "200"),
            {
                "delta": {
                    "summary": "?since=<the last next_token>",
                    "value": {
                        "changes": [{"type": "assignment", "id": 42, "data": _ASSIGNMENT}],
                        "deleted": [{"type": "notification", "id": 301}],
                        "next_token": ".eJyrVipKLS7NKVGyUjI0MDAwMzI2NjE1MFCqBQBBqgW_"
                        ":1uXk2p:Zb0c7kq3Wm8yXoJ1u2yPqQ2mUuS1i3Ydk3uE3m9sQ0s",
                        "has_more": False,
                    },
                }
            },
        )
        _set_examples(
            response_content(op, "410"),
            {
                "expired": _error_example(
                    "sync_token_expired",
                    "Mã đồng bộ đã hết hạn; hãy đồng bộ lại từ đầu (bỏ tham số since).",
                )
            },
        )
