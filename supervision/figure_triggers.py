"""Database triggers that renew a plan's figures token (supervision.figure_cache) on every
insert, update or delete of a table the plan's figures are read from (drafts aside, below).

`FIGURE_TABLES` maps each such table to the SQL that finds the plans a set of its rows
belongs to, written over a relation `r` holding the changed rows (`{columns}` of them);
plan 0 (`GLOBAL_FIGURES`) stands for rows every plan reads. A test checks that every table
the dashboard, scorecard, drill-down and order figures read is listed here.

Drafts (草稿) are left out: a report row, its summary or a target value of a report that
is a draft in every row image of the write renews nothing, and drafts are most of the saves
in a reporting week. The kept figures never read a draft (supervision.facts and My tasks
exclude them; tested: every kept result is byte-equal before and after draft writes on an
ended and a current period). A submission, a withdrawal back to a draft and every write to
a submitted, returned or accepted report still renew. My tasks shows the unit's newest
report, drafts included, outside its kept part (reports.views.mine).

PostgreSQL gets statement-level triggers with transition tables (one token update per plan
per statement, so a bulk insert of 100,000 reports renews a token once, not 100,000 times);
SQLite, which has only row-level triggers, gets one per row. Installed and replaced by
migrations (`install`), so a later change to this list needs a migration that calls it again
with the new map, and whose reverse installs the map before it (each migration passes a
frozen copy: the SQL a migration runs must not change when this module does).
"""

GLOBAL_FIGURES = 0  # FiguresVersion.plan_id of what every plan reads (units, default settings)

PLAN_OF_TASK = "SELECT t.plan_id AS plan_id FROM r JOIN tasks_task t ON t.id = r.task_id"
PLAN_OF_ORDER = (
    "SELECT o.plan_id AS plan_id FROM r JOIN supervision_supervisionorder o ON o.id = r.order_id"
)
PLAN_OR_GLOBAL = f"SELECT COALESCE(r.plan_id, {GLOBAL_FIGURES}) AS plan_id FROM r"
DRAFT = "'draft'"  # reports.models.ReportState.DRAFT (a literal: migrations run this SQL)

# table -> (columns of the changed rows the SQL reads, SQL selecting their plan ids from r)
FIGURE_TABLES = {
    "tasks_plan": (("id",), "SELECT r.id AS plan_id FROM r"),
    "tasks_task": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "tasks_taskassignment": (("task_id",), PLAN_OF_TASK),
    "tasks_target": (("task_id",), PLAN_OF_TASK),
    "departments_department": (("id",), f"SELECT {GLOBAL_FIGURES} AS plan_id FROM r"),
    "reports_report": (("task_id", "state"), f"{PLAN_OF_TASK} WHERE r.state <> {DRAFT}"),
    "reports_reportsummary": (
        ("plan_id", "state"),
        f"SELECT r.plan_id AS plan_id FROM r WHERE r.state <> {DRAFT}",
    ),
    "reports_targetvalue": (
        ("target_id", "report_id"),
        "SELECT t.plan_id AS plan_id FROM r JOIN tasks_target g ON g.id = r.target_id "
        "JOIN tasks_task t ON t.id = g.task_id "
        f"JOIN reports_report x ON x.id = r.report_id WHERE x.state <> {DRAFT}",
    ),
    "supervision_supervisionorder": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "supervision_orderunit": (("order_id",), PLAN_OF_ORDER),
    "supervision_orderevent": (("order_id",), PLAN_OF_ORDER),
    "supervision_verification": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "supervision_ordersettings": (("plan_id",), PLAN_OR_GLOBAL),
    "supervision_scoringsettings": (("plan_id",), PLAN_OR_GLOBAL),
}

VERSION_TABLE = "supervision_figuresversion"
PREFIX = "figures_token"
EVENTS = ("INSERT", "UPDATE", "DELETE")
# Row images each event has: the new rows, the old rows, or both (a row moved to another plan
# renews both plans).
IMAGES = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}

# A new random token; SQLite's random() is a signed 64-bit integer, PostgreSQL's a double.
SQLITE_TOKEN = "random()"
POSTGRES_TOKEN = "(floor(random() * 9007199254740991) - 4503599627370495)::bigint"


def _upsert(plans_sql, token_sql):
    """Give each plan `plans_sql` selects (a column named plan_id) a new token."""
    return (
        f"INSERT INTO {VERSION_TABLE} (plan_id, token) "
        f"SELECT q.plan_id, {token_sql} FROM "
        f"(SELECT DISTINCT p.plan_id FROM ({plans_sql}) AS p WHERE p.plan_id IS NOT NULL) AS q "
        # Plans in one order, so two statements renewing the same plans cannot deadlock; the
        # WHERE also lets SQLite parse the ON CONFLICT after a SELECT (documented there).
        f"WHERE true ORDER BY q.plan_id "
        f"ON CONFLICT (plan_id) DO UPDATE SET token = excluded.token"
    )


def _sqlite_rows(image, columns):
    """The one changed row as a relation `r` (SQLite triggers see it as NEW / OLD)."""
    selected = ", ".join(f"{image}.{c} AS {c}" for c in columns)
    return f"(SELECT {selected})"


def _sqlite_sql(tables, table, event):
    columns, plans = tables[table]
    parts = []
    for image in IMAGES[event]:
        relation = plans.replace("FROM r", f"FROM {_sqlite_rows(image, columns)} AS r", 1)
        parts.append(_upsert(relation, SQLITE_TOKEN) + ";")
    name = f"{PREFIX}_{table}_{event.lower()}"
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        + " ".join(parts)
        + " END",
    ]


def _postgres_sql(tables, table, event):
    _columns, plans = tables[table]  # transition tables hold whole rows
    name = f"{PREFIX}_{table}_{event.lower()}"
    images = IMAGES[event]
    selects = " UNION ".join(
        plans.replace("FROM r", f"FROM {image.lower()}_rows AS r", 1) for image in images
    )
    referencing = " ".join(f"{image} TABLE AS {image.lower()}_rows" for image in images)
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_upsert(selects, POSTGRES_TOKEN)}; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def trigger_sql(vendor, tables=FIGURE_TABLES):
    build = {"sqlite": _sqlite_sql, "postgresql": _postgres_sql}[vendor]
    return [sql for table in tables for event in EVENTS for sql in build(tables, table, event)]


def drop_sql(vendor, tables=FIGURE_TABLES):
    statements = []
    for table in tables:
        for event in EVENTS:
            name = f"{PREFIX}_{table}_{event.lower()}"
            if vendor == "postgresql":
                statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                statements.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def install(schema_editor, tables=FIGURE_TABLES):
    """(Re)install the triggers of `tables` (a migration passes its own frozen map)."""
    for sql in trigger_sql(schema_editor.connection.vendor, tables):
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor, tables=FIGURE_TABLES):
    for sql in drop_sql(schema_editor.connection.vendor, tables):
        schema_editor.execute(sql, params=None)
