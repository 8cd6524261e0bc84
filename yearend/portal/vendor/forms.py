"""Forms of the vendor pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from yearend.portal.vendor.selectors import RESET_STATES, RUN_FILTERS


class OrganizationFilterForm(forms.Form):
    search = forms.CharField(required=False, label="Site code or name", max_length=100)
    date_from = forms.DateField(
        required=False, label="Reset date from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Reset date to", widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(
        required=False, label="Reset state", choices=[("", "Any"), *RESET_STATES.items()]
    )
    country = forms.ChoiceField(required=False, label="Country")
    subdivision = forms.ChoiceField(required=False, label="State or province")
    time_zone = forms.ChoiceField(required=False, label="Time zone")

    def __init__(self, *args, choices: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for name, key in (
            ("country", "countries"),
            ("subdivision", "subdivisions"),
            ("time_zone", "time_zones"),
        ):
            self.fields[name].choices = [("", "Any"), *((c, c) for c in choices[key])]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The range ends before it starts.")
        return data


class DateSetForm(forms.Form):
    new_date = forms.DateField(
        label="New reset date", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="Reason (recorded in the history)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CycleCreateForm(forms.Form):
    year = forms.IntegerField(label="Year", min_value=2000, max_value=2200)
    defaults = forms.CharField(
        label="Default dates (YYYY-MM-DD, separated by commas)", max_length=400
    )
    window_start = forms.DateField(
        label="Window starts (default Jun 1)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    window_end = forms.DateField(
        label="Window ends (default Oct 1)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AssignForm(forms.Form):
    year = forms.IntegerField(label="Cycle")
    capacity = forms.IntegerField(
        label="Most organizations per default date (optional)", required=False, min_value=1
    )


class RunFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        label="State",
        choices=[("", "Any"), *((k, k.capitalize()) for k in RUN_FILTERS)],
    )
    search = forms.CharField(required=False, label="Site code or name", max_length=100)


class OffScheduleRequestForm(forms.Form):
    site_code = forms.CharField(label="Organization site code", max_length=32)
    reason = forms.CharField(
        label="Reason (the approver reads it)", widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)
