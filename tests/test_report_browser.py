"""An officer's whole year in Debian's chromium: fill, attach, save, explain, lose the session,
submit; then another unit's officer finds nothing. Screenshots at phone and desktop width."""

import re

import pytest
from django.utils import timezone

from campaigns.models import Submission, SubmissionStatus
from tests.browser import PASSWORD, assert_no_serious_axe, browser_marks, log_in, screenshot
from tests.factories import PeriodFactory, ReportedValueFactory, SubmissionFactory, UserFactory
from tests.report_setup import PDF_BYTES, year_build

pytestmark = browser_marks


@pytest.fixture
def journey(transactional_db):
    this_year = timezone.localdate().year
    officer = UserFactory(username="officer-browser", first_name="Hùng")
    year = year_build(officer, year=this_year)
    last = SubmissionFactory(
        unit=officer.unit,
        period=PeriodFactory(campaign=year.period.campaign, year=this_year - 1),
        accepted=True,
    )
    ReportedValueFactory(submission=last, indicator=year.labour, numerator=50, denominator=100)
    ReportedValueFactory(submission=last, indicator=year.edu, numerator=79, denominator=100)
    UserFactory(username="officer-elsewhere")
    UserFactory(username="officer-colleague", unit=officer.unit, first_name="Lan")
    return year


@pytest.fixture
def server_url(journey, live_server):
    return live_server.url


def test_an_officer_reports_the_year_and_another_unit_finds_nothing(
    journey, server_url, chromium, tmp_path
):
    from playwright.sync_api import expect

    year = journey
    evidence_file = tmp_path / "quyet-dinh-ke-hoach.pdf"
    evidence_file.write_bytes(PDF_BYTES)

    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    log_in(page, server_url, "officer-browser")
    page.click("a[href^='/report/']:not([href$='registration/'])")
    page.wait_for_url(re.compile(r"/report/\d+/$"))
    report_url = page.url

    page.fill("[name=value-LABOUR-numerator]", "2.000")
    page.fill("[name=value-LABOUR-denominator]", "10.000")
    page.fill("[name=value-EDU-numerator]", "800")
    page.fill("[name=value-EDU-denominator]", "1.000")
    page.fill("[name=fund_mobilised_vnd]", "250.000.000")
    page.fill("[name=comm-0-title]", "Chung tay vì người nghèo ở Đắk Glei")
    page.fill("[name=comm-0-url]", "https://baokontum.com.vn/chung-tay")
    page.fill("[name=narrative]", "Huyện đã triển khai đầy đủ kế hoạch năm.")
    page.fill(f"[name=score-{year.plain.pk}-points]", "7")
    page.fill(f"[name=score-{year.evidenced.pk}-points]", "10,5")
    page.fill(f"[name=score-{year.evidenced.pk}-justification]", "Có quyết định kèm theo")
    page.set_input_files(f"[name=evidence-{year.evidenced.pk}]", str(evidence_file))
    page.click("button.btn-primary[value=save]")
    page.wait_for_load_state()

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("a", has_text="quyet-dinh-ke-hoach.pdf")).to_be_visible()
    warning = page.locator("[data-warning=value-LABOUR]")
    expect(warning).to_be_visible()
    expect(page.locator("button[value=submit]")).to_be_disabled()
    assert page.input_value("[name=fund_mobilised_vnd]") == "250.000.000"
    phone_shot = tmp_path / "report-phone.png"
    assert_no_serious_axe(page)
    screenshot(page, phone_shot)
    # Light pages: the form loads no picture, font or third-party script.
    heavy = [u for u in requests if not u.startswith(server_url)]
    assert heavy == []
    assert not [u for u in requests if re.search(r"\.(woff2?|ttf|png|jpe?g|gif)$", u)]

    # The session expires while the officer writes the explanation: nothing is lost.
    page.fill("[name=value-LABOUR-explanation]", "Năm nay điều tra lại lực lượng lao động.")
    context.clear_cookies(name="sessionid")
    page.click("button.btn-primary[value=save]")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", "officer-browser")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(report_url)
    expect(page.locator("#draft-restored")).to_be_visible()
    assert page.input_value("[name=value-LABOUR-explanation]").startswith("Năm nay")
    page.click("button.btn-primary[value=save]")
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#draft-restored")).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 900})
    desktop_shot = tmp_path / "report-desktop.png"
    assert_no_serious_axe(page)
    screenshot(page, desktop_shot)

    submit = page.locator("button[value=submit]")
    expect(submit).to_be_enabled()
    submit.dblclick()
    page.wait_for_url(re.compile(r"/campaigns/submissions/\d+/$"))
    detail_url = page.url
    expect(page.locator(".timeline li[data-action]")).to_have_count(1)
    evidence_url = page.locator("a[href^='/campaigns/evidence/']").first.get_attribute("href")

    other = chromium.new_context(viewport={"width": 390, "height": 844})
    other_page = other.new_page()
    log_in(other_page, server_url, "officer-elsewhere")
    assert other_page.goto(detail_url).status == 404
    assert other_page.goto(f"{server_url}{evidence_url}").status == 404
    other.close()
    context.close()
    submission = Submission.objects.get(unit=year.unit, period=year.period)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.steps.count() == 1
    assert submission.values.get(indicator=year.labour).warning_explanation.startswith("Năm nay")
    assert submission.evidence.get().criterion == year.evidenced


