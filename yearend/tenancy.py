"""The tenant key and the reset policy that every organization-owned table carries.

Every table that holds an organization's data inherits ``TenantModel``: it gets the
``organization`` column and two managers.

- ``Model.tenant.of(organization)`` is the normal way in: a queryset already filtered by
  the tenant key. ``Model.tenant.all()`` raises, so forgetting the organization is an
  error at the first test run instead of a leak in production.
- ``Model.unscoped`` is for the few places that legitimately cross tenants (the
  operations admin, the scheduler, migrations); its name makes them easy to find in review.

Each such model also says what a school-year reset does to its rows with
``reset_policy``. A system check refuses to start when a model forgets, so the reset
engine's "nothing left behind" proof covers new tables without anyone remembering them.
"""

from __future__ import annotations

from typing import ClassVar

from django.apps import apps
from django.core import checks
from django.db import models


class ResetPolicy(models.TextChoices):
    DELETE = "delete", "Deleted by the reset"
    RETAIN = "retain", "Kept across resets"


class UnscopedTenantQuery(Exception):
    """Raised when tenant data is queried without naming the organization."""


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager):
    """Hands out querysets only for a named organization."""

    def get_queryset(self) -> TenantQuerySet:
        raise UnscopedTenantQuery(
            f"{self.model.__name__}.tenant needs an organization: "
            f"use {self.model.__name__}.tenant.of(organization)"
        )

    def of(self, organization: models.Model | int) -> TenantQuerySet:
        # An Organization or its id. The bottom layer names no app: organizations.models
        # builds on TenantModel, and the foreign key below names its target by string.
        organization_id = getattr(organization, "pk", organization)
        if organization_id is None:
            raise UnscopedTenantQuery(f"{self.model.__name__}.tenant.of() got no organization")
        return TenantQuerySet(self.model, using=self._db).filter(organization_id=organization_id)


class TenantModel(models.Model):
    # The composite index each model declares (organization first) serves every
    # "WHERE organization_id = …"; a separate single-column index would be dead weight.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    unscoped = models.Manager()
    tenant = TenantManager()

    reset_policy: ClassVar[ResetPolicy]

    class Meta:
        # ``unscoped`` is declared first, so Django's own machinery (admin, related
        # lookups, serializers) uses it as the default manager.
        abstract = True


def tenant_models() -> list[type[models.Model]]:
    """Every installed concrete model that carries the organization id."""
    return [
        model
        for model in apps.get_models()
        if any(field.name == "organization" for field in model._meta.concrete_fields)
    ]


def models_deleted_by_reset() -> list[type[models.Model]]:
    return [m for m in tenant_models() if getattr(m, "reset_policy", None) == ResetPolicy.DELETE]


@checks.register(checks.Tags.models)
def check_tenant_models(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in tenant_models():
        label = model._meta.label
        if getattr(model, "reset_policy", None) not in (ResetPolicy.DELETE, ResetPolicy.RETAIN):
            errors.append(
                checks.Error(
                    f"{label} carries an organization but does not declare reset_policy.",
                    hint="Set reset_policy = ResetPolicy.DELETE or ResetPolicy.RETAIN.",
                    obj=model,
                    id="yearend.E001",
                )
            )
        if not issubclass(model, TenantModel):
            continue
        leading = [
            idx for idx in model._meta.indexes if idx.fields and idx.fields[0] == "organization"
        ] + [
            c
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint)
            and c.fields
            and c.fields[0] == "organization"
            and c.condition is None
        ]
        if not leading:
            errors.append(
                checks.Error(
                    f"{label} has no index that starts with organization.",
                    hint="Add models.Index(fields=['organization', ...]) to Meta.indexes.",
                    obj=model,
                    id="yearend.E002",
                )
            )
    return errors
