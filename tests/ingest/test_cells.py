"""The CSV format's cells, read one way by imports and by the reference loader."""

from datetime import date

import pytest

from apps.ingest.cells import CellError, date_cell, number_cell, split_cell, whole_number_cell


def test_cells_read_as_the_format_says():
    assert split_cell(" isis | sdf ||") == ["isis", "sdf"] and split_cell(None) == []
    assert date_cell("2017-11-03", "date") == date(2017, 11, 3) and date_cell("", "date") is None
    assert whole_number_cell("25,000", "population") == 25_000
    assert whole_number_cell("1_500", "population") == 1_500
    assert number_cell("36.5", "lat") == 36.5 and number_cell("", "lat") is None


@pytest.mark.parametrize(
    "read, value, message",
    [
        (date_cell, "3 Nov 2017", "'3 Nov 2017' is not a date (YYYY-MM-DD)."),
        (whole_number_cell, "2.5", "'2.5' is not a whole number."),
        (number_cell, "north", "'north' is not a number."),
        (number_cell, "nan", "'nan' is not a finite number."),
        (number_cell, "", "This column is required."),
    ],
)
def test_a_bad_cell_names_its_column(read, value, message):
    with pytest.raises(CellError) as raised:
        read(value, "col", required=True)
    assert (raised.value.column, raised.value.message) == ("col", message)
