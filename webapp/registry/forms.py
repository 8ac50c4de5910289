from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, SelectField

from ..forms import KyodoForm, MultiCheckboxField, as_choices
from ..inputs import form_id
from ..models import OrgCategory
from ..services.registry.columns import IGNORE, TARGETS


class UploadForm(KyodoForm):
    file = FileField("名簿のファイル",
                     description="CSV（UTF-8 または Excel の「CSV（カンマ区切り）」）か Excel（.xlsx）。見出しの行のある表にしてください。",
                     validators=[FileRequired("ファイルを選んでください。")],
                     render_kw={"accept": ".csv,.tsv,.txt,.xlsx,text/csv,"
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


class MappingForm(KyodoForm):
    default_category = SelectField(
        "区分が分からない行の区分",
        description="区分の列がなく、団体名からも分からない行に使います（例: 自治会の名簿なら「自治会」）。",
        choices=as_choices([("", "指定しない（その行はエラーにする）"), *OrgCategory.choices()]),
    )
    citywide_if_empty = BooleanField("町名が空の行は「市内全域」で活動する団体として取り込む")


def mapping_form(headers, **kwargs) -> MappingForm:
    """A mapping form with one select per column of the uploaded file."""

    class Form(MappingForm):
        columns = FieldList(SelectField(validate_choice=True), min_entries=len(headers), max_entries=len(headers))

    form = Form(**kwargs)
    choices = as_choices([(IGNORE, "取り込まない"), *((t.key, t.label) for t in TARGETS)])
    for entry in form.columns:
        entry.choices = choices
    return form


class ConfirmForm(KyodoForm):
    only_valid = BooleanField("エラーのない行だけ取り込む（エラーの行は取り込みません）")
    use_suggested_themes = BooleanField("テーマが空の行には「おすすめ」のテーマを登録する", default=True)
    include_rows = MultiCheckboxField("重複の可能性があっても取り込む行", coerce=form_id)
