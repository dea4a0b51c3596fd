from django.urls import path
from django.views.generic import TemplateView

from accounts import views
from accounts.consent import PERSONAL_DATA_EFFECTIVE, PERSONAL_DATA_VERSION

app_name = "accounts"

urlpatterns: list = [
    # The personal-data consent every sign-up links to (152-FZ): the current version's text.
    path(
        "consent/personal-data/",
        TemplateView.as_view(
            template_name="accounts/consent_personal_data.html",
            extra_context={
                "version": PERSONAL_DATA_VERSION,
                "effective": PERSONAL_DATA_EFFECTIVE,
            },
        ),
        name="consent-personal-data",
    ),
    # The member's own pages.
    path("settings/", views.settings_edit, name="settings"),
    path("settings/data/", views.data_export, name="data-export"),
    path("settings/delete/", views.account_delete, name="account-delete"),
    # The community owner's staff pages.
    path("staff/", views.staff_list, name="staff"),
    path("staff/u/<int:pk>/", views.staff_roles, name="staff-roles"),
    path("staff/departments/", views.department_list, name="department-list"),
    path("staff/departments/<int:pk>/", views.department_edit, name="department-edit"),
    path("staff/departments/<int:pk>/delete/", views.department_delete, name="department-delete"),
    path("staff/audit/", views.audit_log, name="audit-log"),
]
