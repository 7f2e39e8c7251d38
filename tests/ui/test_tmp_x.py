import re
from tests.ui.test_notices import sweep, text, generate_bulletins
def test_x(ui, world):
    sweep(world, "2015-01-09")
    generate_bulletins(world.db)
    province = ui("province")
    listing = text(province.get("/notices/bulletins"))
    bid = re.search(r'href="/notices/bulletins/(\d+)"', listing).group(1)
    page = text(province.get(f"/notices/bulletins/{bid}"))
    print(page[page.index('<main'):][:3000])
    assert 0
