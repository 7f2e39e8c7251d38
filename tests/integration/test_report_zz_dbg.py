from tests.integration.test_report_pages import app, client  # noqa
def test_dbg(app):
    page = client(app, "city").get("/data/submissions").get_data(as_text=True)
    i = page.find("countdown"); print(page[i-50:i+400])
    assert 0
