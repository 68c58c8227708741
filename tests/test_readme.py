"""README.md tells what the app does: its First five minutes are the Help page's, word for word."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "assets" / "tour" / "first-five-minutes.md"


def test_readme_holds_the_first_five_minutes_page_of_the_help_menu():
    page = PAGE.read_text(encoding="utf-8")
    # README shows the same pictures from the repository's top.
    as_in_readme = re.sub(r"\]\((tour-[\w-]+\.png)\)", r"](assets/tour/\1)", page)
    assert as_in_readme.strip() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_picture_of_the_page_exists():
    names = re.findall(r"\]\((tour-[\w-]+\.png)\)", PAGE.read_text(encoding="utf-8"))
    assert len(names) == 5
    for name in names:
        assert (PAGE.parent / name).is_file(), name
