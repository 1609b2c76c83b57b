"""Forms for keys: the admin's (every field) and a user's own (bounded limits)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from api_keys.models import ApiKey

# What a user may set on their own keys; an administrator may set any value.
USER_BOUNDS = {"rpm_limit": 600, "tpd_limit": 10_000_000, "max_concurrent": 10}
MAX_EXPIRY_DAYS = 365
MAX_ACTIVE_KEYS = 25


# The models a key may be restricted to. api_keys knows no engines: the site registers the
# catalogue's names at start-up (lawbot_site.apps).
MODEL_NAMES: list[str] = []


def model_names_register(names: list[str]) -> None:
    MODEL_NAMES[:] = names


def model_choices(current: list[str] | None = None) -> list[tuple[str, str]]:
    names = MODEL_NAMES + [m for m in current or [] if m not in MODEL_NAMES]
    return [(name, name) for name in names]


class ModelsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("None ticked: every model."))
        super().__init__(**kwargs)


class ApiKeyAdminForm(forms.ModelForm):
    allowed_models = ModelsField()

    class Meta:
        model = ApiKey
        fields = [
            "user",
            "name",
            "allowed_models",
            "rpm_limit",
            "tpd_limit",
            "max_concurrent",
            "expires_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_models"].choices = model_choices(self.instance.allowed_models)


def _limit(name: str, label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(USER_BOUNDS[name])],
        widget=forms.NumberInput(attrs={"min": 1, "max": USER_BOUNDS[name]}),
        help_text=format_lazy(_("1–{most}; empty: no limit"), most=f"{USER_BOUNDS[name]:,}"),
    )


class KeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    allowed_models = ModelsField(label=_("Models"))
    rpm_limit = _limit("rpm_limit", _("Requests per minute"))
    tpd_limit = _limit("tpd_limit", _("Tokens per day"))
    max_concurrent = _limit("max_concurrent", _("Requests at once"))
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPIRY_DAYS)],
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_EXPIRY_DAYS}),
        help_text=format_lazy(_("1–{most}; empty: never"), most=MAX_EXPIRY_DAYS),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["allowed_models"].choices = model_choices()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiKey.objects.filter(user=self.user, name=name).exists():
            raise forms.ValidationError(
                _("You already have a key with this name."), code="duplicate_name"
            )
        return name

    def clean(self):
        active = ApiKey.objects.filter(user=self.user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_KEYS:
            raise forms.ValidationError(
                ngettext_lazy(
                    "You have %(count)d active key, the most allowed; revoke it first.",
                    "You have %(count)d active keys, the most allowed; revoke one first.",
                    "count",
                ),
                code="too_many_keys",
                params={"count": active},
            )
        return super().clean()
