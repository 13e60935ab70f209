"""What the evaluation form and the organisers' knowledge-test form accept (docs/evaluation.md)."""

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.registration.models.evaluation import ACTION_PLAN_MAX, COMMENTS_MAX, OPTION_MAX, QUESTION_MAX
from shared.text import MultiLineText, SingleLineText

#: The aspects scored 1-5, in the form's order.
ASPECTS = ("material", "trainer", "venue")
#: Most options a knowledge-test question has, and most questions an event's test has.
MAX_OPTIONS, MAX_QUESTIONS = 5, 10


def _score() -> fields.Integer:
    message = _l("Pilih nilai 1 sampai 5.")
    return fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=1, max=5, error=message),
        error_messages={"required": message, "invalid": message},
    )


class EvaluationFormSchema(Schema):
    """The public evaluation form: three scores, what the person will do with it, and free text. The knowledge
    test's answers (`jawaban_<id>`) are read apart, against the event's questions (knowledge.read_answers)."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token and the test's answers

    material = _score()
    trainer = _score()
    venue = _score()
    action_plan = SingleLineText(max_length=ACTION_PLAN_MAX, load_default="")
    comments = MultiLineText(max_length=COMMENTS_MAX, load_default="")

    @pre_load
    def blanks_are_missing(self, data, **kwargs) -> dict:
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}


class QuestionFormSchema(Schema):
    """A knowledge-test question as organisers write it: the text, 2-5 answers (`option_1`…`option_5`, blanks left
    out) and which of them is right (`correct`, 1-5)."""

    class Meta:
        unknown = EXCLUDE

    text = SingleLineText(
        required=True, min_length=5, max_length=QUESTION_MAX, error_messages={"required": _l("Tulis pertanyaannya.")}
    )
    options = fields.List(SingleLineText(max_length=OPTION_MAX), required=True)
    correct = fields.Integer(
        required=True,
        error_messages={"required": _l("Pilih jawaban yang benar."), "invalid": _l("Pilih jawaban yang benar.")},
    )

    @pre_load
    def gather(self, data, **kwargs) -> dict:
        texts = [str(data.get(f"option_{n}", "")).strip() for n in range(1, MAX_OPTIONS + 1)]
        gathered = {"text": str(data.get("text", "")).strip(), "options": [text for text in texts if text]}
        if str(data.get("correct", "")).isdigit() and len(data["correct"]) <= 2:
            chosen = int(data["correct"]) - 1
            # the right answer is counted among the answers written, blanks left out
            written = [n for n, text in enumerate(texts) if text]
            gathered["correct"] = written.index(chosen) if chosen in written else -1
        if not gathered["text"]:
            gathered.pop("text")
        return gathered

    @validates_schema
    def answers_make_sense(self, data: dict, **kwargs) -> None:
        if not 2 <= len(data.get("options", [])) <= MAX_OPTIONS:
            raise ValidationError(_l("Tulis 2 sampai 5 pilihan jawaban."), "options")
        if not 0 <= data.get("correct", -1) < len(data["options"]):
            raise ValidationError(_l("Pilih jawaban yang benar di antara pilihan yang diisi."), "correct")
