"""Code lists are written once, in api/openapi.yaml (issue 16): tools/codelists.py generates the
C lists from its enums at build time, and these tests hold the other copies to it: the
database's CHECK constraints (a value added on either side fails), and the enums that the
document itself repeats (the generator refuses to build when they drift)."""

import re
import subprocess
import sys

import yaml

from conftest import REPO
from openapi_check import load_spec

# Each CHECK (column = ANY (ARRAY[...])) of the schema and the OpenAPI enum that it must equal
# (a schema of components/schemas, or schema/property for an enum written inline).
CODE_LISTS = {
    ("clusters", "kind"): "ClusterKind",
    ("clusters", "maturity"): "Maturity",
    ("clusters", "status"): "ClusterStatus",
    ("companies", "size"): "CompanySize",
    ("partners", "kind"): "PartnerKind",
    ("memberships", "role"): "MembershipRole",
    ("memberships", "college"): "MembershipCollege",
    ("cluster_partners", "role"): "ClusterPartnerRole",
    ("events", "kind"): "EventKind",
    ("events", "mode"): "EventMode",
    ("events", "status"): "EventStatus",
    ("registrations", "status"): "Registration/status",
    ("projects", "category"): "ProjectCategory",
    ("projects", "status"): "ProjectStatus",
    ("changes", "type"): "ChangeType",
    ("changes", "op"): "Change/op",
    ("api_keys", "role"): "KeyRole",
}
# Code lists of the database that the API never shows.
INTERNAL = {("idempotency_keys", "state"), ("webhooks", "owner_role")}

CHECK_IN = re.compile(r"^CHECK \(\((\w+) = ANY \(ARRAY\[([^\]]*)\]\)\)\)$")


def openapi_enum(name):
    schemas = load_spec()["components"]["schemas"]
    schema, _, prop = name.partition("/")
    node = schemas[schema]["properties"][prop] if prop else schemas[schema]
    return {v for v in node["enum"] if v is not None}


def database_code_lists(sql):
    """{(table, column): set of values} of every CHECK that is a code list."""
    rows = sql("SELECT conrelid::regclass::text || '|' || pg_get_constraintdef(oid) FROM pg_constraint "
               "WHERE contype = 'c' AND connamespace = 'public'::regnamespace ORDER BY 1")
    found = {}
    for row in rows.splitlines():
        table, definition = row.split("|", 1)
        m = CHECK_IN.match(definition)
        if m:
            assert (table, m.group(1)) not in found, row
            found[(table, m.group(1))] = set(re.findall(r"'([^']*)'::text", m.group(2)))
    return found


def test_database_check_constraints_agree_with_openapi_code_lists(sql):
    found = database_code_lists(sql)
    unmapped = set(found) - set(CODE_LISTS) - INTERNAL
    assert not unmapped, f"CHECK code lists with no OpenAPI enum in CODE_LISTS: {sorted(unmapped)}"
    for (table, column), name in CODE_LISTS.items():
        assert (table, column) in found, f"no CHECK (... = ANY (ARRAY[...])) on {table}.{column}"
        db, api = found[(table, column)], openapi_enum(name)
        assert db == api, (f"{table}.{column} allows {sorted(db - api)} that {name} does not list, "
                           f"and {name} lists {sorted(api - db)} that it refuses")


def _generate(tmp_path, doc):
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return subprocess.run([sys.executable, str(REPO / "tools" / "codelists.py"), str(spec),
                           str(tmp_path / "codelists.c"), str(tmp_path / "codelists.h")],
                          capture_output=True, text=True, timeout=60)


def test_generator_writes_each_enum_as_a_null_terminated_list(tmp_path):
    cp = _generate(tmp_path, load_spec())
    assert cp.returncode == 0, cp.stderr
    c = (tmp_path / "codelists.c").read_text()
    h = (tmp_path / "codelists.h").read_text()
    assert ('const char *const codelist_cluster_kind[] = {"pole_competitivite", "grappe_entreprises", '
            '"cluster", "spl", "other", NULL};') in c
    assert 'codelist_label_level[] = {"bronze", "silver", "gold", NULL};' in c  # null left out
    assert "#define CODELIST_CHANGE_TYPE_TEXT \"cluster, company," in h
    assert "CODELIST_SEARCH_TYPE_PROJECT, CODELIST_SEARCH_TYPE_COUNT };" in h


def test_generator_refuses_a_repeated_enum_that_drifts(tmp_path):
    doc = load_spec()
    doc["components"]["schemas"]["ClusterCreate"]["properties"]["maturity"]["enum"].insert(0, "legendary")
    cp = _generate(tmp_path, doc)
    assert cp.returncode != 0 and "ClusterCreate/maturity" in cp.stderr, cp.stderr


def test_generator_refuses_an_undeclared_copy(tmp_path):
    doc = load_spec()
    doc["components"]["schemas"]["EventMode2"] = {"type": "string", "enum": ["in_person", "online", "hybrid"]}
    cp = _generate(tmp_path, doc)
    assert cp.returncode != 0 and "EventMode2" in cp.stderr, cp.stderr
