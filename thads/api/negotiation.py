"""Content negotiation for views whose `?format=` names a download."""

from rest_framework.negotiation import DefaultContentNegotiation

from thads.api.renderers import ORJSONRenderer


class DownloadFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names a file (csv, xlsx, docx, png, svg), not a DRF renderer: the
    view answers a download with its own response, and everything else (errors
    included) in JSON. DRF would otherwise 404 on a format it has no renderer for."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = next((r for r in renderers if isinstance(r, ORJSONRenderer)), renderers[0])
        return renderer, renderer.media_type
