"""The demo data (sql/demo.sql) works on any day: its calendar moves with the day it is
loaded. Events to come stay to come (from the next week on, registrations open), past ones
stay past, weekdays and local hours stay as written; projects keep statuses that fit their
dates; the indicators are declared for the three years before the year of loading, so that
the benchmark's default year (the last complete one) has them. Loading it again changes
nothing.

PostgreSQL's clock cannot be faked, so sql/demo.sql takes the day of loading from the setting
grappe.demo_today when it is set (today in Paris otherwise): these tests load it, in a
database of their own and in a transaction that is rolled back, as on many days, and once as
today with no setting at all."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest

from conftest import REPO, psql_at, scratch_database

DEMO = REPO / "sql" / "demo.sql"
PARIS = ZoneInfo("Europe/Paris")
ZONES = {"c6000000-0000-4000-8000-000000000024": ZoneInfo("Indian/Reunion")}  # its webinar is at 10 h there
REFERENCE = datetime.date(2026, 12, 2)  # a day of the week the demo is written for
DAYS = [None, REFERENCE, datetime.date(2026, 11, 29), datetime.date(2025, 5, 5), datetime.date(2027, 3, 28),
        datetime.date(2027, 6, 15), datetime.date(2027, 10, 31), datetime.date(2027, 12, 31),
        datetime.date(2028, 2, 29), datetime.date(2031, 1, 1), datetime.date(2040, 7, 14)]

SNAPSHOT = """
SELECT json_build_object(
  'events', (SELECT json_agg(json_build_object('id', id, 'status', status, 'starts_at', rfc3339(starts_at),
                                               'ends_at', rfc3339(ends_at),
                                               'closes_at', rfc3339(registration_closes_at)) ORDER BY id)
             FROM events),
  'projects', (SELECT json_agg(json_build_object('id', id, 'status', status, 'starts_on', starts_on,
                                                 'ends_on', ends_on) ORDER BY id) FROM projects),
  'indicators', (SELECT json_object_agg(year, n) FROM (SELECT year, count(*) AS n FROM indicators GROUP BY year) y))
"""


@pytest.fixture(scope="module")
def empty_database(database_url, grappe_bin, sql):
    """A migrated database with nothing in it."""
    with scratch_database(database_url, grappe_bin, sql, "demo") as url:
        yield url


_loaded = {}


def load_as_on(url, day):
    """The demo as loaded on that day (None: today, with no setting), rolled back afterwards."""
    if (url, day) not in _loaded:
        _loaded[url, day] = _load(url, day)
    return _loaded[url, day]


def _load(url, day):
    setting = f"SET LOCAL grappe.demo_today = '{day.isoformat()}';" if day else ""
    out = psql_at(url, f"BEGIN;\n{setting}\n\\i {DEMO}\n{SNAPSHOT};\nROLLBACK;\n")
    return json.loads(out.strip().splitlines()[-1])


def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")) if s else None


def local(e, key):
    return instant(e[key]).astimezone(ZONES.get(e["id"], PARIS))


@pytest.fixture(scope="module")
def reference(empty_database):
    return {e["id"]: e for e in load_as_on(empty_database, REFERENCE)["events"]}


@pytest.mark.parametrize("day", DAYS, ids=lambda d: str(d or "today"))
def test_demo_events_are_to_come_or_past_on_any_day(empty_database, reference, day):
    today = day or datetime.datetime.now(PARIS).date()
    monday = datetime.datetime.combine(today - datetime.timedelta(days=today.weekday()), datetime.time(), PARIS)
    next_monday = monday + datetime.timedelta(days=7)
    events = load_as_on(empty_database, day)["events"]
    assert {e["id"] for e in events} == set(reference)
    past, upcoming = [], []
    for e in events:
        ref = reference[e["id"]]
        # the same weekday and local time as written, whole weeks away
        for key in ("starts_at", "ends_at", "closes_at"):
            if ref[key]:
                a, b = local(e, key), local(ref, key)
                assert (a.weekday(), a.time()) == (b.weekday(), b.time()), (e["id"], key, a, b)
                assert (a.date() - b.date()).days % 7 == 0
        start, end, closes = instant(e["starts_at"]), instant(e["ends_at"]), instant(e["closes_at"])
        assert end > start and (closes is None or closes <= start), e
        if end < monday:
            past.append(e)
        else:
            # to come, from the next week on, with its registrations still open
            assert start >= next_monday, (e, today)
            assert closes is None or closes >= next_monday, (e, today)
            upcoming.append(e)
    assert len(past) == 4 and len(upcoming) == 24
    days_ahead = sorted((instant(e["starts_at"]).date() - today).days for e in upcoming if e["status"] == "scheduled")
    assert days_ahead[0] <= 9, "some next week"
    assert any(20 <= d <= 45 for d in days_ahead), "some next month"
    assert any(80 <= d <= 110 for d in days_ahead), "some in three months"
    assert days_ahead[-1] >= 180


@pytest.mark.parametrize("day", DAYS, ids=lambda d: str(d or "today"))
def test_demo_projects_and_indicators_fit_the_day(empty_database, day):
    today = day or datetime.datetime.now(PARIS).date()
    month = today.replace(day=1)
    demo = load_as_on(empty_database, day)
    statuses = set()
    for p in demo["projects"]:
        statuses.add(p["status"])
        if p["starts_on"] is None:
            assert p["status"] == "idea" and p["ends_on"] is None
            continue
        starts, ends = datetime.date.fromisoformat(p["starts_on"]), datetime.date.fromisoformat(p["ends_on"])
        assert starts < ends and starts.day in (1, 15), p
        assert (ends + datetime.timedelta(days=1)).day == 1, p  # ends at the end of a month
        if p["status"] == "completed":
            assert ends < month, (p, today)
        elif p["status"] == "running":
            assert starts < month and ends > today, (p, today)
        elif p["status"] == "idea":
            assert starts > today, (p, today)
    assert statuses == {"idea", "proof_of_concept", "running", "completed", "abandoned"}
    last = today.year - 1
    assert demo["indicators"] == {str(last): 16, str(last - 1): 16, str(last - 2): 16}


def test_loading_the_demo_again_changes_nothing(database_url, grappe_bin, sql):
    with scratch_database(database_url, grappe_bin, sql, "demo") as url:
        tables = ["clusters", "companies", "partners", "memberships", "cluster_partners", "events",
                  "registrations", "projects", "indicators", "changes"]
        state = "SELECT json_build_object(" + ", ".join(
            f"'{t}', (SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM {t} x)" for t in tables) + ")"

        def load(day=None):
            setting = f"SET grappe.demo_today = '{day}';" if day else ""
            return json.loads(psql_at(url, f"{setting}\n\\i {DEMO}\n{state};\n").strip().splitlines()[-1])
        first = load()
        assert load() == first
        # a later week: the demo is dated by its first load, nothing moves
        assert load((datetime.datetime.now(PARIS).date() + datetime.timedelta(weeks=3)).isoformat()) == first
        # a later year adds that year's indicators and nothing else
        later = load(f"{datetime.datetime.now(PARIS).date().year + 1}-02-01")
        assert {k: v for k, v in later.items() if k not in ("indicators", "changes")} == \
               {k: v for k, v in first.items() if k not in ("indicators", "changes")}
        years = psql_at(url, "SELECT string_agg(year || ':' || n, ' ' ORDER BY year) FROM "
                             "(SELECT year, count(*) AS n FROM indicators GROUP BY year) y")
        y = datetime.datetime.now(PARIS).date().year
        assert years == f"{y - 3}:16 {y - 2}:16 {y - 1}:16 {y}:16"
