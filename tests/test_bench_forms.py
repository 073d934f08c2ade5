"""The surge benchmark's clients post a form as a browser would (bench/surge.py `Forms`)."""

import pytest

from bench.surge import Forms

PAGE = """
<form method="post" action="/i18n/setlang/"><input type="hidden" name="next" value="/"></form>
<form method="post" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input type="number" name="version" value="3" required>
  <input type="text" name="title" class="form-control">
  <input type="checkbox" name="remove_evidence" value="7">
  <input type="file" name="evidence-1" accept=".pdf">
  <textarea name="narrative" cols="40" rows="2">
B&#x27;o c&lt;o
d&ograve;ng 2</textarea>
  <textarea name="empty">
</textarea>
  <select name="first" class="form-select">
  <option value="article">Bài báo</option>
  <option value="event">Sự kiện</option>
</select>
  <select name="chosen"><option value="">---</option><option value="b" selected>B</option></select>
  <button type="submit" name="action" value="save">Lưu</button>
</form>
<form method="post" action="/board/submissions/5/accept/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t2">
  <input type="hidden" name="version" value="4">
</form>
"""


def test_fields_are_what_a_browser_sends_unchanged():
    assert Forms.of(PAGE) == {
        "csrfmiddlewaretoken": "tok&en",
        "version": "3",
        "title": "",
        "narrative": "B'o c<o\ndòng 2",  # the newline after <textarea> is dropped
        "empty": "",
        "first": "article",  # none selected: the first option
        "chosen": "b",
    }
    assert Forms.of(PAGE, "/board/submissions/5/accept/") == {
        "csrfmiddlewaretoken": "t2",
        "version": "4",
    }


def test_a_page_without_the_form_says_so():
    with pytest.raises(LookupError, match="/board/submissions/6/accept/"):
        Forms.of(PAGE, "/board/submissions/6/accept/")