def test_input_typed_before_a_colleagues_save_is_offered_back(journey, server_url, chromium):
    from playwright.sync_api import expect

    mine = chromium.new_context(viewport={"width": 390, "height": 844})
    page = mine.new_page()
    log_in(page, server_url, "officer-browser")
    page.click("a[href^='/report/']:not([href$='registration/'])")
    page.wait_for_url(re.compile(r"/report/\d+/$"))
    report_url = page.url
    # The connection drops: the draft typed now never reaches the server, only this browser.
    page.route("**/draft/", lambda route: route.abort())
    page.fill("[name=narrative]", "Bản nháp chưa lưu của anh Hùng")

    theirs = chromium.new_context(viewport={"width": 1280, "height": 900})
    colleague = theirs.new_page()
    log_in(colleague, server_url, "officer-colleague")
    colleague.goto(report_url)
    colleague.fill("[name=narrative]", "Bản của chị Lan")
    colleague.click("button.btn-primary[value=save]")
    colleague.wait_for_load_state()
    expect(colleague.locator(".alert-success")).to_be_visible()
    theirs.close()

    page.reload()
    assert page.input_value("[name=narrative]") == "Bản của chị Lan"
    offer = page.locator("#draft-older")
    expect(offer).to_be_visible()
    offer.locator("button").click()
    assert page.input_value("[name=narrative]") == "Bản nháp chưa lưu của anh Hùng"
    expect(offer).to_be_hidden()
    mine.close()


def test_a_save_without_a_file_sends_the_short_form_and_a_file_still_arrives(
    journey, server_url, chromium, tmp_path
):
    """On a slow connection a save carries a third of the bytes when nothing is attached
    (static/js/report.js); with a file attached the form is multipart, as without the script."""
    from playwright.sync_api import expect

    year = journey
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    page.clock.install()  # the test moves the page's clock past the autosave's pause
    posts: list[tuple[str, str]] = []  # each POST's path and content type

    def note(request) -> None:
        if request.method == "POST":
            posts.append((request.url.removeprefix(server_url), request.headers["content-type"]))

    page.on("request", note)
    log_in(page, server_url, "officer-browser")
    page.goto(f"{server_url}/report/{year.period.pk}/")
    report_path = f"/report/{year.period.pk}/"
    short = "application/x-www-form-urlencoded"

    page.fill("[name=narrative]", "Lưu tự động khi dừng gõ.")
    page.clock.run_for(2500)
    expect(page.locator("#save-state")).to_contain_text(re.compile(r"Đã lưu lúc \d\d:\d\d"))
    assert posts[-1][0] == f"{report_path}draft/"
    assert posts[-1][1].startswith(short)

    page.fill("[name=narrative]", "Lưu bằng nút, không kèm tệp.")
    page.click("button.btn-primary[value=save]")
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()
    assert posts[-1] == (report_path, short)

    evidence_file = tmp_path / "bien-ban.pdf"
    evidence_file.write_bytes(PDF_BYTES)
    page.set_input_files(f"[name=evidence-{year.evidenced.pk}]", str(evidence_file))
    page.click("button.btn-primary[value=save]")
    page.wait_for_load_state()
    expect(page.locator("a", has_text="bien-ban.pdf")).to_be_visible()
    assert posts[-1][0] == report_path
    assert posts[-1][1].startswith("multipart/form-data")
    context.close()

    submission = Submission.objects.get(unit=year.unit, period=year.period)
    assert submission.narrative == "Lưu bằng nút, không kèm tệp."
    assert submission.evidence.get().file.read() == PDF_BYTES
