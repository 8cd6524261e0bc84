from yearend.errors import NotFound
from yearend.organizations.models import Organization, School


def organization_by_site_code(site_code: str) -> Organization:
    """For trusted callers (commands, the scheduler); web callers go through scoping."""
    try:
        return Organization.objects.get(site_code=site_code)
    except Organization.DoesNotExist:
        raise NotFound(f"Unknown organization {site_code!r}.", field="org") from None


def school_by_name(organization: Organization, name: str) -> School:
    try:
        return School.tenant.of(organization).get(name=name)
    except School.DoesNotExist:
        raise NotFound(
            f"{organization.site_code} has no school named {name!r}.", field="school"
        ) from None
