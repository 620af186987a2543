"""core.explain's Markdown tables, read back the way the page tests read them."""

from types import SimpleNamespace

from core.explain import markdown_table
from tests.app_helpers import markdown_tables


def test_markdown_table_round_trips_through_the_page_parser():
    rows = [{"a|b": 1, "ok": True, "x": 0.123456}, {"a|b": "p|q", "ok": False, "x": 2.0}]
    page = SimpleNamespace(markdown=[SimpleNamespace(value="text\n\n" + markdown_table(rows, "{:.3f}"))])
    assert markdown_tables(page) == [[{"a|b": "1", "ok": "✓", "x": "0.123"}, {"a|b": "p|q", "ok": "✗", "x": "2.000"}]]
    assert markdown_table([]) == ""
