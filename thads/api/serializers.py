from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError


class SparseFieldsMixin:
    """`?fields=id,status,due_date` trims each object to those fields, so a
    phone on a slow network downloads only what it shows. Unknown names are a
    400, never silently dropped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None else None
        if not wanted:
            return
        names = {name.strip() for name in wanted.split(",") if name.strip()}
        unknown = sorted(names - set(self.fields))
        if unknown:
            raise ValidationError({"fields": [_("Trường không tồn tại: %s") % ", ".join(unknown)]})
        for name in set(self.fields) - names:
            self.fields.pop(name)
