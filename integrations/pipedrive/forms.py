"""The Pipedrive settings form. Choices come from the company's own org fields."""

from __future__ import annotations

import re

from django import forms

from integrations.models import SyncConfig
from integrations.pipedrive.configuration import ConfigInput

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9\u00a1-\uffff-]{1,63}\.)+[a-z0-9\u00a1-\uffff-]{2,63}$")


def _domains(value: str) -> list[str]:
    items = [d.strip().lower().lstrip("@").rstrip(".") for d in re.split(r"[\s,;]+", value or "") if d.strip()]
    bad = [d for d in items if not DOMAIN_RE.match(d)]
    if bad:
        raise forms.ValidationError(f"Not a domain: {', '.join(bad[:5])}. Use names like example.com, one per line.")
    return sorted(set(items))


class SyncConfigForm(forms.Form):
    status_field_key = forms.ChoiceField(label="Active customer field")
    active_option_ids = forms.TypedMultipleChoiceField(label="Active values", coerce=int, required=False)
    churn_option_ids = forms.TypedMultipleChoiceField(label="Churn values", coerce=int, required=False)
    removal_grace_days = forms.IntegerField(label="Removal grace period (days)", min_value=1, max_value=30, initial=3)
    sync_interval_hours = forms.TypedChoiceField(
        label="Sync interval", coerce=int, choices=SyncConfig.INTERVAL_CHOICES, initial=2
    )
    mass_removal_threshold_pct = forms.IntegerField(
        label="Hold removals above (% of accounts)", min_value=1, max_value=100, initial=30
    )
    include_children = forms.BooleanField(label="Include child organizations", required=False)
    allow_domains = forms.CharField(
        label="Always count these e-mail domains", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    block_domains = forms.CharField(
        label="Never count these e-mail domains", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    min_secondary_contacts = forms.IntegerField(
        label="Contacts needed for a secondary domain", min_value=1, max_value=50, initial=3
    )

    def __init__(self, *args, fields: list[dict], can_edit_children: bool, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.picklists = fields
        self.fields["status_field_key"].choices = [("", "Choose a field…")] + [
            (f["field_code"], f"{f['field_name']} ({'single' if f['field_type'] == 'enum' else 'multiple'} option)")
            for f in fields
        ]
        key = self.data.get("status_field_key") if self.is_bound else self.initial.get("status_field_key")
        chosen = next((f for f in fields if f["field_code"] == key), None)
        options = [(o["id"], o.get("label") or str(o["id"])) for o in (chosen or {}).get("options") or []]
        self.fields["active_option_ids"].choices = options
        self.fields["churn_option_ids"].choices = options
        self.can_edit_children = can_edit_children
        if not can_edit_children:
            self.fields["include_children"].disabled = True

    def clean_allow_domains(self) -> list[str]:
        return _domains(self.cleaned_data.get("allow_domains", ""))

    def clean_block_domains(self) -> list[str]:
        return _domains(self.cleaned_data.get("block_domains", ""))

    def clean(self):
        data = super().clean()
        active, churn = set(data.get("active_option_ids") or []), set(data.get("churn_option_ids") or [])
        if "active_option_ids" in data and not active:
            self.add_error("active_option_ids", "Choose at least one value that means an active customer.")
        if active & churn:
            self.add_error("churn_option_ids", "A value cannot be both an active value and a churn value.")
        return data

    def to_input(self) -> ConfigInput:
        d = self.cleaned_data
        return ConfigInput(
            status_field_key=d["status_field_key"],
            active_option_ids=list(d["active_option_ids"]),
            churn_option_ids=list(d["churn_option_ids"]),
            removal_grace_days=d["removal_grace_days"],
            sync_interval_hours=d["sync_interval_hours"],
            mass_removal_threshold_pct=d["mass_removal_threshold_pct"],
            include_children=d["include_children"] if self.can_edit_children else None,
            allow_domains=d["allow_domains"],
            block_domains=d["block_domains"],
            min_secondary_contacts=d["min_secondary_contacts"],
        )
