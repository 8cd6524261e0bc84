"""The Django admin is the first operations console: every model is there and loads."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from yearend.tenancy import tenant_models

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_every_project_model_is_registered():
    registered = set(admin.site._registry)
    missing = [m._meta.label for m in tenant_models() if m not in registered]
    assert missing == []


def test_every_changelist_loads_for_operations(client, ops, org):
    client.force_login(ops)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, model
        if any(f.name == "organization" for f in model._meta.fields):
            assert client.get(url, {"organization__id__exact": org.pk}).status_code == 200


def test_the_admin_refuses_educators(client, district_admin):
    client.force_login(district_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_system_checks_pass():
    call_command("check")
