"""What a moderator types: a decision about a revision, a note when resolving a report.

Field errors and help texts get the ids Django 5.2 links with `aria-describedby`
(`<id>_error`, `<id>_helptext`); templates/accounts/_field.html renders them.
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """Approve or reject a revision. The buttons carry the decision; rejecting needs a note,
    because the organiser receives it and must know what to change."""

    APPROVE = "approve"
    REJECT = "reject"

    note = forms.CharField(
        label=_("Note to the organiser"),
        help_text=_(
            "Optional when you approve. Required when you reject: say what needs to change. "
            "The organiser receives this note by email."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision not in (self.APPROVE, self.REJECT):
            raise forms.ValidationError(_("Choose “Approve” or “Reject”."))
        if decision == self.REJECT and not cleaned.get("note"):
            self.add_error(
                "note",
                _("Say what needs to change before you reject: the organiser receives this note."),
            )
        return cleaned

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class ResolveReportForm(forms.Form):
    """Close a visitor's report, with an optional word for the audit log."""

    note = forms.CharField(
        label=_("What you did about it"),
        help_text=_("Optional. Kept in the audit log; nobody outside our team sees it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
