"""An `in` lookup for integer columns that takes a number past the column's range as matching nothing.

Django already does so for exact, gt, gte, lt and lte (IntegerFieldOverflow), but not for `in`: SQLite then
raises OverflowError, so a form's list of ids holding 99999999999999999999 (a many-to-many choice such as a
session's facilitators) answered 500. PostgreSQL compares such a number as numeric and matches nothing, the
answer this gives on both.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerFieldIn)
