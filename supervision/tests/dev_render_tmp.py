from supervision.tests.excel_fixtures import AS_OF, DANGEROUS_TEXT, load_real_plan, seed_history
from supervision.workbook import build_workbook, collect_workbook_data


def test_dev_render(world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, skip_last_for={3, 9}, texts={5: DANGEROUS_TEXT})
    data = collect_workbook_data(plan=plan, year=2023, as_of=AS_OF, user=None)
    build_workbook(data, "/tmp/hd/out.xlsx", include_details=False)
