"""The liaison program, under /liaisons/ (see liaisons.views for who may see what)."""

from django.urls import path

from liaisons.views import applicant, data, public, review, staff, training

app_name = "liaisons"

urlpatterns = [
    # Everyone.
    path("", public.program, name="program"),
    path("directory/", public.directory, name="directory"),
    # The applicant (404 for anyone else).
    path("apply/", applicant.apply, name="apply"),
    path("applications/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applicant.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/withdraw/",
        applicant.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/directory/",
        applicant.application_directory,
        name="application_directory",
    ),
    path(
        "applications/<int:pk>/training/<int:session_pk>/register/",
        applicant.training_register,
        name="training_register",
    ),
    path(
        "applications/<int:pk>/registrations/<int:registration_pk>/cancel/",
        applicant.training_cancel,
        name="training_cancel",
    ),
    path(
        "applications/<int:pk>/registrations/<int:registration_pk>/calendar.ics",
        applicant.training_calendar,
        name="training_calendar",
    ),
    # Coordinators: the review.
    path("review/", review.review_queue, name="review_queue"),
    path("review/email/", review.review_bulk_email, name="review_bulk_email"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
    path("review/<int:pk>/assign/", review.review_assign, name="review_assign"),
    path("review/<int:pk>/notes/", review.review_note, name="review_note"),
    path("review/<int:pk>/decide/", review.review_decide, name="review_decide"),
    # Coordinators: training.
    path("training/", training.session_list, name="session_list"),
    path("training/new/", training.session_form, name="session_create"),
    path("training/<int:pk>/", training.session_detail, name="session_detail"),
    path("training/<int:pk>/edit/", training.session_form, name="session_edit"),
    path("training/<int:pk>/invite/", training.session_invite, name="session_invite"),
    path("training/<int:pk>/cancel/", training.session_cancel, name="session_cancel"),
    path(
        "training/<int:pk>/registrations/<int:registration_pk>/attendance/",
        training.session_attendance,
        name="session_attendance",
    ),
    path(
        "training/<int:pk>/registrations/<int:registration_pk>/remove/",
        training.session_remove,
        name="session_remove",
    ),
    # Coordinators: coverage and e-mail templates.
    path("coverage/", staff.coverage, name="coverage"),
    path("email-templates/", staff.email_templates, name="email_templates"),
    path(
        "email-templates/<str:kind>/<str:language>/",
        staff.email_template_edit,
        name="email_template_edit",
    ),
    # Every signed-in user: their data (account-wide).
    path("your-data/export/", data.export_data, name="export_data"),
    path("your-data/delete/", data.delete_account_view, name="delete_account"),
]
