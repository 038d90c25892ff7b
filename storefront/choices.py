"""``get_FOO_display()`` without rebuilding the field's choices on every call.

Django's ``Model._get_FIELD_display`` makes a dict of the field's choices on each call, hashing
every label; our labels are lazy translations, so each hash translates the label. On a table of
25 rows that was several thousand Python calls per page (bench/README.md). The mapping of a
field's values to its (lazy) labels never changes, so it is built once per field; the label is
still translated on each call, in the language of the request.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabelsMixin:
    """Put first in the bases of a model with ``choices`` fields shown in templates."""

    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_choice_labels")
        if labels is None:
            labels = field.__dict__["_choice_labels"] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
