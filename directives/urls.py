from rest_framework.routers import SimpleRouter

from directives import views

router = SimpleRouter(trailing_slash=True)
router.register("documents", views.DocumentViewSet, basename="document")
router.register("directives", views.DirectiveViewSet, basename="directive")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("extensions", views.ExtensionViewSet, basename="extension")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("reminder-policies", views.ReminderPolicyViewSet, basename="reminder-policy")

urlpatterns = router.urls
