
# Filled by the directives issue: documents, directives, assignments, extensions.
urlpatterns: list = []
