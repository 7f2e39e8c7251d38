"""Flask-WTF forms of the UI (CSRF on every one). The services check meaning; forms check shape."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
import wtforms
from wtforms import BooleanField, DateField, HiddenField, IntegerField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError

from workflow.passwords import MIN_LENGTH
from workflow.text import normalize_newlines, text_problem

from . import labels as UL

REQUIRED = _l("Please fill this in.")
ONE_LINE = _l("Must be one line (no line breaks).")
NO_CONTROLS = _l("Must not contain control characters (only tab and line breaks are allowed).")


def _apply_text_rule(data: Any, multiline: bool) -> None:
    """The text rule of workflow.text, with the form's own messages."""
    if isinstance(data, str):
        problem = text_problem(data, multiline)
        if problem is not None:
            raise ValidationError(ONE_LINE if "one line" in problem[0] else NO_CONTROLS)


class StringField(wtforms.StringField):
    """A one-line text field under the text rule (no control characters, no line breaks)."""

    def pre_validate(self, form: Any) -> None:
        _apply_text_rule(self.data, multiline=False)


class TextAreaField(wtforms.TextAreaField):
    """A multi-line text field under the text rule; CRLF from browsers becomes LF."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = normalize_newlines(self.data)

    def pre_validate(self, form: Any) -> None:
        _apply_text_rule(self.data, multiline=True)
TOO_SHORT = _l("At least %(n)d characters.", n=MIN_LENGTH)


def choices(table: dict[str, Any], blank: Any = None) -> list[tuple[str, Any]]:
    """Build select choices from a label table, optionally led by a blank choice."""
    out = [(k, v) for k, v in table.items()]
    return ([("", blank)] + out) if blank is not None else out


class LoginForm(FlaskForm):
    """Sign in."""

    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_LENGTH, max=200, message=TOO_SHORT)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(REQUIRED), EqualTo("new", message=_l("The two new passwords differ."))])


class LanguageForm(FlaskForm):
    """Switch the language."""

    lang = HiddenField()
    next = HiddenField()


class FactForm(FlaskForm):
    """Record one fact (the value comes from the pressed button, the date input or the select)."""

    value = StringField(_l("Value"), validators=[Optional(), Length(max=40)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class SeatsForm(FlaskForm):
    """Seats per post."""

    member = IntegerField(_l("Members"), validators=[Optional(), NumberRange(0, 99)])
    director = IntegerField(_l("Director"), validators=[Optional(), NumberRange(0, 99)])
    deputy_director = IntegerField(_l("Deputy directors"), validators=[Optional(), NumberRange(0, 99)])


class SecretField(StringField):
    """A text field whose value is never written back into the page (an id number leaves the server masked only)."""

    def _value(self) -> str:
        return ""


class CandidateForm(FlaskForm):
    """Add or change a candidate."""

    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    post = SelectField(_l("Post"), choices=[])
    gender = SelectField(_l("Gender"), choices=[], validators=[Optional()])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional(), NumberRange(1900, 2100)])
    education = StringField(_l("Education"), validators=[Optional(), Length(max=40)])
    background = SelectField(_l("Background"), choices=[], validators=[Optional()])
    dispatched_from = StringField(_l("Sent from (agency)"), validators=[Optional(), Length(max=200)])
    party_member = BooleanField(_l("Party member"))
    full_member = BooleanField(_l("Full Party member (not probationary)"))
    qualified = BooleanField(_l("Meets the qualification conditions"))
    on_election_committee = BooleanField(_l("Sits on the residents' election committee"))
    presented = BooleanField(_l("Met the residents and presented a plan"))
    graduate_recruit = BooleanField(_l("University graduate recruited to community work"))
    id_number = SecretField(_l("ID card number"), validators=[Optional(), Length(max=40)],
                            render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "latin"})
    incumbent = BooleanField(_l("Member of the outgoing committee"))

    def setup(self, posts: tuple[str, ...], post_labels: dict[str, str]) -> "CandidateForm":
        """Fill the choices that depend on the election and the language."""
        from flask_babel import gettext as _
        self.post.choices = [(p, post_labels[p]) for p in posts]
        self.gender.choices = [("", _("Not stated"))] + [(k, str(v)) for k, v in UL.GENDERS.items()]
        self.background.choices = [("", _("Not stated"))] + [(k, str(v)) for k, v in UL.BACKGROUNDS.items()]
        return self

    def payload(self, creating: bool) -> dict[str, Any]:
        """Return the service's fields (empty optional fields are left out)."""
        out: dict[str, Any] = {"name": (self.name.data or "").strip(), "post": self.post.data}
        if self.gender.data:
            out["gender"] = self.gender.data
        elif not creating:
            out["gender"] = None
        if self.birth_year.data is not None:
            out["birth_year"] = self.birth_year.data
        out["education"] = (self.education.data or "").strip() or None
        if self.background.data:
            out["background"] = self.background.data
        out["dispatched_from"] = (self.dispatched_from.data or "").strip() or None
        for name in ("party_member", "full_member", "qualified", "on_election_committee", "presented",
                     "graduate_recruit", "incumbent"):
            out[name] = bool(getattr(self, name).data)
        if (self.id_number.data or "").strip():  # entered once; left empty, the registered number stays
            out["id_number"] = self.id_number.data.strip()
        if creating and out["education"] is None:
            out.pop("education")
        return out


