"""The console's form for a register entry and the Manager's objection form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from livesession.processors.models import DataCategory, Mechanism, ServiceKind


class SubProcessorForm(forms.Form):
    legal_entity = forms.CharField(label=_("Legal entity"), max_length=200,
                                   help_text=_("As named in the contract, e.g. \"OVH SAS\"."))
    service_kind = forms.ChoiceField(
        label=_("Kind of service"), choices=ServiceKind.choices,
        help_text=_("Only hosting may process personal data (policy P6.11)."))
    service = forms.CharField(label=_("Service"), max_length=200,
                              help_text=_("A few words: what it hosts, and where."))
    country = forms.ChoiceField(label=_("Country where data is processed"),
                                choices=[("", "—"), *countries])
    data_categories = forms.MultipleChoiceField(
        label=_("Data it holds"), choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple)
    mechanism = forms.ChoiceField(label=_("Transfer mechanism"), choices=Mechanism.choices)
    adequacy_decision = forms.CharField(
        label=_("Adequacy decision"), max_length=200, required=False,
        help_text=_("Filled in from the country when empty."))
    dpf_checked_on = forms.DateField(
        label=_("DPF certification checked on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day you found this legal entity on the Data Privacy Framework "
                    "list (dataprivacyframework.gov)."))
    scc_module = forms.CharField(label=_("SCC module"), max_length=120, required=False,
                                 help_text=_("E.g. \"Module 3, processor to processor\"."))
    tia_reference = forms.CharField(label=_("Transfer impact assessment reference"),
                                    max_length=200, required=False)
    active_from = forms.DateField(label=_("Active from"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    active_until = forms.DateField(label=_("Active until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Empty while the provider is in use."))


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you object?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your organization's reasons, for the operator. Write no personal data."))
