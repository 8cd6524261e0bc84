from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from datetime import date

import holidays
from django.db import IntegrityError, transaction

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, InvalidInput
from yearend.organizations.models import Licence, Organization, Product, School


@functools.cache
def _known_time_zones() -> frozenset[str]:
    # Listing them walks the whole tz database (~50 ms); it does not change while we run.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> str:
    if name not in _known_time_zones():
        raise InvalidInput(
            f"Unknown time zone {name!r}: use an IANA name such as America/Chicago.",
            field="time_zone",
        )
    return name


def validate_holiday_calendar(country: str, subdivision: str = "") -> tuple[str, str]:
    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip().upper()
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise InvalidInput(
            f"Unknown country {country!r}: use a two-letter ISO 3166 code with a holiday "
            "calendar, such as US, CA or GB.",
            field="country",
        )
    if subdivision and subdivision not in supported[country]:
        raise InvalidInput(
            f"Unknown subdivision {subdivision!r} for {country}: "
            f"known ones are {', '.join(sorted(supported[country])[:12])}...",
            field="subdivision",
        )
    return country, subdivision


@transaction.atomic
def organization_create(
    *,
    site_code: str,
    name: str,
    time_zone: str,
    country: str,
    subdivision: str = "",
    kind: str = Organization.Kind.DISTRICT,
    school_names: Iterable[str] = (),
    product_codes: Iterable[str] | None = None,
    last_day_of_school: date | None = None,
    last_day_of_summer_school: date | None = None,
    acting_user=None,
    via: str = Via.COMMAND,
) -> Organization:
    """Onboard a customer: the organization, its schools and its product licences."""
    site_code = (site_code or "").strip()
    name = (name or "").strip()
    if not site_code:
        raise InvalidInput("A site code is required.", field="site_code")
    if not name:
        raise InvalidInput("A name is required.", field="name")
    if kind not in Organization.Kind.values:
        raise InvalidInput(
            f"Unknown kind {kind!r}: use district or independent_school.", field="kind"
        )
    validate_time_zone(time_zone)
    country, subdivision = validate_holiday_calendar(country, subdivision)
    if Organization.objects.filter(site_code=site_code).exists():
        raise Conflict(f"Site code {site_code!r} is already taken.", field="site_code")
    school_names = [s.strip() for s in school_names]
    if any(not s for s in school_names):
        raise InvalidInput("School names may not be empty.", field="school")
    if len(set(school_names)) != len(school_names):
        raise InvalidInput("School names repeat.", field="school")
    codes = list(product_codes) if product_codes is not None else list(Product.Code.values)
    products = list(Product.objects.filter(code__in=codes))
    if len(products) != len(set(codes)):
        unknown = sorted(set(codes) - {p.code for p in products})
        raise InvalidInput(f"Unknown product {', '.join(unknown)}.", field="product")

    try:
        organization = Organization.objects.create(
            site_code=site_code,
            name=name,
            kind=kind,
            time_zone=time_zone,
            country=country,
            subdivision=subdivision,
            last_day_of_school=last_day_of_school,
            last_day_of_summer_school=last_day_of_summer_school,
        )
    except IntegrityError:
        raise Conflict(f"Site code {site_code!r} is already taken.", field="site_code") from None
    School.unscoped.bulk_create(
        [School(organization=organization, name=school_name) for school_name in school_names]
    )
    Licence.unscoped.bulk_create(
        [Licence(organization=organization, product=product) for product in products]
    )
    audit_record(
        action=AuditAction.ORGANIZATION_CREATE,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"site_code": site_code, "schools": len(school_names)},
    )
    return organization


@transaction.atomic
def school_create(
    *,
    organization: Organization,
    name: str,
    sis_sourced_id: str = "",
    acting_user=None,
    via: str = Via.COMMAND,
) -> School:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A school name is required.", field="name")
    if School.tenant.of(organization).filter(name=name).exists():
        raise Conflict(
            f"{organization.site_code} already has a school named {name!r}.", field="name"
        )
    school = School.unscoped.create(
        organization=organization, name=name, sis_sourced_id=sis_sourced_id
    )
    audit_record(
        action=AuditAction.SCHOOL_CREATE,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"school_id": school.pk},
    )
    return school