class RoundForm(FlaskForm):
    """The counts of a voting round (votes per candidate are parsed from vote-<id> fields)."""

    kind = HiddenField()
    expected = IntegerField(_l("Expected voters"), validators=[InputRequired(REQUIRED), NumberRange(0, 10**7)])
    present = IntegerField(_l("Present / taking part"), validators=[InputRequired(REQUIRED), NumberRange(0, 10**7)])
    # optional here: entered per polling place instead, the engine sums them (the service names what is missing)
    ballots_issued = IntegerField(_l("Ballots issued"), validators=[Optional(), NumberRange(0, 10**7)])
    ballots_returned = IntegerField(_l("Ballots returned"), validators=[Optional(), NumberRange(0, 10**7)])
    ballots_invalid = IntegerField(_l("Invalid ballots"), validators=[Optional(), NumberRange(0, 10**7)])


class CertificateForm(FlaskForm):
    """Issue a certificate."""

    candidate = HiddenField()
    serial = StringField(_l("Certificate serial"), validators=[DataRequired(REQUIRED), Length(max=64)])


class ComplaintForm(FlaskForm):
    """File a complaint."""

    category = SelectField(_l("Category"), choices=[])
    candidate = SelectField(_l("Concerning candidate"), choices=[], validators=[Optional()])
    received_on = DateField(_l("Received on"), validators=[InputRequired(REQUIRED)])
    summary = TextAreaField(_l("What is reported"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class ResolveForm(FlaskForm):
    """Resolve a complaint."""

    outcome = SelectField(_l("Outcome"), choices=[])
    referral = SelectField(_l("Referred to"), choices=[], validators=[Optional()])
    note = TextAreaField(_l("Reason / note"), validators=[Optional(), Length(max=4000)])
    confirmed = HiddenField()


class TransitionForm(FlaskForm):
    """Take a step (the trigger is the pressed button)."""

    version = HiddenField()
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class SuspendForm(FlaskForm):
    """Confirm a suspension."""

    version = HiddenField()
    note = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    review_on = DateField(_l("Review by"), validators=[Optional()])


class RosterForm(FlaskForm):
    """Put a first secretary or a part-time member on the roster beside a Party election."""

    kind = SelectField(_l("Role"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[DataRequired(REQUIRED), Length(max=200)])
    post = StringField(_l("Post in that unit"), validators=[Optional(), Length(max=100)])
    gender = SelectField(_l("Gender"), choices=[], validators=[Optional()])
    start_on = DateField(_l("From"), validators=[Optional()])
    end_on = DateField(_l("Until"), validators=[Optional()])

    def setup(self) -> "RosterForm":
        """Fill the choices in the page's language."""
        from flask_babel import gettext as _
        self.kind.choices = [("first_secretary", _("First secretary")), ("part_time_member", _("Part-time member"))]
        self.gender.choices = [("", _("Not stated"))] + [(k, str(v)) for k, v in UL.GENDERS.items()]
        return self

    def payload(self) -> dict[str, Any]:
        """Return the service's fields."""
        return {"kind": self.kind.data, "name": (self.name.data or "").strip(), "unit": (self.unit.data or "").strip(),
                "post": (self.post.data or "").strip() or None, "gender": self.gender.data or None,
                "start_on": self.start_on.data.isoformat() if self.start_on.data else None,
                "end_on": self.end_on.data.isoformat() if self.end_on.data else None}


class ConfirmForm(FlaskForm):
    """A bare form: only the CSRF token (withdrawing a candidate, launching a campaign)."""


class AcceptForm(FlaskForm):
    """Confirm a bulk acceptance."""

    campaign = HiddenField()
    region = HiddenField()


# ---------------------------------------------------------------- administration
class UserForm(FlaskForm):
    """Create a user."""

    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=64)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_LENGTH, max=200, message=TOO_SHORT)])
    role = SelectField(_l("Role"), choices=[])
    scope = StringField(_l("Area (region code)"), validators=[Optional(), Length(max=24)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    department = SelectField(_l("Department (joint reviewers only)"), choices=[], validate_choice=False)


class RegionForm(FlaskForm):
    """Create a region."""

    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    level = SelectField(_l("Level"), choices=[])
    parent = StringField(_l("Parent region code"), validators=[Optional(), Length(max=24)])


class CommunityForm(FlaskForm):
    """Create or edit a community."""

    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    street = StringField(_l("Street code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    households = IntegerField(_l("Households"), validators=[Optional(), NumberRange(0, 10**7)])
    voters = IntegerField(_l("Registered voters"), validators=[Optional(), NumberRange(0, 10**7)])
    party_org_type = SelectField(_l("Party organization"), choices=[])
    party_members = IntegerField(_l("Full Party members"), validators=[Optional(), NumberRange(0, 10**7)])
    urban_rural_fringe = BooleanField(_l("Urban-rural fringe"))
    village_converted = BooleanField(_l("Village converted to a community"))
    collective_reform_done = BooleanField(_l("Collective economy reform done"))
    migrant_dense = BooleanField(_l("Many migrant residents"))
    new_residential = BooleanField(_l("New residential area"))
    other_risk = StringField(_l("Other reason to treat it as key/difficult"),
                             validators=[Optional(), Length(max=500)])


class CampaignForm(FlaskForm):
    """Create a campaign with a due date per step."""

    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    rule_set = SelectField(_l("Rule set"), choices=[])
    scope = StringField(_l("Region code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    order = SelectField(_l("Default order"), choices=[])
    due_preparation = DateField(_l("Preparation due"), validators=[InputRequired(REQUIRED)])
    due_nomination = DateField(_l("Nomination due"), validators=[InputRequired(REQUIRED)])
    due_candidate_meeting = DateField(_l("Candidate meeting due"), validators=[InputRequired(REQUIRED)])
    due_voting = DateField(_l("Voting due"), validators=[InputRequired(REQUIRED)])
    due_certification = DateField(_l("Certification due"), validators=[InputRequired(REQUIRED)])
    due_handover = DateField(_l("Handover due"), validators=[InputRequired(REQUIRED)])
    due_summary = DateField(_l("Summary due"), validators=[InputRequired(REQUIRED)])
    report_due = DateField(_l("Cities' report due"), validators=[Optional()])


class OrderForm(FlaskForm):
    """Override a community's order in a campaign."""

    campaign = HiddenField()
    community = StringField(_l("Community code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    order = SelectField(_l("Order"), choices=[])


class ResponsibilityForm(FlaskForm):
    """Name a responsible person."""

    target = StringField(_l("Region or community code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=64)])
    kind = SelectField(_l("Kind"), choices=[])
