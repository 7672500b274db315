"""Authorization, exhaustively: who may call what (function level), on whose objects (object
level), with which fields and seeing which data (property level).

1. The role x route matrix. Every operation of api/openapi.yaml (read programmatically) is
   called by six callers: anonymous, a reader, the manager of cluster A (the cluster that owns
   the target), the manager of cluster B (another cluster), an admin and a revoked key (an
   admin key, revoked: revocation beats the role). MATRIX below is the expected outcome from
   SPEC.md (Auth) and the operation descriptions of openapi.yaml; each (route, role) pair is one
   test case, with a valid request built for the route, so that an allowed call is 2xx. A
   refused write must change nothing (a snapshot of the target's rows before and after).
   test_matrix_covers_every_operation fails when openapi.yaml gains an operation that the
   table does not list (or the table lists one that is gone).
2. Object level: the manager of A against every write route that touches cluster B's
   objects (B itself, its memberships, partner links, indicators, the projects B leads, the
   events B organises and their registrations, the companies that are members of B only): 403,
   and nothing changes.
3. Property level: no mass assignment (every read-only or unknown field that openapi.yaml's
   schemas name, on every write, is 422 and changes nothing), and no personal data
   (registrants' names and e-mail addresses) for anonymous callers or the manager of another
   cluster, on any GET route in any format, including search and the change feed; cancel
   tokens never show after the registration's answer, to anyone.

Every response is also checked against api/openapi.yaml (after the authorization assertion,
so that a wrong status reads as an authorization failure first).
"""

import copy
import itertools
import json
import secrets
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest
import yaml

from conftest import new_siret, problem, unique_word, utc_in
from openapi_check import SPEC_PATH, resolve_ref

SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
NDJSON = "application/x-ndjson"

ok = "ok"  # 2xx: the call is allowed (every request below is valid when allowed)
ROLES = ("anonymous", "reader", "manager_a", "manager_b", "admin", "revoked")


# =====================================================================================
# 1. The expected matrix. Target objects belong to cluster A; manager_a is the manager of
#    that cluster, manager_b the manager of another cluster (B); revoked is a revoked admin
#    key. `route#variant` rows are the same operation in another situation (the matrix test
#    for coverage strips the variant).
# =====================================================================================

MATRIX = {
    # route                                                  anonymous reader manager_a manager_b admin revoked
    # -- operations: `security: []`, no key is looked at
    "GET /health":                                           (ok,  ok,  ok,  ok,  ok,  ok),
    "GET /ready":                                            (ok,  ok,  ok,  ok,  ok,  ok),
    "GET /metrics":                                          (401, 403, 403, 403, ok,  401),
    "GET /openapi.json":                                     (ok,  ok,  ok,  ok,  ok,  ok),
    "GET /docs":                                             (ok,  ok,  ok,  ok,  ok,  ok),
    # -- reference data: public
    "GET /v1/regions":                                       (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/regions/{code}":                                (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/departments":                                   (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/departments/{code}":                            (ok,  ok,  ok,  ok,  ok,  401),
    # -- clusters: public read; creating and deleting are admin-only; PATCH its managers
    "GET /v1/clusters":                                      (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/clusters":                                     (401, 403, 403, 403, ok,  401),
    "GET /v1/clusters/{id}":                                 (ok,  ok,  ok,  ok,  ok,  401),
    "PATCH /v1/clusters/{id}":                               (401, 403, ok,  403, ok,  401),
    "DELETE /v1/clusters/{id}":                              (401, 403, 403, 403, ok,  401),
    # -- by external id: reads public; PUT replaces as PATCH would, creates as POST would
    "GET /v1/clusters/external/{ns}/{value}":                (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/clusters/external/{ns}/{value}":                (401, 403, ok,  403, ok,  401),
    "PUT /v1/clusters/external/{ns}/{value}#create":         (401, 403, 403, 403, ok,  401),
    # -- bulk imports answer 200 with a report to every writer; a manager's line that the
    #    single write would refuse is an error `forbidden` of its own (test_bulk_lines_on_b_objects)
    "POST /v1/clusters/bulk":                                (401, 403, ok,  ok,  ok,  401),
    "POST /v1/memberships/bulk":                             (401, 403, ok,  ok,  ok,  401),
    # -- memberships and partner links: the cluster's managers write them
    "GET /v1/clusters/{id}/members":                         (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/clusters/{id}/members/{company_id}":            (401, 403, ok,  403, ok,  401),
    "DELETE /v1/clusters/{id}/members/{company_id}":         (401, 403, ok,  403, ok,  401),
    "GET /v1/clusters/{id}/partners":                        (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/clusters/{id}/partners/{partner_id}":           (401, 403, ok,  403, ok,  401),
    "DELETE /v1/clusters/{id}/partners/{partner_id}":        (401, 403, ok,  403, ok,  401),
    # -- indicators: a cluster's own figures, private (readers, admins, its managers)
    "GET /v1/clusters/{id}/indicators":                      (401, ok,  ok,  403, ok,  401),
    "PUT /v1/clusters/{id}/indicators/{year}":               (401, 403, ok,  403, ok,  401),
    "DELETE /v1/clusters/{id}/indicators/{year}":            (401, 403, ok,  403, ok,  401),
    # -- the whole link tables, for syncing: reader and admin keys; a manager's narrowed to
    #    its clusters (cluster= naming another is 403); never anonymous
    "GET /v1/memberships":                                   (401, ok,  ok,  ok,  ok,  401),
    "GET /v1/memberships#cluster=A":                         (401, ok,  ok,  403, ok,  401),
    "GET /v1/cluster-partners":                              (401, ok,  ok,  ok,  ok,  401),
    "GET /v1/cluster-partners#cluster=A":                    (401, ok,  ok,  403, ok,  401),
    "GET /v1/indicators":                                    (401, ok,  ok,  ok,  ok,  401),
    "GET /v1/indicators#cluster=A":                          (401, ok,  ok,  403, ok,  401),
    "GET /v1/benchmark":                                     (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/benchmark#cluster=A":                           (401, ok,  ok,  403, ok,  401),
    # -- companies: managers may create; update the current members of their clusters;
    #    deleting is admin-only
    "GET /v1/companies":                                     (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/companies":                                    (401, 403, ok,  ok,  ok,  401),
    "POST /v1/companies/bulk":                               (401, 403, ok,  ok,  ok,  401),
    "PUT /v1/companies/siret/{siret}":                       (401, 403, ok,  403, ok,  401),
    "PUT /v1/companies/siret/{siret}#create":                (401, 403, ok,  ok,  ok,  401),
    "GET /v1/companies/external/{ns}/{value}":               (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/companies/external/{ns}/{value}":               (401, 403, ok,  403, ok,  401),
    "PUT /v1/companies/external/{ns}/{value}#create":        (401, 403, ok,  ok,  ok,  401),
    "GET /v1/companies/{id}":                                (ok,  ok,  ok,  ok,  ok,  401),
    "PATCH /v1/companies/{id}":                              (401, 403, ok,  403, ok,  401),
    "DELETE /v1/companies/{id}":                             (401, 403, 403, 403, ok,  401),
    "GET /v1/companies/{id}/clusters":                       (ok,  ok,  ok,  ok,  ok,  401),
    # -- partners: writing them is admin-only (even one linked to the manager's cluster)
    "GET /v1/partners":                                      (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/partners":                                     (401, 403, 403, 403, ok,  401),
    "GET /v1/partners/{id}":                                 (ok,  ok,  ok,  ok,  ok,  401),
    "PATCH /v1/partners/{id}":                               (401, 403, 403, 403, ok,  401),
    "DELETE /v1/partners/{id}":                              (401, 403, 403, 403, ok,  401),
    "GET /v1/partners/external/{ns}/{value}":                (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/partners/external/{ns}/{value}":                (401, 403, 403, 403, ok,  401),
    "PUT /v1/partners/external/{ns}/{value}#create":         (401, 403, 403, 403, ok,  401),
    "POST /v1/partners/bulk":                                (401, 403, 403, 403, ok,  401),
    # -- events: the organiser's managers; network-wide events are admin-only; a non-public
    #    event does not exist for anonymous callers (404)
    "GET /v1/events":                                        (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/events":                                       (401, 403, ok,  403, ok,  401),
    "POST /v1/events#network-wide":                          (401, 403, 403, 403, ok,  401),
    "GET /v1/events/{id}":                                   (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/events/{id}#non-public":                        (404, ok,  ok,  ok,  ok,  401),
    "PATCH /v1/events/{id}":                                 (401, 403, ok,  403, ok,  401),
    "PATCH /v1/events/{id}#network-wide":                    (401, 403, 403, 403, ok,  401),
    "DELETE /v1/events/{id}":                                (401, 403, ok,  403, ok,  401),
    "DELETE /v1/events/{id}#network-wide":                   (401, 403, 403, 403, ok,  401),
    "GET /v1/events/external/{ns}/{value}":                  (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/events/external/{ns}/{value}#non-public":       (404, ok,  ok,  ok,  ok,  401),
    "PUT /v1/events/external/{ns}/{value}":                  (401, 403, ok,  403, ok,  401),
    "PUT /v1/events/external/{ns}/{value}#create":           (401, 403, ok,  403, ok,  401),
    "POST /v1/events/bulk":                                  (401, 403, ok,  ok,  ok,  401),
    # -- registrations: anyone registers; personal data for readers, admins and the
    #    organiser's managers; cancel with the token (anyone) or as organiser/admin
    "POST /v1/events/{id}/registrations":                    (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/events/{id}/registrations#non-public":         (404, ok,  ok,  ok,  ok,  401),
    "GET /v1/events/{id}/registrations":                     (401, ok,  ok,  403, ok,  401),
    "GET /v1/events/{id}/registrations#network-wide":        (401, ok,  403, 403, ok,  401),
    "DELETE /v1/events/{id}/registrations/{registration_id}":          (401, 403, ok,  403, ok,  401),
    "DELETE /v1/events/{id}/registrations/{registration_id}#token":    (ok,  ok,  ok,  ok,  ok,  401),
    # -- projects: the lead cluster's managers
    "GET /v1/projects":                                      (ok,  ok,  ok,  ok,  ok,  401),
    "POST /v1/projects":                                     (401, 403, ok,  403, ok,  401),
    "GET /v1/projects/{id}":                                 (ok,  ok,  ok,  ok,  ok,  401),
    "PATCH /v1/projects/{id}":                               (401, 403, ok,  403, ok,  401),
    "DELETE /v1/projects/{id}":                              (401, 403, ok,  403, ok,  401),
    "GET /v1/projects/external/{ns}/{value}":                (ok,  ok,  ok,  ok,  ok,  401),
    "PUT /v1/projects/external/{ns}/{value}":                (401, 403, ok,  403, ok,  401),
    "PUT /v1/projects/external/{ns}/{value}#create":         (401, 403, ok,  403, ok,  401),
    "POST /v1/projects/bulk":                                (401, 403, ok,  ok,  ok,  401),
    # -- a cluster listed by a manager who does not manage it is invited: its managers (or an
    #    admin) accept, not the lead's; it declines, or the lead's managers withdraw it
    "PUT /v1/projects/{id}/clusters/{cluster_id}":           (401, 403, ok,  403, ok,  401),
    "DELETE /v1/projects/{id}/clusters/{cluster_id}":        (401, 403, ok,  403, ok,  401),
    "DELETE /v1/projects/{id}/clusters/{cluster_id}#decline": (401, 403, ok, ok,  ok,  401),
    # -- statistics, search: public; the change feed: reader and admin keys, and managers
    #    narrowed to their clusters
    "GET /v1/stats":                                         (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/search":                                        (ok,  ok,  ok,  ok,  ok,  401),
    "GET /v1/changes":                                       (401, ok,  ok,  ok,  ok,  401),
    # -- webhooks: a subscription is its key's (here the reader's); another key finds none
    #    (404), an admin manages every one
    "GET /v1/webhooks":                                      (401, ok,  ok,  ok,  ok,  401),
    "POST /v1/webhooks":                                     (401, ok,  ok,  ok,  ok,  401),
    "GET /v1/webhooks/{id}":                                 (401, ok,  404, 404, ok,  401),
    "PATCH /v1/webhooks/{id}":                               (401, ok,  404, 404, ok,  401),
    "DELETE /v1/webhooks/{id}":                              (401, ok,  404, 404, ok,  401),
    "POST /v1/webhooks/{id}/rotate-secret":                  (401, ok,  404, 404, ok,  401),
    "POST /v1/webhooks/{id}/test":                           (401, ok,  404, 404, ok,  401),
    "POST /v1/webhooks/{id}/replay":                         (401, ok,  404, 404, ok,  401),
    "GET /v1/webhooks/{id}/deliveries":                      (401, ok,  404, 404, ok,  401),
    # -- API keys over HTTP: admin keys only, whoever made the key (here an admin, over HTTP)
    "GET /v1/keys":                                          (401, 403, 403, 403, ok,  401),
    "POST /v1/keys":                                         (401, 403, 403, 403, ok,  401),
    "GET /v1/keys/{id}":                                     (401, 403, 403, 403, ok,  401),
    "DELETE /v1/keys/{id}":                                  (401, 403, 403, 403, ok,  401),
    "POST /v1/keys/{id}/rotate":                             (401, 403, 403, 403, ok,  401),
}

# Where each part of the matrix comes from (SPEC.md "Auth", or the operation's description in
# openapi.yaml), for the reader of a failure.
WHY = {
    "POST /v1/clusters": "SPEC: creating clusters is admin-only",
    "DELETE /v1/clusters/{id}": "SPEC: deleting clusters is admin-only (even for its own manager)",
    "DELETE /v1/companies/{id}": "SPEC: deleting companies is admin-only",
    "DELETE /v1/partners/{id}": "SPEC: deleting partners is admin-only",
    "POST /v1/partners": "openapi: writing partners is admin-only",
    "POST /v1/partners/bulk": "openapi: writing partners is admin-only (the whole import is 403)",
    "PATCH /v1/partners/{id}": "openapi: writing partners is admin-only",
    "GET /v1/changes": "SPEC: the change feed is for reader and admin keys; a manager's is narrowed to its clusters",
    "GET /v1/clusters/{id}/indicators": "openapi: readers, admins and the cluster's managers",
    "GET /v1/memberships": "SPEC: link tables for readers and admins, managers for their clusters",
    "GET /v1/cluster-partners": "SPEC: link tables for readers and admins, managers for their clusters",
    "GET /v1/indicators": "SPEC: link tables for readers and admins, managers for their clusters",
    "GET /v1/events/{id}/registrations": "SPEC: reader, admin, organizer's manager",
    "POST /v1/companies": "SPEC: managers may create companies",
    "PUT /v1/projects/{id}/clusters/{cluster_id}": "SPEC: the invited cluster's manager or an admin accepts",
    "GET /v1/keys": "SPEC: keys over HTTP are for admin keys",
    "POST /v1/keys": "SPEC: keys over HTTP are for admin keys",
    "GET /v1/keys/{id}": "SPEC: keys over HTTP are for admin keys",
    "DELETE /v1/keys/{id}": "SPEC: keys over HTTP are for admin keys",
    "POST /v1/keys/{id}/rotate": "SPEC: keys over HTTP are for admin keys",
}


def ops_in_openapi():
    """{"METHOD /path"} of every operation that api/openapi.yaml documents."""
    out = set()
    for path, item in SPEC["paths"].items():
        for method in item:
            if method in HTTP_METHODS:
                out.add(f"{method.upper()} {path}")
    return out


def operation(route):
    method, path = route.split("#")[0].split(" ", 1)
    return SPEC["paths"][path][method.lower()]


def resolve(node):
    return resolve_ref(SPEC, node)


# =====================================================================================
# The world: clusters A and B and what hangs off them, made once for the module.
# =====================================================================================

def q(s):
    """A SQL literal."""
    return "'" + str(s).replace("'", "''") + "'"


class Maker:
    """Creates objects as admin and deletes them (in reverse order) at cleanup()."""

    def __init__(self, api, admin_key, make_key, world=None):
        self.api, self.admin, self.make_key, self.w = api, admin_key, make_key, world
        self.paths = []

    def _post(self, path, body):
        r = self.api.post(path, body, key=self.admin)
        assert r.status_code == 201, f"POST {path}: {r.text}"
        obj = r.json()
        self.paths.append(f"{path}/{obj['id']}")
        return obj

    def track(self, path):
        self.paths.append(path)

    def cluster(self, **kw):
        return self._post("/v1/clusters", {"name": f"Authz cluster {unique_word()}", "kind": "cluster", **kw})

    def company(self, member_of=(), **kw):
        c = self._post("/v1/companies", {"name": f"Authz company {unique_word()}", "siret": new_siret(), **kw})
        for cid in member_of:
            r = self.api.put(f"/v1/clusters/{cid}/members/{c['id']}", {"role": "member"}, key=self.admin)
            assert r.status_code == 201, r.text
        return c

    def partner(self, linked_to=(), **kw):
        p = self._post("/v1/partners", {"name": f"Authz partner {unique_word()}", "kind": "other", **kw})
        for cid in linked_to:
            r = self.api.put(f"/v1/clusters/{cid}/partners/{p['id']}", {"role": "support"}, key=self.admin)
            assert r.status_code == 201, r.text
        return p

    def event(self, organizer, **kw):
        body = {"title": f"Authz event {unique_word()}", "kind": "workshop",
                "starts_at": utc_in(days=40), "ends_at": utc_in(days=40, hours=3)}
        if organizer is not None:
            body["organizer_cluster_id"] = organizer
        body.update(kw)
        return self._post("/v1/events", body)

    def project(self, lead, **kw):
        return self._post("/v1/projects", {"title": f"Authz project {unique_word()}", "category": "innovation",
                                           "lead_cluster_id": lead, **kw})

    def invitation(self, lead, *invited):
        """A project that a manager of `lead` (only) creates listing `invited`: they are invited."""
        r = self.api.post("/v1/projects", {"title": f"Authz invitation {unique_word()}", "category": "innovation",
                                           "lead_cluster_id": lead, "cluster_ids": list(invited)},
                          key=self.manager_key(lead))
        assert r.status_code == 201, r.text
        p = r.json()
        self.paths.append(f"/v1/projects/{p['id']}")
        assert p["cluster_invitations"] == list(invited), p
        return p

    def registration(self, event_id, name=None, email=None, **kw):
        body = {"name": name or f"Authz Person {unique_word()}",
                "email": email or f"authz.{unique_word('')}@example.org", **kw}
        r = self.api.post(f"/v1/events/{event_id}/registrations", body, key=self.admin)
        assert r.status_code == 201, r.text
        return r.json()

    def indicator(self, cluster_id, year, **values):
        r = self.api.put(f"/v1/clusters/{cluster_id}/indicators/{year}", values or {"members": 5}, key=self.admin)
        assert r.status_code in (200, 201), r.text
        return r.json()

    def manager_key(self, *cluster_ids):
        return self.make_key("manager", f"t-authz-mgr-{unique_word('')}", clusters=list(cluster_ids))[1]

    def cleanup(self):
        s = self.api.session
        for path in reversed(self.paths):
            s.delete(self.api.base_url + path, headers={"Authorization": f"Bearer {self.admin}"}, timeout=60)
        self.paths.clear()


@dataclass
class World:
    A: str
    B: str
    keys: dict
    cA: dict           # a company that is a current member of A only
    cB: dict           # a company that is a current member of B only
    P: dict            # a partner linked to A and to B
    eA: dict           # a public event organised by A (unlimited capacity)
    eA_private: dict   # a non-public event organised by A
    eB: dict           # a public event organised by B
    eN: dict           # a network-wide event (no organiser)
    pA: dict           # a project led by A
    pB: dict           # a project led by B
    pBA: dict          # a project led by B in which A takes part (cluster_ids)
    word: str          # a word in A's name, for searches
    registrant: dict   # a registration (with its personal data) on eA
    registrant_private: dict  # one on eA_private
    registrant_b: dict  # one on eB
    private_title_word: str


@pytest.fixture(scope="module")
def world(api, admin_key, reader_key, make_key, grappe_cli):
    m = Maker(api, admin_key, make_key)
    try:
        word = unique_word("zqa")
        A = m.cluster(name=f"Authz cluster A {word}")["id"]
        B = m.cluster(name=f"Authz cluster B {unique_word()}")["id"]
        revoked_id, revoked = make_key("admin", "t-authz-revoked")
        assert api.get("/v1/clusters", key=revoked, params={"limit": 1}).status_code == 200
        grappe_cli("keys", "revoke", revoked_id)
        keys = {"anonymous": None, "reader": reader_key, "admin": admin_key, "revoked": revoked,
                "manager_a": m.manager_key(A), "manager_b": m.manager_key(B)}
        cA = m.company(member_of=[A])
        cB = m.company(member_of=[B])
        P = m.partner(linked_to=[A, B])
        eA = m.event(A)
        private_word = unique_word("zqp")
        eA_private = m.event(A, public=False, title=f"Authz private event {private_word}")
        eB = m.event(B)
        eN = m.event(None)
        pA = m.project(A)
        pB = m.project(B)
        pBA = m.project(B, cluster_ids=[A])
        m.indicator(A, 2024, members=40, staff_fte=2)
        m.indicator(B, 2024, members=50, staff_fte=3)
        m.indicator(B, 2023, members=48)  # a year that B declared and A did not
        registrant = m.registration(eA["id"], name=f"Zqperson {unique_word('zqn')}",
                                    email=f"{unique_word('zqm')}@registrant.example", company_id=cA["id"])
        registrant_private = m.registration(eA_private["id"], name=f"Zqperson {unique_word('zqn')}",
                                            email=f"{unique_word('zqm')}@registrant.example")
        registrant_b = m.registration(eB["id"], name=f"Zqperson {unique_word('zqn')}",
                                      email=f"{unique_word('zqm')}@registrant.example")
        yield World(A=A, B=B, keys=keys, cA=cA, cB=cB, P=P, eA=eA, eA_private=eA_private, eB=eB, eN=eN,
                    pA=pA, pB=pB, pBA=pBA, word=word, registrant=registrant,
                    registrant_private=registrant_private, registrant_b=registrant_b,
                    private_title_word=private_word)
    finally:
        m.cleanup()


@pytest.fixture
def fresh(api, admin_key, make_key, world):
    """A Maker for the objects of one test, deleted afterwards."""
    m = Maker(api, admin_key, make_key, world)
    yield m
    m.cleanup()


# =====================================================================================
# Requests: one valid request per route, built for the world.
# =====================================================================================

@dataclass
class Req:
    method: str
    path: str
    body: Any = None                     # dict/list: JSON (a list of dicts with NDJSON)
    content_type: Optional[str] = None
    params: Optional[dict] = None
    headers: dict = field(default_factory=dict)
    probe: Optional[Callable[[], Any]] = None  # state that a refused call must leave as it is
    keys: dict = field(default_factory=dict)   # role -> key overrides for this request


def send(api, req, key, check=True):
    """Sends req with this key (None: no Authorization); the response is checked against
    openapi.yaml afterwards with check_contract()."""
    headers = dict(req.headers)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if req.body is not None:
        ct = req.content_type or ("application/merge-patch+json" if req.method == "PATCH" else "application/json")
        headers.setdefault("Content-Type", ct)
        if ct == NDJSON:
            data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in req.body).encode()
        else:
            data = json.dumps(req.body, ensure_ascii=False).encode()
    return api.session.request(req.method, api.base_url + req.path, params=req.params, headers=headers,
                               data=data, timeout=60, allow_redirects=False)


def check_contract(api, req, r):
    api.checker.check(req.method, r.request.path_url, r.status_code, r.headers, r.content)


def snap(sql, table, where):
    """Every column of the rows of table matching where, as JSON text (ordered by id)."""
    return sql(f"SELECT coalesce(json_agg(t ORDER BY t.id)::text, '[]') FROM {table} t WHERE {where}")


def count(sql, table, where):
    return int(sql(f"SELECT count(*) FROM {table} t WHERE {where}"))


def build(route, w, f, sql):
    """The request of this matrix row, with its probe."""
    A = w.A
    word = unique_word()
    simple = {
        "GET /health": "/health", "GET /ready": "/ready", "GET /metrics": "/metrics",
        "GET /openapi.json": "/openapi.json", "GET /docs": "/docs",
        "GET /v1/regions": "/v1/regions", "GET /v1/regions/{code}": "/v1/regions/84",
        "GET /v1/departments": "/v1/departments", "GET /v1/departments/{code}": "/v1/departments/74",
        "GET /v1/clusters": "/v1/clusters?limit=5", "GET /v1/clusters/{id}": f"/v1/clusters/{A}",
        "GET /v1/clusters/{id}/members": f"/v1/clusters/{A}/members",
        "GET /v1/clusters/{id}/partners": f"/v1/clusters/{A}/partners",
        "GET /v1/clusters/{id}/indicators": f"/v1/clusters/{A}/indicators",
        "GET /v1/memberships": "/v1/memberships?limit=5",
        "GET /v1/memberships#cluster=A": f"/v1/memberships?cluster={A}",
        "GET /v1/cluster-partners": "/v1/cluster-partners?limit=5",
        "GET /v1/cluster-partners#cluster=A": f"/v1/cluster-partners?cluster={A}",
        "GET /v1/indicators": "/v1/indicators?limit=5",
        "GET /v1/indicators#cluster=A": f"/v1/indicators?cluster={A}",
        "GET /v1/benchmark": "/v1/benchmark?year=2024",
        "GET /v1/benchmark#cluster=A": f"/v1/benchmark?year=2024&cluster={A}",
        "GET /v1/companies": "/v1/companies?limit=5", "GET /v1/companies/{id}": f"/v1/companies/{w.cA['id']}",
        "GET /v1/companies/{id}/clusters": f"/v1/companies/{w.cA['id']}/clusters",
        "GET /v1/partners": "/v1/partners?limit=5", "GET /v1/partners/{id}": f"/v1/partners/{w.P['id']}",
        "GET /v1/events": "/v1/events?limit=5", "GET /v1/events/{id}": f"/v1/events/{w.eA['id']}",
        "GET /v1/events/{id}#non-public": f"/v1/events/{w.eA_private['id']}",
        "GET /v1/events/{id}/registrations": f"/v1/events/{w.eA['id']}/registrations",
        "GET /v1/events/{id}/registrations#network-wide": f"/v1/events/{w.eN['id']}/registrations",
        "GET /v1/projects": "/v1/projects?limit=5", "GET /v1/projects/{id}": f"/v1/projects/{w.pA['id']}",
        "GET /v1/stats": "/v1/stats", "GET /v1/search": f"/v1/search?q={w.word}",
        "GET /v1/changes": "/v1/changes?limit=1",
    }
    if route in simple:
        path, _, query = simple[route].partition("?")
        params = dict(p.split("=", 1) for p in query.split("&")) if query else None
        return Req("GET", path, params=params)

    if route == "POST /v1/clusters":
        name = f"Authz new cluster {word}"
        return Req("POST", "/v1/clusters", {"name": name, "kind": "cluster"},
                   probe=lambda: count(sql, "clusters", f"name = {q(name)}"))
    if route == "PATCH /v1/clusters/{id}":
        return Req("PATCH", f"/v1/clusters/{A}", {"description": f"Patched {word}"},
                   probe=lambda: snap(sql, "clusters", f"id = {q(A)}"))
    if route == "DELETE /v1/clusters/{id}":
        x = f.cluster()["id"]  # its own manager may not delete it either
        return Req("DELETE", f"/v1/clusters/{x}", keys={"manager_a": f.manager_key(x)},
                   probe=lambda: snap(sql, "clusters", f"id = {q(x)}"))
    if route == "PUT /v1/clusters/{id}/members/{company_id}":
        c = f.company()["id"]
        return Req("PUT", f"/v1/clusters/{A}/members/{c}", {"role": "member", "college": "pme"},
                   probe=lambda: snap(sql, "memberships", f"cluster_id = {q(A)} AND company_id = {q(c)}"))
    if route == "DELETE /v1/clusters/{id}/members/{company_id}":
        c = f.company(member_of=[A])["id"]
        return Req("DELETE", f"/v1/clusters/{A}/members/{c}",
                   probe=lambda: snap(sql, "memberships", f"cluster_id = {q(A)} AND company_id = {q(c)}"))
    if route == "PUT /v1/clusters/{id}/partners/{partner_id}":
        p = f.partner()["id"]
        return Req("PUT", f"/v1/clusters/{A}/partners/{p}", {"role": "funder"},
                   probe=lambda: snap(sql, "cluster_partners", f"cluster_id = {q(A)} AND partner_id = {q(p)}"))
    if route == "DELETE /v1/clusters/{id}/partners/{partner_id}":
        p = f.partner(linked_to=[A])["id"]
        return Req("DELETE", f"/v1/clusters/{A}/partners/{p}",
                   probe=lambda: snap(sql, "cluster_partners", f"cluster_id = {q(A)} AND partner_id = {q(p)}"))
    if route == "PUT /v1/clusters/{id}/indicators/{year}":
        return Req("PUT", f"/v1/clusters/{A}/indicators/2021", {"members": next(_members), "staff_fte": 2},
                   probe=lambda: snap(sql, "indicators", f"cluster_id = {q(A)} AND year = 2021"))
    if route == "DELETE /v1/clusters/{id}/indicators/{year}":
        f.indicator(A, 2020, members=12)
        return Req("DELETE", f"/v1/clusters/{A}/indicators/2020",
                   probe=lambda: snap(sql, "indicators", f"cluster_id = {q(A)} AND year = 2020"))
    if route == "POST /v1/companies":
        name = f"Authz new company {word}"
        return Req("POST", "/v1/companies", {"name": name, "siret": new_siret(), "employees": 12},
                   probe=lambda: count(sql, "companies", f"name = {q(name)}"))
    if route == "POST /v1/companies/bulk":
        siret = new_siret()
        return Req("POST", "/v1/companies/bulk", [{"siret": siret, "name": f"Authz bulk company {word}"}],
                   content_type=NDJSON, probe=lambda: count(sql, "companies", f"siret = {q(siret)}"))
    if route == "PUT /v1/companies/siret/{siret}":
        c = f.company(member_of=[A])
        return Req("PUT", f"/v1/companies/siret/{c['siret']}", {"name": c["name"], "description": f"Put {word}"},
                   probe=lambda: snap(sql, "companies", f"id = {q(c['id'])}"))
    if route == "PUT /v1/companies/siret/{siret}#create":
        siret = new_siret()
        return Req("PUT", f"/v1/companies/siret/{siret}", {"name": f"Authz upserted company {word}"},
                   probe=lambda: count(sql, "companies", f"siret = {q(siret)}"))
    if route == "PATCH /v1/companies/{id}":
        c = f.company(member_of=[A])["id"]
        return Req("PATCH", f"/v1/companies/{c}", {"description": f"Patched {word}"},
                   probe=lambda: snap(sql, "companies", f"id = {q(c)}"))
    if route == "DELETE /v1/companies/{id}":
        c = f.company(member_of=[A])["id"]  # a member of A: its manager may still not delete it
        return Req("DELETE", f"/v1/companies/{c}", probe=lambda: snap(sql, "companies", f"id = {q(c)}"))
    if route == "POST /v1/partners":
        name = f"Authz new partner {word}"
        return Req("POST", "/v1/partners", {"name": name, "kind": "other"},
                   probe=lambda: count(sql, "partners", f"name = {q(name)}"))
    if route == "PATCH /v1/partners/{id}":
        p = f.partner(linked_to=[A])["id"]  # linked to A: still admin-only
        return Req("PATCH", f"/v1/partners/{p}", {"description": f"Patched {word}"},
                   probe=lambda: snap(sql, "partners", f"id = {q(p)}"))
    if route == "DELETE /v1/partners/{id}":
        p = f.partner(linked_to=[A])["id"]
        return Req("DELETE", f"/v1/partners/{p}", probe=lambda: snap(sql, "partners", f"id = {q(p)}"))
    if route in ("POST /v1/events", "POST /v1/events#network-wide"):
        title = f"Authz new event {word}"
        body = {"title": title, "kind": "training", "starts_at": utc_in(days=50), "ends_at": utc_in(days=50, hours=2)}
        if not route.endswith("#network-wide"):
            body["organizer_cluster_id"] = A
        return Req("POST", "/v1/events", body, probe=lambda: count(sql, "events", f"title = {q(title)}"))
    if route in ("PATCH /v1/events/{id}", "PATCH /v1/events/{id}#network-wide"):
        e = f.event(None if route.endswith("#network-wide") else A)["id"]
        return Req("PATCH", f"/v1/events/{e}", {"description": f"Patched {word}", "capacity": 30},
                   probe=lambda: snap(sql, "events", f"id = {q(e)}"))
    if route in ("DELETE /v1/events/{id}", "DELETE /v1/events/{id}#network-wide"):
        e = f.event(None if route.endswith("#network-wide") else A)["id"]
        return Req("DELETE", f"/v1/events/{e}", probe=lambda: snap(sql, "events", f"id = {q(e)}"))
    if route in ("POST /v1/events/{id}/registrations", "POST /v1/events/{id}/registrations#non-public"):
        e = w.eA_private["id"] if route.endswith("#non-public") else w.eA["id"]
        mail = f"authz.{unique_word('')}@example.org"
        return Req("POST", f"/v1/events/{e}/registrations", {"name": "Authz Registrant", "email": mail},
                   probe=lambda: count(sql, "registrations", f"email = {q(mail)}"))
    if route in ("DELETE /v1/events/{id}/registrations/{registration_id}",
                 "DELETE /v1/events/{id}/registrations/{registration_id}#token"):
        e = f.event(A)["id"]
        reg = f.registration(e)
        headers = {"X-Cancel-Token": reg["cancel_token"]} if route.endswith("#token") else {}
        return Req("DELETE", f"/v1/events/{e}/registrations/{reg['id']}", headers=headers,
                   probe=lambda: snap(sql, "registrations", f"id = {q(reg['id'])}"))
    if route == "POST /v1/projects":
        title = f"Authz new project {word}"
        return Req("POST", "/v1/projects", {"title": title, "category": "pooling", "lead_cluster_id": A},
                   probe=lambda: count(sql, "projects", f"title = {q(title)}"))
    if route == "PATCH /v1/projects/{id}":
        p = f.project(A)["id"]
        return Req("PATCH", f"/v1/projects/{p}", {"summary": f"Patched {word}", "budget_eur": 1000},
                   probe=lambda: snap(sql, "projects", f"id = {q(p)}"))
    if route == "DELETE /v1/projects/{id}":
        p = f.project(A)["id"]
        return Req("DELETE", f"/v1/projects/{p}", probe=lambda: snap(sql, "projects", f"id = {q(p)}"))
    if route == "PUT /v1/projects/{id}/clusters/{cluster_id}":
        p = f.invitation(w.B, A)["id"]  # B's project invites A: A's manager accepts, not B's
        return Req("PUT", f"/v1/projects/{p}/clusters/{A}", probe=lambda: snap(sql, "projects", f"id = {q(p)}"))
    if route == "DELETE /v1/projects/{id}/clusters/{cluster_id}":
        other = f.cluster()["id"]
        p = f.invitation(A, other)["id"]  # A's project: its managers withdraw another cluster
        return Req("DELETE", f"/v1/projects/{p}/clusters/{other}", probe=lambda: snap(sql, "projects", f"id = {q(p)}"))
    if route == "DELETE /v1/projects/{id}/clusters/{cluster_id}#decline":
        p = f.invitation(w.B, A)["id"]  # A declines B's invitation (or B, the lead, withdraws it)
        return Req("DELETE", f"/v1/projects/{p}/clusters/{A}", probe=lambda: snap(sql, "projects", f"id = {q(p)}"))
    if route.startswith(("GET /v1/webhooks", "POST /v1/webhooks", "PATCH /v1/webhooks", "DELETE /v1/webhooks")):
        return _webhook_req(route, w, f, sql, word)
    if route.startswith(("GET /v1/keys", "POST /v1/keys", "DELETE /v1/keys")):
        return _key_req(route, w, f, sql, word)
    if "/external/" in route or route.endswith("/bulk"):
        return _sync_req(route, w, f, sql, word)
    raise AssertionError(f"no request is built for {route}: add it to build()")


KINDS = {"clusters": "cluster", "companies": "company", "partners": "partner", "projects": "project",
         "events": "event"}
CREATE_SCHEMA = {"clusters": "ClusterCreate", "companies": "CompanyCreate", "partners": "PartnerCreate",
                 "projects": "ProjectCreate", "events": "EventCreate"}


def writable(resource, obj):
    """The writable fields of obj (a representation): a whole body for PUT or a bulk line."""
    props = resolve({"$ref": f"#/components/schemas/{CREATE_SCHEMA[resource]}"})["properties"]
    return {k: v for k, v in obj.items() if k in props}


def ext_count(sql, resource, value):
    """How many rows of this resource hold the external id authz:value (0 or 1)."""
    return count(sql, "external_ids", f"kind = {q(KINDS[resource])} AND ns = 'authz' AND value = {q(value)}")


def new_body(resource, w, word, lead):
    """A whole new object of this resource (led or organised by cluster `lead`)."""
    return {
        "clusters": {"name": f"Authz ext cluster {word}", "kind": "cluster"},
        "companies": {"name": f"Authz ext company {word}"},
        "partners": {"name": f"Authz ext partner {word}", "kind": "other"},
        "projects": {"title": f"Authz ext project {word}", "category": "pooling", "lead_cluster_id": lead},
        "events": {"title": f"Authz ext event {word}", "kind": "training", "organizer_cluster_id": lead,
                   "starts_at": utc_in(days=70), "ends_at": utc_in(days=70, hours=2)},
    }[resource]


def with_defaults(resource, body):
    """The body with the fields that have a default given (a PUT clears what it lacks)."""
    defaults = {
        "clusters": {"sectors": [], "region_codes": [], "department_codes": [], "status": "active", "labels": []},
        "projects": {"status": "idea", "cluster_ids": [], "companies": [], "partners": [], "funding": []},
        "events": {"mode": "in_person", "waitlist": True, "status": "scheduled", "public": True},
    }.get(resource, {})
    return {**defaults, **body}


def own_object(resource, w, f, value, **kw):
    """An object of cluster A's (A itself for clusters) holding the external id authz:value."""
    ext = {"external_ids": {"authz": value}}
    if resource == "clusters":
        r = f.api.patch(f"/v1/clusters/{w.A}", ext, key=f.admin)
        assert r.status_code == 200, r.text
        return r.json()
    if resource == "companies":
        return f.company(member_of=[w.A], **ext, **kw)
    if resource == "partners":
        return f.partner(linked_to=[w.A], **ext, **kw)
    if resource == "projects":
        return f.project(w.A, **ext, **kw)
    return f.event(w.A, **ext, **kw)


def _sync_req(route, w, f, sql, word):
    """Routes by external id, and the bulk imports of clusters, partners, projects, events and
    memberships."""
    method, path = route.split("#")[0].split(" ", 1)
    resource = path.split("/")[2]
    table = resource
    if method == "GET":
        value = f"get-{word}"
        kw = {"public": False} if route.endswith("#non-public") else {}
        own_object(resource, w, f, value, **kw)
        return Req("GET", f"/v1/{resource}/external/authz/{value}")
    if method == "PUT" and route.endswith("#create"):
        value = f"new-{word}"
        body = with_defaults(resource, new_body(resource, w, word, w.A))
        return Req("PUT", f"/v1/{resource}/external/authz/{value}", body,
                   probe=lambda: ext_count(sql, resource, value))
    if method == "PUT":
        value = f"own-{word}"
        obj = own_object(resource, w, f, value)
        body = with_defaults(resource, writable(resource, obj))
        body.pop("external_ids", None)
        text = "summary" if resource == "projects" else "description"
        body[text] = f"Put by external id {word}"
        return Req("PUT", f"/v1/{resource}/external/authz/{value}", body,
                   probe=lambda: snap(sql, table, f"id = {q(obj['id'])}"))
    # bulk: the state that every allowed caller's line may or may not change is checked by
    # the line tests; here, the call itself
    if resource == "memberships":
        c = f.company()["id"]
        return Req("POST", path, [{"cluster_id": w.A, "company_id": c, "role": "member"}], content_type=NDJSON)
    if resource == "clusters":
        line = {**writable("clusters", f.api.get(f"/v1/clusters/{w.A}").json()), "id": w.A}
        line.pop("external_ids", None)
        line["description"] = f"Bulk {word}"
        return Req("POST", path, [line], content_type=NDJSON)
    line = {**new_body(resource, w, word, w.A), "external_ids": {"authz": f"bulk-{word}"}}
    return Req("POST", path, [line], content_type=NDJSON)


def _webhook_req(route, w, f, sql, word):
    """Webhook routes, on a subscription of the reader's key (to a port where nothing
    listens: a test ping fails quickly, and is still an allowed call)."""
    url = "http://127.0.0.1:9/authz"
    if route == "GET /v1/webhooks":
        return Req("GET", "/v1/webhooks", params={"limit": "5"})
    if route == "POST /v1/webhooks":
        desc = f"Authz webhook {word}"
        return Req("POST", "/v1/webhooks", {"url": url, "description": desc, "types": ["cluster"]},
                   probe=lambda: count(sql, "webhooks", f"description = {q(desc)}"))
    r = f.api.post("/v1/webhooks", {"url": url, "description": f"Authz target {word}"}, key=w.keys["reader"])
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    f.track(f"/v1/webhooks/{wid}")
    row = lambda: snap(sql, "webhooks", f"id = {q(wid)}")  # noqa: E731
    if route == "GET /v1/webhooks/{id}":
        return Req("GET", f"/v1/webhooks/{wid}")
    if route == "GET /v1/webhooks/{id}/deliveries":
        return Req("GET", f"/v1/webhooks/{wid}/deliveries")
    if route == "PATCH /v1/webhooks/{id}":
        return Req("PATCH", f"/v1/webhooks/{wid}", {"description": f"Patched {word}"}, probe=row)
    if route == "DELETE /v1/webhooks/{id}":
        return Req("DELETE", f"/v1/webhooks/{wid}", probe=row)
    if route == "POST /v1/webhooks/{id}/rotate-secret":
        return Req("POST", f"/v1/webhooks/{wid}/rotate-secret", probe=row)
    if route == "POST /v1/webhooks/{id}/replay":
        return Req("POST", f"/v1/webhooks/{wid}/replay", params={"since": "now"}, probe=row)
    if route == "POST /v1/webhooks/{id}/test":
        return Req("POST", f"/v1/webhooks/{wid}/test",
                   probe=lambda: count(sql, "webhook_deliveries", f"webhook_id = {q(wid)}"))
    raise AssertionError(f"no request is built for {route}: add it to _webhook_req()")


def _key_req(route, w, f, sql, word):
    """Key routes, on a reader key that an admin made over HTTP for this request (revoked at
    the end of the test)."""
    if route == "GET /v1/keys":
        return Req("GET", "/v1/keys", params={"limit": "5"})
    if route == "POST /v1/keys":
        name = f"Authz key {word}"
        return Req("POST", "/v1/keys", {"name": name, "role": "reader"},
                   probe=lambda: count(sql, "api_keys", f"name = {q(name)}"))
    r = f.api.post("/v1/keys", {"name": f"Authz target key {word}", "role": "reader"}, key=f.admin)
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    f.track(f"/v1/keys/{kid}")
    row = lambda: snap(sql, "api_keys", f"id = {q(kid)}")  # noqa: E731
    if route == "GET /v1/keys/{id}":
        return Req("GET", f"/v1/keys/{kid}")
    if route == "DELETE /v1/keys/{id}":
        return Req("DELETE", f"/v1/keys/{kid}", probe=row)
    if route == "POST /v1/keys/{id}/rotate":
        return Req("POST", f"/v1/keys/{kid}/rotate", {}, probe=row)
    raise AssertionError(f"no request is built for {route}: add it to _key_req()")


_members = itertools.count(secrets.randbelow(1000) * 1000)  # a new value for every PUT of A's 2021


COLLECTIONS = ("/v1/clusters/", "/v1/companies/", "/v1/partners/", "/v1/events/", "/v1/projects/",
               "/v1/webhooks/", "/v1/keys/")  # a key's DELETE revokes it


def track_created(f, r):
    """Deletes, at the end of the test, what an allowed call created."""
    if r.status_code == 201 and "Location" in r.headers:
        loc = r.headers["Location"]
        path = loc[loc.index("/v1/"):] if "/v1/" in loc else loc
        if path.startswith(COLLECTIONS) and path.count("/") == 3:
            f.track(path)
    bulk = r.request.path_url.split("?")[0]
    if r.status_code == 200 and bulk.endswith("/bulk") and not bulk.startswith("/v1/memberships"):
        for line in r.json().get("results", []):
            if line.get("status") == "created" and line.get("id"):
                f.track(f"{bulk[:-len('/bulk')]}/{line['id']}")


def assert_outcome(r, expected, what):
    got = r.status_code
    if expected == ok:
        assert 200 <= got < 300, f"{what}: expected an allowed call (2xx), got {got}: {r.text[:400]}"
        return
    assert got == expected, f"{what}: expected {expected}, got {got}: {r.text[:400]}"
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found"}[expected]
    problem(r, expected, code)
    if expected == 401:
        assert r.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), what


# ---- the matrix tests -----------------------------------------------------------------

def test_matrix_covers_every_operation():
    documented = ops_in_openapi()
    listed = {route.split("#")[0] for route in MATRIX}
    missing = sorted(documented - listed)
    stale = sorted(listed - documented)
    assert not missing, f"operations of openapi.yaml without a row in MATRIX (add them): {missing}"
    assert not stale, f"MATRIX rows for operations that openapi.yaml does not have: {stale}"
    for route, row in MATRIX.items():
        assert len(row) == len(ROLES), route
        assert all(v == ok or v in (401, 403, 404) for v in row), route


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix_agrees_with_the_operation_security(route):
    """The table against openapi.yaml: `security: []` takes no key (everyone, a revoked key
    too, is allowed); without `{}` in security no anonymous call is allowed; with a key
    scheme, a revoked key is 401; every status in the row is documented for the operation."""
    op = operation(route)
    row = dict(zip(ROLES, MATRIX[route]))
    security = op.get("security", SPEC.get("security", []))
    if security == []:
        assert set(row.values()) == {ok}, route
        return
    if {} not in security:
        assert row["anonymous"] == 401, route
    assert row["revoked"] == 401, route
    for v in set(row.values()) - {ok}:
        assert str(v) in op["responses"], f"{route}: {v} is not documented"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix(api, sql, world, fresh, route, role):
    expected = dict(zip(ROLES, MATRIX[route]))[role]
    req = build(route, world, fresh, sql)
    key = req.keys.get(role, world.keys[role])
    before = req.probe() if req.probe else None
    r = send(api, req, key)
    track_created(fresh, r)
    why = f" ({WHY[route.split('#')[0]]})" if route.split("#")[0] in WHY else ""
    assert_outcome(r, expected, f"{route} as {role}{why}")
    if req.probe:
        if expected == ok:  # the probe sees the write (so that it would see a refused one)
            assert req.probe() != before, f"{route} as {role} was allowed ({r.status_code}) but changed nothing"
        else:
            assert req.probe() == before, f"{route} as {role} was refused ({r.status_code}) but changed data"
    check_contract(api, req, r)
    if req.method == "GET":
        # HEAD is GET without the body: the same decision, and nothing to read
        head = Req("HEAD", req.path, params=req.params, headers=req.headers)
        h = send(api, head, key)
        assert (h.status_code // 100 == 2) if expected == ok else h.status_code == expected, \
            f"HEAD {route} as {role}: expected {expected}, got {h.status_code}"
        assert h.content == b""
        if expected != ok:
            assert "X-Total-Count" not in h.headers and "ETag" not in h.headers, dict(h.headers)
        check_contract(api, head, h)


# =====================================================================================
# 2. Object level: the manager of A on cluster B's objects.
# =====================================================================================

def _b_targets(w, f, sql):
    """(name, Req): every write (and private read) of the manager of A on B's objects."""
    A, B, word = w.A, w.B, unique_word()
    cB = w.cB
    out = []

    def add(name, req):
        out.append((name, req))

    row = lambda table, where: (lambda: snap(sql, table, where))  # noqa: E731
    add("PATCH cluster B", Req("PATCH", f"/v1/clusters/{B}", {"description": f"Hijacked {word}"},
                               probe=row("clusters", f"id = {q(B)}")))
    add("PATCH cluster B (upper-case id)", Req("PATCH", f"/v1/clusters/{B.upper()}", {"acronym": "HIJ"},
                                               probe=row("clusters", f"id = {q(B)}")))
    add("DELETE cluster B", Req("DELETE", f"/v1/clusters/{B}", probe=row("clusters", f"id = {q(B)}")))
    # memberships of B
    c_new = f.company()["id"]
    add("PUT a new membership in B", Req("PUT", f"/v1/clusters/{B}/members/{c_new}", {"role": "member"},
                                         probe=row("memberships", f"company_id = {q(c_new)}")))
    add("PUT a membership in B of A's own member",
        Req("PUT", f"/v1/clusters/{B}/members/{w.cA['id']}", {"role": "member"},
            probe=row("memberships", f"cluster_id = {q(B)} AND company_id = {q(w.cA['id'])}")))
    add("PUT B's existing membership", Req("PUT", f"/v1/clusters/{B}/members/{cB['id']}", {"role": "board_member"},
                                           probe=row("memberships", f"company_id = {q(cB['id'])}")))
    add("DELETE B's membership", Req("DELETE", f"/v1/clusters/{B}/members/{cB['id']}",
                                     probe=row("memberships", f"company_id = {q(cB['id'])}")))
    # partner links of B
    p_new = f.partner()["id"]
    add("PUT a new partner link of B", Req("PUT", f"/v1/clusters/{B}/partners/{p_new}", {"role": "support"},
                                           probe=row("cluster_partners", f"partner_id = {q(p_new)}")))
    add("PUT B's existing partner link", Req("PUT", f"/v1/clusters/{B}/partners/{w.P['id']}", {"role": "funder"},
                                             probe=row("cluster_partners", f"cluster_id = {q(B)}")))
    add("DELETE B's partner link", Req("DELETE", f"/v1/clusters/{B}/partners/{w.P['id']}",
                                       probe=row("cluster_partners", f"cluster_id = {q(B)}")))
    # indicators of B
    add("PUT a new year of B's indicators", Req("PUT", f"/v1/clusters/{B}/indicators/2022", {"members": 1},
                                                probe=row("indicators", f"cluster_id = {q(B)}")))
    add("PUT B's declared year", Req("PUT", f"/v1/clusters/{B}/indicators/2024", {"members": 1},
                                     probe=row("indicators", f"cluster_id = {q(B)}")))
    add("PUT B's declared year with an empty body", Req("PUT", f"/v1/clusters/{B}/indicators/2024", {},
                                                        probe=row("indicators", f"cluster_id = {q(B)}")))
    add("DELETE B's declared year", Req("DELETE", f"/v1/clusters/{B}/indicators/2024",
                                        probe=row("indicators", f"cluster_id = {q(B)}")))
    # projects B leads
    t1, t2 = f"Authz B project {word}", f"Authz BA project {word}"
    add("POST a project led by B", Req("POST", "/v1/projects", {"title": t1, "category": "pooling", "lead_cluster_id": B},
                                       probe=lambda: count(sql, "projects", f"title = {q(t1)}")))
    add("POST a project led by B with A taking part",
        Req("POST", "/v1/projects", {"title": t2, "category": "pooling", "lead_cluster_id": B, "cluster_ids": [A]},
            probe=lambda: count(sql, "projects", f"title = {q(t2)}")))
    for name, p in (("B's project", w.pB), ("B's project in which A takes part", w.pBA)):
        add(f"PATCH {name}", Req("PATCH", f"/v1/projects/{p['id']}", {"summary": f"Hijacked {word}"},
                                 probe=row("projects", f"id = {q(p['id'])}")))
        add(f"PATCH {name}: take the lead", Req("PATCH", f"/v1/projects/{p['id']}", {"lead_cluster_id": A},
                                                probe=row("projects", f"id = {q(p['id'])}")))
        add(f"DELETE {name}", Req("DELETE", f"/v1/projects/{p['id']}", probe=row("projects", f"id = {q(p['id'])}")))
    own_p = f.project(A)["id"]
    add("PATCH A's project: hand the lead to B", Req("PATCH", f"/v1/projects/{own_p}", {"lead_cluster_id": B},
                                                     probe=row("projects", f"id = {q(own_p)}")))
    # B's invitation to A's project is B's to accept; B's project lists clusters A may not withdraw
    inv_a = f.invitation(A, B)["id"]
    add("PUT: accept for B an invitation to A's project",
        Req("PUT", f"/v1/projects/{inv_a}/clusters/{B}", probe=row("projects", f"id = {q(inv_a)}")))
    other_c = f.cluster()["id"]
    inv_b = f.invitation(B, other_c)["id"]
    add("DELETE another cluster from B's project",
        Req("DELETE", f"/v1/projects/{inv_b}/clusters/{other_c}", probe=row("projects", f"id = {q(inv_b)}")))
    add("DELETE the lead cluster B from B's project",
        Req("DELETE", f"/v1/projects/{w.pB['id']}/clusters/{B}", probe=row("projects", f"id = {q(w.pB['id'])}")))
    # events B organises, and their registrations
    t3 = f"Authz B event {word}"
    add("POST an event organised by B",
        Req("POST", "/v1/events", {"title": t3, "kind": "training", "organizer_cluster_id": B,
                                   "starts_at": utc_in(days=60), "ends_at": utc_in(days=60, hours=1)},
            probe=lambda: count(sql, "events", f"title = {q(t3)}")))
    add("PATCH B's event", Req("PATCH", f"/v1/events/{w.eB['id']}", {"capacity": 1},
                               probe=row("events", f"id = {q(w.eB['id'])}")))
    add("PATCH B's event: take it over", Req("PATCH", f"/v1/events/{w.eB['id']}", {"organizer_cluster_id": A},
                                             probe=row("events", f"id = {q(w.eB['id'])}")))
    add("PATCH B's event: cancel it", Req("PATCH", f"/v1/events/{w.eB['id']}", {"status": "cancelled"},
                                          probe=row("events", f"id = {q(w.eB['id'])}")))
    eB_private = f.event(B, public=False)["id"]
    add("PATCH B's non-public event", Req("PATCH", f"/v1/events/{eB_private}", {"capacity": 1},
                                          probe=row("events", f"id = {q(eB_private)}")))
    add("DELETE B's event", Req("DELETE", f"/v1/events/{w.eB['id']}", probe=row("events", f"id = {q(w.eB['id'])}")))
    own_e = f.event(A)["id"]
    add("PATCH A's event: hand it to B", Req("PATCH", f"/v1/events/{own_e}", {"organizer_cluster_id": B},
                                             probe=row("events", f"id = {q(own_e)}")))
    reg_b = f.registration(w.eB["id"])
    reg_a = f.registration(own_e)
    add("DELETE a registration to B's event (no token)",
        Req("DELETE", f"/v1/events/{w.eB['id']}/registrations/{reg_b['id']}",
            probe=row("registrations", f"event_id = {q(w.eB['id'])}")))
    add("DELETE a registration to B's event with the token of another registration",
        Req("DELETE", f"/v1/events/{w.eB['id']}/registrations/{reg_b['id']}",
            headers={"X-Cancel-Token": reg_a["cancel_token"]},
            probe=row("registrations", f"event_id = {q(w.eB['id'])}")))
    # companies that are current members of B only
    add("PATCH a company member of B only", Req("PATCH", f"/v1/companies/{cB['id']}", {"employees": 1},
                                                probe=row("companies", f"id = {q(cB['id'])}")))
    add("PUT by SIRET a company member of B only",
        Req("PUT", f"/v1/companies/siret/{cB['siret']}", {"name": f"Hijacked {word}"},
            probe=row("companies", f"id = {q(cB['id'])}")))
    add("PUT by SIRET, create-only, a company member of B only",
        Req("PUT", f"/v1/companies/siret/{cB['siret']}", {"name": f"Hijacked {word}"}, headers={"If-None-Match": "*"},
            probe=row("companies", f"id = {q(cB['id'])}")))
    # by external id: B's objects, and new ones of B's
    ext = {}
    for name, path, obj, body in (("cluster B", "clusters", {"id": B}, None),
                                  ("a company member of B only", "companies", cB, None),
                                  ("the partner linked to B", "partners", w.P, None),
                                  ("B's project", "projects", w.pB, None),
                                  ("B's event", "events", w.eB, None)):
        value = f"b-{word}-{path}"
        r = f.api.patch(f"/v1/{path}/{obj['id']}", {"external_ids": {"authz": value}}, key=f.admin)
        assert r.status_code == 200, r.text
        body = with_defaults(path, writable(path, r.json()))
        body.pop("external_ids")
        body["summary" if path == "projects" else "description"] = f"Hijacked {word}"
        ext[path] = value
        add(f"PUT by external id {name}", Req("PUT", f"/v1/{path}/external/authz/{value}", body,
                                              probe=row(path, f"id = {q(obj['id'])}")))
    for path in ("projects", "events"):
        value = f"b-new-{word}-{path}"
        add(f"PUT by external id a new {path[:-1]} of B",
            Req("PUT", f"/v1/{path}/external/authz/{value}", with_defaults(path, new_body(path, w, word, B)),
                probe=lambda path=path, value=value: ext_count(sql, path, value)))
    add("DELETE a company member of B only", Req("DELETE", f"/v1/companies/{cB['id']}",
                                                 probe=row("companies", f"id = {q(cB['id'])}")))
    # a company shared by A and B is the admin's to change (SPEC, Auth), however it got shared
    shared = f.company(member_of=[A, B])
    add("PATCH a company member of A and B", Req("PATCH", f"/v1/companies/{shared['id']}", {"employees": 2},
                                                 probe=row("companies", f"id = {q(shared['id'])}")))
    add("PUT by SIRET a company member of A and B",
        Req("PUT", f"/v1/companies/siret/{shared['siret']}", {"name": f"Hijacked {word}"},
            probe=row("companies", f"id = {q(shared['id'])}")))
    enlisted = f.company(member_of=[B])
    r = send(f.api, Req("PUT", f"/v1/clusters/{A}/members/{enlisted['id']}", {"role": "member"}), w.keys["manager_a"])
    assert r.status_code == 201, r.text  # A's manager may enlist any company in A
    add("PATCH a company of B that A's manager enlisted in A",
        Req("PATCH", f"/v1/companies/{enlisted['id']}", {"email": f"{word}@hijack.example"},
            probe=row("companies", f"id = {q(enlisted['id'])}")))
    gone = f.company(member_of=[A, B])
    r = f.api.delete(f"/v1/clusters/{A}/members/{gone['id']}", key=f.admin)
    assert r.status_code == 204, r.text
    add("PATCH a company that left A and is a member of B",
        Req("PATCH", f"/v1/companies/{gone['id']}", {"employees": 3}, probe=row("companies", f"id = {q(gone['id'])}")))
    add("PATCH the partner linked to B", Req("PATCH", f"/v1/partners/{w.P['id']}", {"description": f"Hijacked {word}"},
                                             probe=row("partners", f"id = {q(w.P['id'])}")))
    # private reads of B's objects
    add("GET B's indicators", Req("GET", f"/v1/clusters/{B}/indicators"))
    add("GET B's indicators as CSV", Req("GET", f"/v1/clusters/{B}/indicators", params={"format": "csv"}))
    add("GET the benchmark of B", Req("GET", "/v1/benchmark", params={"year": 2024, "cluster": B}))
    add("GET A's and B's rows of the indicators table", Req("GET", "/v1/indicators", params={"cluster": f"{A},{B}"}))
    add("GET B's memberships from the link table as NDJSON",
        Req("GET", "/v1/memberships", params={"cluster": B, "format": "ndjson"}))
    add("GET the registrations of B's event", Req("GET", f"/v1/events/{w.eB['id']}/registrations"))
    add("GET the registrations of B's event as NDJSON",
        Req("GET", f"/v1/events/{w.eB['id']}/registrations", params={"format": "ndjson"}))
    # ids in upper case are the same ids (the scope check must not be case-sensitive)
    add("GET B's indicators (upper-case id)", Req("GET", f"/v1/clusters/{B.upper()}/indicators"))
    add("GET the benchmark of B (upper-case id)", Req("GET", "/v1/benchmark", params={"year": 2024, "cluster": B.upper()}))
    add("GET the registrations of B's event (upper-case id)",
        Req("GET", f"/v1/events/{w.eB['id'].upper()}/registrations"))
    add("PATCH B's event (upper-case id)", Req("PATCH", f"/v1/events/{w.eB['id'].upper()}", {"capacity": 2},
                                               probe=row("events", f"id = {q(w.eB['id'])}")))
    add("DELETE B's project (upper-case id)", Req("DELETE", f"/v1/projects/{w.pB['id'].upper()}",
                                                  probe=row("projects", f"id = {q(w.pB['id'])}")))
    add("PUT B's existing membership (upper-case ids)",
        Req("PUT", f"/v1/clusters/{B.upper()}/members/{cB['id'].upper()}", {"role": "board_member"},
            probe=row("memberships", f"company_id = {q(cB['id'])}")))
    # B's objects named under A's own parents (the parent in the path is A's, the child is
    # B's): not found there (404), or refused (403); either way nothing changes
    add("DELETE B's registration under A's event",
        Req("DELETE", f"/v1/events/{own_e}/registrations/{reg_b['id']}",
            probe=row("registrations", f"event_id = {q(w.eB['id'])}")))
    add("DELETE B's member company under A", Req("DELETE", f"/v1/clusters/{A}/members/{cB['id']}",
                                                  probe=row("memberships", f"company_id = {q(cB['id'])}")))
    p_b = f.partner(linked_to=[B])["id"]
    add("DELETE B's partner link under A", Req("DELETE", f"/v1/clusters/{A}/partners/{p_b}",
                                               probe=row("cluster_partners", f"partner_id = {q(p_b)}")))
    add("DELETE B's declared year under A", Req("DELETE", f"/v1/clusters/{A}/indicators/2023",
                                                probe=row("indicators", "year = 2023")))
    add("PATCH A's event: make it network-wide", Req("PATCH", f"/v1/events/{own_e}", {"organizer_cluster_id": None},
                                                     probe=row("events", f"id = {q(own_e)}")))
    return out


B_TARGETS = [
    "PATCH cluster B", "PATCH cluster B (upper-case id)", "DELETE cluster B",
    "PUT a new membership in B", "PUT a membership in B of A's own member", "PUT B's existing membership",
    "DELETE B's membership",
    "PUT a new partner link of B", "PUT B's existing partner link", "DELETE B's partner link",
    "PUT a new year of B's indicators", "PUT B's declared year", "PUT B's declared year with an empty body",
    "DELETE B's declared year",
    "POST a project led by B", "POST a project led by B with A taking part",
    "PATCH B's project", "PATCH B's project: take the lead", "DELETE B's project",
    "PATCH B's project in which A takes part", "PATCH B's project in which A takes part: take the lead",
    "DELETE B's project in which A takes part", "PATCH A's project: hand the lead to B",
    "PUT: accept for B an invitation to A's project", "DELETE another cluster from B's project",
    "DELETE the lead cluster B from B's project",
    "POST an event organised by B", "PATCH B's event", "PATCH B's event: take it over", "PATCH B's event: cancel it",
    "PATCH B's non-public event", "DELETE B's event", "PATCH A's event: hand it to B",
    "DELETE a registration to B's event (no token)",
    "DELETE a registration to B's event with the token of another registration",
    "PATCH a company member of B only", "PUT by SIRET a company member of B only",
    "PUT by SIRET, create-only, a company member of B only", "DELETE a company member of B only",
    "PUT by external id cluster B", "PUT by external id a company member of B only",
    "PUT by external id the partner linked to B", "PUT by external id B's project", "PUT by external id B's event",
    "PUT by external id a new project of B", "PUT by external id a new event of B",
    "PATCH a company member of A and B", "PUT by SIRET a company member of A and B",
    "PATCH a company of B that A's manager enlisted in A",
    "PATCH a company that left A and is a member of B", "PATCH the partner linked to B",
    "GET B's indicators", "GET B's indicators as CSV", "GET the benchmark of B", "GET the registrations of B's event",
    "GET A's and B's rows of the indicators table", "GET B's memberships from the link table as NDJSON",
    "GET the registrations of B's event as NDJSON",
    "PATCH A's event: make it network-wide",
    "GET B's indicators (upper-case id)", "GET the benchmark of B (upper-case id)",
    "GET the registrations of B's event (upper-case id)", "PATCH B's event (upper-case id)",
    "DELETE B's project (upper-case id)", "PUT B's existing membership (upper-case ids)",
]
# B's children under A's parents: 404 (no such child there) is the documented answer; 403 is
# accepted too. What matters is that nothing changes.
B_UNDER_A = [
    "DELETE B's registration under A's event", "DELETE B's member company under A",
    "DELETE B's partner link under A", "DELETE B's declared year under A",
]


@pytest.mark.parametrize("target", B_TARGETS + B_UNDER_A)
def test_manager_of_a_on_b_objects_is_403_and_changes_nothing(api, sql, world, fresh, target):
    reqs = dict(_b_targets(world, fresh, sql))
    assert set(reqs) == set(B_TARGETS + B_UNDER_A)
    req = reqs[target]
    before = req.probe() if req.probe else None
    r = send(api, req, world.keys["manager_a"])
    track_created(fresh, r)
    if target in B_UNDER_A and r.status_code == 404:
        assert_outcome(r, 404, f"manager of A: {target}")
    else:
        assert_outcome(r, 403, f"manager of A: {target}")
    if req.probe:
        assert req.probe() == before, f"manager of A: {target} was refused but changed data"
    check_contract(api, req, r)


def test_object_level_targets_cover_every_write_route():
    """Every write operation of openapi.yaml that a manager may call on its own objects has an
    object-level case against B's (the admin-only ones too, and registrations' DELETE)."""
    reqs_routes = {
        "PATCH /v1/clusters/{id}", "DELETE /v1/clusters/{id}", "PUT /v1/clusters/{id}/members/{company_id}",
        "DELETE /v1/clusters/{id}/members/{company_id}", "PUT /v1/clusters/{id}/partners/{partner_id}",
        "DELETE /v1/clusters/{id}/partners/{partner_id}", "PUT /v1/clusters/{id}/indicators/{year}",
        "DELETE /v1/clusters/{id}/indicators/{year}", "POST /v1/projects", "PATCH /v1/projects/{id}",
        "DELETE /v1/projects/{id}", "POST /v1/events", "PATCH /v1/events/{id}", "DELETE /v1/events/{id}",
        "DELETE /v1/events/{id}/registrations/{registration_id}", "PATCH /v1/companies/{id}",
        "PUT /v1/companies/siret/{siret}", "DELETE /v1/companies/{id}", "PATCH /v1/partners/{id}",
        "POST /v1/companies/bulk",  # test_bulk_update_of_a_company_of_b_is_refused_on_its_line
        # test_bulk_lines_on_b_objects_are_forbidden
        "POST /v1/clusters/bulk", "POST /v1/partners/bulk", "POST /v1/projects/bulk", "POST /v1/events/bulk",
        "POST /v1/memberships/bulk",
        "PUT /v1/clusters/external/{ns}/{value}", "PUT /v1/companies/external/{ns}/{value}",
        "PUT /v1/partners/external/{ns}/{value}", "PUT /v1/projects/external/{ns}/{value}",
        "PUT /v1/events/external/{ns}/{value}",
        "PUT /v1/projects/{id}/clusters/{cluster_id}", "DELETE /v1/projects/{id}/clusters/{cluster_id}",
    }
    # writes that touch no cluster's objects: creating clusters, partners and companies, and
    # registering (open to all)
    unscoped = {"POST /v1/clusters", "POST /v1/partners", "POST /v1/companies", "DELETE /v1/partners/{id}",
                "POST /v1/events/{id}/registrations"}
    # webhooks belong to a key, not to a cluster: another key's are 404 (MATRIX); a manager's
    # cluster_ids outside its clusters are 403 (test_webhooks.py, test_who_may_subscribe)
    unscoped |= {"POST /v1/webhooks", "PATCH /v1/webhooks/{id}", "DELETE /v1/webhooks/{id}",
                 "POST /v1/webhooks/{id}/rotate-secret", "POST /v1/webhooks/{id}/test",
                 "POST /v1/webhooks/{id}/replay"}
    # API keys belong to no cluster: they are an admin's only (MATRIX)
    unscoped |= {"POST /v1/keys", "DELETE /v1/keys/{id}", "POST /v1/keys/{id}/rotate"}
    writes = {r for r in ops_in_openapi() if r.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE")}
    assert writes - unscoped == reqs_routes, sorted(writes - unscoped ^ reqs_routes)


def test_bulk_update_of_a_company_of_b_is_refused_on_its_line(api, sql, world, fresh):
    """openapi (importCompanies): a manager updating a company that is not a member of one of
    its clusters gets that line refused (`forbidden`), and nothing is written for it."""
    cB = world.cB
    before = snap(sql, "companies", f"id = {q(cB['id'])}")
    siret = new_siret()
    req = Req("POST", "/v1/companies/bulk", [{"siret": cB["siret"], "name": "Hijacked by bulk"},
                                             {"siret": siret, "name": f"Authz bulk new {unique_word()}"}],
              content_type=NDJSON)
    r = send(api, req, world.keys["manager_a"])
    track_created(fresh, r)
    assert r.status_code == 200, r.text
    lines = r.json()["results"]
    assert lines[0]["status"] == "error", lines[0]
    assert [e["code"] for e in lines[0]["errors"]] == ["forbidden"], lines[0]
    assert lines[1]["status"] == "created", lines[1]
    assert snap(sql, "companies", f"id = {q(cB['id'])}") == before
    check_contract(api, req, r)
    # atomic: the forbidden line makes the whole import write nothing
    siret2 = new_siret()
    req = Req("POST", "/v1/companies/bulk", [{"siret": siret2, "name": "Authz atomic"},
                                             {"siret": cB["siret"], "name": "Hijacked by bulk"}],
              content_type=NDJSON, params={"atomic": "true"})
    r = send(api, req, world.keys["manager_a"])
    assert r.status_code == 200, r.text
    assert r.json()["committed"] is False
    assert count(sql, "companies", f"siret = {q(siret2)}") == 0
    assert snap(sql, "companies", f"id = {q(cB['id'])}") == before
    check_contract(api, req, r)


def _b_bulk_lines(w, f, word):
    """(bulk path, a line of the manager of A on B's objects, probe SQL table and condition)."""
    B, cB = w.B, w.cB
    c_new = f.company()["id"]
    cluster_b = {**writable("clusters", f.api.get(f"/v1/clusters/{B}").json()), "id": B}
    cluster_b.pop("external_ids", None)
    cluster_b["description"] = f"Hijacked by bulk {word}"
    return [
        ("/v1/clusters/bulk", cluster_b, "clusters", f"id = {q(B)}"),
        ("/v1/projects/bulk", {**with_defaults("projects", writable("projects", w.pB)), "id": w.pB["id"],
                               "summary": f"Hijacked {word}"}, "projects", f"id = {q(w.pB['id'])}"),
        ("/v1/projects/bulk", {**new_body("projects", w, word, B), "external_ids": {"authz": f"bb-{word}"}},
         "projects", f"title = {q(new_body('projects', w, word, B)['title'])}"),
        ("/v1/events/bulk", {**with_defaults("events", writable("events", w.eB)), "id": w.eB["id"],
                             "description": f"Hijacked {word}"}, "events", f"id = {q(w.eB['id'])}"),
        ("/v1/events/bulk", {**new_body("events", w, word, B), "external_ids": {"authz": f"bb-{word}"}},
         "events", f"title = {q(new_body('events', w, word, B)['title'])}"),
        ("/v1/memberships/bulk", {"cluster_id": B, "company_id": c_new, "role": "member"},
         "memberships", f"company_id = {q(c_new)}"),
        ("/v1/memberships/bulk", {"cluster_id": B, "company_id": cB["id"], "role": "board_member"},
         "memberships", f"company_id = {q(cB['id'])}"),
    ]


def test_bulk_lines_on_b_objects_are_forbidden(api, sql, world, fresh):
    """openapi (the bulk imports): a manager's line is authorized as the single write would be;
    on B's objects the line is an error `forbidden` (partners are admin-only: their whole import
    is 403, in the matrix), the import goes
    on, and nothing is written for that line, `dry_run` and `atomic` alike."""
    word = unique_word()
    for path, line, table, where in _b_bulk_lines(world, fresh, word):
        before = snap(sql, table, where)
        for params in ({}, {"dry_run": "true"}, {"atomic": "true"}):
            req = Req("POST", path, [line], content_type=NDJSON, params=params or None)
            r = send(api, req, world.keys["manager_a"])
            track_created(fresh, r)
            assert r.status_code == 200, f"{path} {params}: {r.status_code} {r.text[:400]}"
            res = r.json()["results"][0]
            assert res["status"] == "error" and "forbidden" in [e["code"] for e in res["errors"]], (path, line, res)
            assert snap(sql, table, where) == before, f"{path} {params}: a forbidden line changed data"
            check_contract(api, req, r)


def test_manager_of_a_cannot_take_over_a_company_of_b_by_enlisting_it(api, sql, world, fresh):
    """SPEC (Auth): a manager changes a company only while every cluster it currently belongs
    to is one of the manager's. The audit's takeover: A's manager adds a company of B only to
    A (allowed: managers write their clusters' memberships), changes it, removes it again.
    Every change of the company is 403 (PATCH, SIRET upsert, each bulk line, dry run and
    atomic included) while it is shared, and the company is as it was at the end."""
    A, B, mgr_a = world.A, world.B, world.keys["manager_a"]
    x = fresh.company(member_of=[B])
    company = lambda: snap(sql, "companies", f"id = {q(x['id'])}")  # noqa: E731
    at_start = company()
    r = send(api, Req("PUT", f"/v1/clusters/{A}/members/{x['id']}", {"role": "member"}), mgr_a)
    assert r.status_code == 201, r.text
    assert sorted(api.get(f"/v1/companies/{x['id']}").json()["clusters"]) == sorted([A, B])
    shared = company()
    attempts = [
        Req("PATCH", f"/v1/companies/{x['id']}", {"name": "Taken over", "email": "boss@takeover.example"}),
        Req("PUT", f"/v1/companies/siret/{x['siret']}", {"name": "Taken over"}),
        Req("PUT", f"/v1/companies/siret/{x['siret']}", {"name": "Taken over"}, headers={"If-Match": "*"}),
    ]
    for req in attempts:
        r = send(api, req, mgr_a)
        assert_outcome(r, 403, f"manager of A: {req.method} {req.path} of a company A shares with B")
        check_contract(api, req, r)
        assert company() == shared, f"{req.method} {req.path} was refused but changed the company"
    for params in ({}, {"dry_run": "true"}, {"atomic": "true"}):
        new = new_siret()
        req = Req("POST", "/v1/companies/bulk", [{"siret": new, "name": f"Authz bulk {unique_word()}"},
                                                 {"siret": x["siret"], "name": "Taken over by bulk"}],
                  content_type=NDJSON, params=params or None)
        r = send(api, req, mgr_a)
        track_created(fresh, r)
        assert r.status_code == 200, r.text
        line = r.json()["results"][1]
        assert line["status"] == "error" and [e["code"] for e in line["errors"]] == ["forbidden"], (params, line)
        assert r.json()["results"][0]["status"] == "created", (params, r.json())
        assert r.json()["committed"] is (not params), params
        assert count(sql, "companies", f"siret = {q(new)}") == (0 if params else 1), params
        check_contract(api, req, r)
        assert company() == shared, f"bulk {params} changed the company"
    # B's manager is refused too while the company is shared; an admin is not
    r = send(api, attempts[0], world.keys["manager_b"])
    assert_outcome(r, 403, "manager of B: PATCH of a company B shares with A")
    assert company() == shared
    r = send(api, Req("DELETE", f"/v1/clusters/{A}/members/{x['id']}"), mgr_a)
    assert r.status_code == 204, r.text
    assert company() == at_start  # the enlistment left nothing behind on the company
    # back to B only: B's manager changes it again, A's may not
    r = send(api, attempts[0], mgr_a)
    assert_outcome(r, 403, "manager of A: PATCH of a company of B only")
    r = send(api, Req("PATCH", f"/v1/companies/{x['id']}", {"description": "B's own"}), world.keys["manager_b"])
    assert r.status_code == 200, r.text


def test_writes_that_wait_for_a_membership_of_another_cluster_are_refused(api, sql, world, fresh, database_url):
    """The check is the database's, on the row version the write locks: a membership of B
    committed while A's manager's PATCH, SIRET upsert and bulk line wait for the company's
    row lock makes all three refused (a check that read the memberships from the
    statement's snapshot, or in C before the write, would let them through)."""
    A, B, mgr_a = world.A, world.B, world.keys["manager_a"]
    x = fresh.company(member_of=[A])
    marker = f"authz_hold_{unique_word('')}"
    script = (f"BEGIN;\nINSERT INTO memberships (cluster_id, company_id) VALUES ({q(B)}, {q(x['id'])});\n"
              f"SELECT pg_sleep(3) /* {marker} */;\nCOMMIT;\n")
    holder = threading.Thread(target=lambda: subprocess.run(
        [shutil.which("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url], input=script, text=True,
        capture_output=True, timeout=60))
    holder.start()
    try:
        for _ in range(200):  # the membership is in, its transaction holds the company's row lock
            if sql(f"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{marker}%' "
                   f"AND query NOT LIKE '%pg_stat_activity%' AND state = 'active'") == "1":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the session holding the membership did not start")
        reqs = {
            "patch": Req("PATCH", f"/v1/companies/{x['id']}", {"name": "Raced"}),
            "siret": Req("PUT", f"/v1/companies/siret/{x['siret']}", {"name": "Raced"}),
            "bulk": Req("POST", "/v1/companies/bulk", [{"siret": x["siret"], "name": "Raced"}], content_type=NDJSON),
        }
        answers = {}
        threads = [threading.Thread(target=lambda k=k, r=r: answers.__setitem__(k, send(api, r, mgr_a)))
                   for k, r in reqs.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        holder.join(timeout=60)
    assert_outcome(answers["patch"], 403, "PATCH that waited for B's membership")
    assert_outcome(answers["siret"], 403, "SIRET upsert that waited for B's membership")
    assert answers["bulk"].status_code == 200, answers["bulk"].text
    line = answers["bulk"].json()["results"][0]
    assert line["status"] == "error" and [e["code"] for e in line["errors"]] == ["forbidden"], line
    for k, r in reqs.items():
        check_contract(api, r, answers[k])
    now = api.get(f"/v1/companies/{x['id']}").json()
    assert now["name"] == x["name"] and now["version"] == x["version"] and sorted(now["clusters"]) == sorted([A, B])


def test_admin_changes_a_shared_company(api, sql, world, fresh):
    x = fresh.company(member_of=[world.A, world.B])
    r = send(api, Req("PATCH", f"/v1/companies/{x['id']}", {"description": "Changed by the admin"}), world.keys["admin"])
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "Changed by the admin"


def test_manager_of_a_enlisting_b_in_its_project_only_invites_it(api, sql, world, fresh):
    """SPEC (projects): a cluster listed by someone who does not manage it is an invitation
    and counts nowhere for it: not under ?cluster=B, not in B's computed projects_started."""
    A, B, mgr_a = world.A, world.B, world.keys["manager_a"]
    title = f"Authz enlisting {unique_word()}"
    req = Req("POST", "/v1/projects", {"title": title, "category": "pooling", "lead_cluster_id": A,
                                       "cluster_ids": [B], "starts_on": "2013-05-01"})
    r = send(api, req, mgr_a)
    track_created(fresh, r)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["cluster_ids"] == [B] and p["cluster_invitations"] == [B]
    check_contract(api, req, r)
    in_b = lambda: {i["id"] for i in api.get("/v1/projects", params={"cluster": B, "limit": 500}).json()["items"]}  # noqa: E731
    assert p["id"] not in in_b()
    year = api.put(f"/v1/clusters/{B}/indicators/2013", {}, key=world.keys["admin"])
    assert year.status_code in (200, 201), year.text
    assert year.json()["computed"]["projects_started"] == 0
    # A's manager cannot accept in B's name; B's manager can
    r = send(api, Req("PUT", f"/v1/projects/{p['id']}/clusters/{B}"), mgr_a)
    assert_outcome(r, 403, "manager of A accepting B's invitation")
    assert p["id"] not in in_b()
    r = send(api, Req("PUT", f"/v1/projects/{p['id']}/clusters/{B}"), world.keys["manager_b"])
    assert r.status_code == 200, r.text
    assert p["id"] in in_b()
    year = api.get(f"/v1/clusters/{B}/indicators", key=world.keys["admin"]).json()
    assert {i["year"]: i["computed"]["projects_started"] for i in year["items"]}[2013] == 1
    api.delete(f"/v1/clusters/{B}/indicators/2013", key=world.keys["admin"])


def test_idempotency_key_replays_only_to_its_caller(api, sql, world, fresh):
    """An Idempotency-Key's kept answer belongs to its caller: another key sending the same
    request is judged on its own rights (403), not replayed the admin's 201."""
    idem = f"authz-{uuid.uuid4()}"
    name = f"Authz idem cluster {unique_word()}"
    req = Req("POST", "/v1/clusters", {"name": name, "kind": "cluster"}, headers={"Idempotency-Key": idem})
    r = send(api, req, world.keys["admin"])
    track_created(fresh, r)
    assert r.status_code == 201, r.text
    for role in ("manager_a", "manager_b", "reader"):
        r2 = send(api, req, world.keys[role])
        assert_outcome(r2, 403, f"{role} replaying the admin's Idempotency-Key")
        assert "Idempotent-Replayed" not in r2.headers
        check_contract(api, req, r2)
    r3 = send(api, req, None)
    assert_outcome(r3, 401, "anonymous replaying the admin's Idempotency-Key")
    assert count(sql, "clusters", f"name = {q(name)}") == 1


@pytest.mark.parametrize("first", ["anonymous", "reader"])
def test_idempotency_key_never_replays_a_cancel_token_to_another_caller(api, sql, world, first):
    """A registration's answer (with its cancel token) is kept for its caller only: another
    caller sending the same Idempotency-Key and body gets an answer of its own (409: the
    e-mail address is taken), never the first caller's token."""
    idem = f"authz-{uuid.uuid4()}"
    mail = f"authz.idem.{unique_word('')}@example.org"
    req = Req("POST", f"/v1/events/{world.eA['id']}/registrations", {"name": "Authz Idem", "email": mail},
              headers={"Idempotency-Key": idem})
    r = send(api, req, world.keys[first])
    assert r.status_code == 201, r.text
    token = r.json()["cancel_token"]
    for role in ("anonymous", "reader", "manager_a", "manager_b", "admin"):
        if role == first:
            again = send(api, req, world.keys[role])
            assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", again.text
            continue
        r2 = send(api, req, world.keys[role])
        assert token not in r2.text, f"{role} got {first}'s cancel token by replaying its Idempotency-Key"
        assert r2.headers.get("Idempotent-Replayed") != "true", f"{role} got {first}'s answer replayed"
        problem(r2, 409, "conflict")
        check_contract(api, req, r2)
    assert count(sql, "registrations", f"email = {q(mail)}") == 1


# =====================================================================================
# 3a. Property level: no mass assignment.
# =====================================================================================

def _schema_props(schema):
    schema = resolve(schema)
    props = {}
    for part in schema.get("allOf", []):
        props.update(_schema_props(part))
    if schema.get("type") == "array" and "items" in schema:
        return _schema_props(schema["items"])
    props.update({k: resolve(v) for k, v in schema.get("properties", {}).items()})
    return props


# Read representations whose fields a caller could try to set through a write whose answer
# does not show them: a registration's list form (updated_at, cancelled_at, version...) and,
# for a bulk import (whose answer is a report), the company a line becomes.
EXTRA_READ = {"POST /v1/events/{id}/registrations": "Registration"}
READ_INSTEAD = {"POST /v1/companies/bulk": "Company", "POST /v1/clusters/bulk": "Cluster",
                "POST /v1/partners/bulk": "Partner", "POST /v1/projects/bulk": "Project",
                "POST /v1/events/bulk": "Event", "POST /v1/memberships/bulk": "Membership"}


def write_ops_with_bodies():
    """{route: (input properties, read properties)} of every write with a JSON body."""
    out = {}
    for route in sorted(ops_in_openapi()):
        op = operation(route)
        body = op.get("requestBody")
        if not body:
            continue
        content = resolve(body)["content"]
        mt = next(m for m in ("application/json", "application/merge-patch+json") if m in content)
        inp = _schema_props(content[mt]["schema"])
        read = {}
        if route in READ_INSTEAD:
            read = _schema_props({"$ref": f"#/components/schemas/{READ_INSTEAD[route]}"})
        else:
            for status, resp in op["responses"].items():
                if status.startswith("2"):
                    c = resolve(resp).get("content", {})
                    if "application/json" in c:
                        read.update(_schema_props(c["application/json"]["schema"]))
        if route in EXTRA_READ:
            read.update(_schema_props({"$ref": f"#/components/schemas/{EXTRA_READ[route]}"}))
        out[route] = (inp, read)
    return out


WRITE_OPS = write_ops_with_bodies()
UNKNOWN = "zq_unknown_field"


def forbidden_fields(route):
    """Read-only fields (readOnly in the read schema, or shown but not writable) and one
    unknown field."""
    inp, read = WRITE_OPS[route]
    names = {n for n, p in read.items() if p.get("readOnly")} | (set(read) - set(inp))
    if route in READ_INSTEAD:  # a bulk line may name what the row it becomes shows read-only
        names -= set(inp)
    return sorted(names) + [UNKNOWN]


def _writers(route):
    """The callers allowed to make this write (admin, and the owner's manager or anonymous
    callers where MATRIX allows them): the check must hold on each one's code path."""
    row = dict(zip(ROLES, MATRIX[route]))
    return [r for r in ("admin", "manager_a", "anonymous") if row[r] == ok]


# A well-typed value as every allowed writer, and null (as admin: the same validation).
MASS_CASES = [(route, name, kind, role) for route in WRITE_OPS for name in forbidden_fields(route)
              for kind, roles in (("value", _writers(route)), ("null", ["admin"])) for role in roles]


def tampered(name, prop, w):
    """A well-typed value for a field the caller may not set (pointing at B where it can)."""
    special = {"cluster_id": w.B, "company_id": w.cB["id"], "partner_id": w.P["id"], "event_id": w.eB["id"],
               "clusters": [w.B], "version": 42, "status": "confirmed", "cancel_token": "A" * 43,
               "left_on": "2020-01-01", "year": 2020, "lead_cluster_id": w.B}
    if name in special:
        return special[name]
    prop = resolve(prop or {})
    types = prop.get("type", "string")
    types = types if isinstance(types, list) else [types]
    if prop.get("format") == "uuid" or name == "id" or name.endswith("_id"):
        return str(uuid.uuid4())
    if prop.get("format") == "date-time" or name.endswith("_at"):
        return "2001-02-03T04:05:06Z"
    if prop.get("format") == "date" or name.endswith("_on"):
        return "2001-02-03"
    if "integer" in types or "number" in types:
        return 999
    if "boolean" in types:
        return True
    if "array" in types:
        return []
    if "object" in types or "properties" in prop or "allOf" in prop:
        return {}
    if "enum" in prop:
        return prop["enum"][0]
    return "tampered"


@pytest.mark.parametrize("route,name,kind,role", MASS_CASES, ids=[f"{r}:{n}={k}:{w}" for r, n, k, w in MASS_CASES])
def test_no_mass_assignment(api, sql, world, fresh, route, name, kind, role):
    req = build(route, world, fresh, sql)
    value = tampered(name, WRITE_OPS[route][1].get(name), world) if kind == "value" else None
    req.body = copy.deepcopy(req.body)
    if req.content_type == NDJSON:
        req.body[0][name] = value
    else:
        req.body[name] = value
    # a bulk import's lines are refused one by one (READ_INSTEAD): the line's status says it;
    # the imports of the line tests (test_bulk_lines_on_b_objects...) also check the rows
    probe = req.probe or (lambda: None)
    before = probe()
    r = send(api, req, world.keys[role])
    track_created(fresh, r)
    what = f"{route} as {role} with {name}={value!r}"
    if route in READ_INSTEAD:
        assert r.status_code == 200, f"{what}: {r.text[:400]}"
        line = r.json()["results"][0]
        assert line["status"] == "error", f"{what}: the line was accepted: {line}"
        assert name in {e["field"] for e in line["errors"]}, f"{what}: {line}"
    else:
        assert r.status_code == 422, f"{what}: expected 422, got {r.status_code}: {r.text[:400]}"
        body = problem(r, 422, "validation_failed")
        assert name in {e["field"] for e in body.get("errors") or []}, f"{what}: {body}"
    assert probe() == before, f"{what}: refused but changed data"
    check_contract(api, req, r)


NESTED_UNKNOWN = [
    ("POST /v1/clusters", {"address": {"city": "Cluses", "zq_evil": 1}}, "address.zq_evil"),
    ("PATCH /v1/clusters/{id}", {"location": {"lat": 46.0, "lon": 6.5, "zq_evil": 1}}, "location.zq_evil"),
    ("PATCH /v1/clusters/{id}", {"labels": [{"scheme": "other", "zq_evil": 1}]}, "labels[0].zq_evil"),
    ("POST /v1/companies", {"address": {"city": "Cluses", "zq_evil": 1}}, "address.zq_evil"),
    ("PATCH /v1/partners/{id}", {"address": {"city": "Annecy", "zq_evil": 1}}, "address.zq_evil"),
    ("PATCH /v1/events/{id}", {"venue": {"name": "Salle", "zq_evil": 1}}, "venue.zq_evil"),
    ("POST /v1/projects", {"funding": [{"source": "eu", "amount_eur": 1, "status": "paid", "zq_evil": 1}]},
     "funding[0].zq_evil"),
]


@pytest.mark.parametrize("route,extra,field_path", NESTED_UNKNOWN, ids=[f"{r}:{p}" for r, _, p in NESTED_UNKNOWN])
def test_no_mass_assignment_in_nested_objects(api, sql, world, fresh, route, extra, field_path):
    req = build(route, world, fresh, sql)
    req.body = {**req.body, **extra}
    before = req.probe()
    r = send(api, req, world.keys["admin"])
    track_created(fresh, r)
    body = problem(r, 422, "validation_failed")
    assert field_path in {e["field"] for e in body.get("errors") or []}, body
    assert req.probe() == before
    check_contract(api, req, r)


def test_mass_assignment_cases_cover_every_write_with_a_body():
    routes = {c[0] for c in MASS_CASES}
    expected = {r for r in ops_in_openapi() if operation(r).get("requestBody")}
    assert routes == expected, sorted(routes ^ expected)
    # the fields a mass assignment would go for are among the cases
    for route, must in [("POST /v1/clusters", {"id", "version", "created_at", "updated_at", "member_count", "jobs"}),
                        ("PATCH /v1/events/{id}", {"registered_count", "waitlist_count", "remaining", "version"}),
                        ("POST /v1/events/{id}/registrations", {"status", "position", "cancel_token", "id"}),
                        ("PATCH /v1/companies/{id}", {"clusters", "version"}),
                        ("PUT /v1/clusters/{id}/members/{company_id}", {"left_on", "cluster_id", "company_id"}),
                        ("PUT /v1/clusters/{id}/indicators/{year}", {"computed", "year", "cluster_id"})]:
        assert must <= set(forbidden_fields(route)), (route, must - set(forbidden_fields(route)))


# =====================================================================================
# 3b. Property level: personal data.
# =====================================================================================

def _get_routes():
    return sorted(r for r in MATRIX if r.startswith("GET "))


def _media_types(route):
    resp = resolve(operation(route)["responses"].get("200", {}))
    return list(resolve(resp).get("content", {}).keys()) or ["application/json"]


def _secrets(w, role):
    """Strings that this role must never receive."""
    tokens = [w.registrant["cancel_token"], w.registrant_private["cancel_token"], w.registrant_b["cancel_token"]]
    if role in ("anonymous", "manager_b"):
        people = [w.registrant, w.registrant_private]
        personal = [s for p in people for s in (p["name"], p["name"].split()[-1], p["email"], p["email"].split("@")[0])]
    else:
        personal = []
    return tokens + personal


@pytest.mark.parametrize("role", ["anonymous", "manager_b", "reader", "manager_a", "admin"])
@pytest.mark.parametrize("route", _get_routes())
def test_no_personal_data_or_token_leaks(api, sql, world, fresh, route, role):
    """Every GET route, in every media type its 200 documents: the registrants of A's events
    (name, e-mail) never reach anonymous callers nor the manager of B; no cancel token ever
    reaches anyone; a non-public event's title never reaches anonymous callers."""
    forbidden = _secrets(world, role)
    if role == "anonymous":
        forbidden.append(world.private_title_word)
    reqs = []
    for mt in _media_types(route):
        req = build(route, world, fresh, sql)
        req.headers["Accept"] = mt
        reqs.append(req)
    if route == "GET /v1/search":  # search for the secrets themselves
        for term in (world.registrant["name"].split()[-1], world.registrant["email"].split("@")[0],
                     world.registrant_private["name"].split()[-1], world.private_title_word):
            reqs.append(Req("GET", "/v1/search", params={"q": term}))
    if route == "GET /v1/events":
        for term in (world.registrant["name"].split()[-1], world.private_title_word):
            for fmt in ("json", "csv", "ndjson", "geojson", "ics"):
                reqs.append(Req("GET", "/v1/events", params={"q": term, "format": fmt}))
        reqs.append(Req("GET", "/v1/events", params={"cluster": world.A, "format": "ndjson"}))
    if route == "GET /v1/changes":
        reqs.append(Req("GET", "/v1/changes", params={"include": "object", "limit": 1000}))
    if route.startswith("GET /v1/events/{id}/registrations"):
        for fmt in ("csv", "ndjson"):
            reqs.append(Req("GET", f"/v1/events/{world.eA['id']}/registrations", params={"format": fmt}))
            reqs.append(Req("GET", f"/v1/events/{world.eA_private['id']}/registrations", params={"format": fmt}))
    for req in reqs:
        r = send(api, req, world.keys[role])
        text = r.content.decode("utf-8", errors="replace").lower()
        if req.path == "/v1/search" and r.status_code == 200:
            text = json.dumps(r.json()["items"], ensure_ascii=False).lower()  # not `q`, which it repeats
        for s in forbidden:
            assert s.lower() not in text, (f"GET {req.path} {req.params or ''} (Accept {req.headers.get('Accept')}) "
                                          f"as {role} ({r.status_code}) shows {s!r}")
        check_contract(api, req, r)


def test_registrations_are_visible_to_whom_they_should_be(api, world):
    """The positive control of the test above: readers, admins and the organiser's managers
    see the registrant (so the strings searched for are the right ones)."""
    for role in ("reader", "admin", "manager_a"):
        for fmt in ("json", "csv", "ndjson"):
            r = api.get(f"/v1/events/{world.eA['id']}/registrations", params={"format": fmt}, key=world.keys[role])
            assert r.status_code == 200, r.text
            assert world.registrant["email"] in r.text and world.registrant["name"] in r.text, (role, fmt)
            assert world.registrant["cancel_token"] not in r.text
    r = api.get(f"/v1/events/{world.eA_private['id']}", key=world.keys["reader"])
    assert r.status_code == 200 and world.private_title_word in r.text


def test_non_public_events_do_not_count_for_anonymous_callers(api, world):
    """A non-public event does not exist for anonymous callers, in aggregates either:
    /v1/stats counts the upcoming events as the caller's list shows them (openapi getStats)."""
    now = utc_in()
    for role in ("anonymous", "reader"):
        key = world.keys[role]
        stats = api.get("/v1/stats", key=key)
        assert stats.status_code == 200, stats.text
        listed = api.get("/v1/events", key=key, params={"from": now, "status": "scheduled", "count": "true", "limit": 1})
        assert listed.status_code == 200, listed.text
        assert stats.json()["upcoming_events"] == listed.json()["total"], role
    anon = api.get("/v1/stats").json()["upcoming_events"]
    keyed = api.get("/v1/stats", key=world.keys["reader"]).json()["upcoming_events"]
    assert keyed >= anon + 1  # world.eA_private, upcoming, counts for keys only


def test_a_managers_change_feed_holds_only_its_clusters_even_with_include_object(api, world):
    """A manager reads the feed narrowed to its clusters (SPEC, Change feed): every change it
    gets concerns its cluster, none names an origin, and B's private event never shows."""
    r = api.get("/v1/changes", params={"include": "object", "limit": 1000}, key=world.keys["anonymous"])
    assert_outcome(r, 401, "GET /v1/changes?include=object as anonymous")
    everything = []
    pos = None
    for _ in range(100):
        params = {"limit": 1000, **({"since": pos} if pos else {})}
        body = api.get("/v1/changes", params=params, key=world.keys["admin"]).json()
        everything += body["items"]
        if not body["items"]:
            break
        pos = body["next"]
    b_only = {i["id"] for i in everything if i["type"] == "event" and i["id"] in (world.eB["id"],)}
    for role, mine in (("manager_a", world.A), ("manager_b", world.B)):
        pos, seen = None, []
        for _ in range(100):
            params = {"include": "object", "limit": 1000, **({"since": pos} if pos else {})}
            r = api.get("/v1/changes", params=params, key=world.keys[role])
            assert r.status_code == 200, r.text
            seen += r.json()["items"]
            if not r.json()["items"]:
                break
            pos = r.json()["next"]
        assert seen, role
        assert all("origin" not in i for i in seen), role
        ids = {i["id"] for i in seen}
        if role == "manager_a":
            assert world.eA_private["id"] in ids and not ids & b_only
        else:
            assert world.eA_private["id"] not in ids and world.eA["id"] not in ids
        for i in seen:  # an object of its own clusters: a cluster, or an object naming one
            obj = i.get("object")
            if i["type"] == "cluster":
                assert i["id"] == mine, (role, i)
            elif obj and i["type"] in ("membership", "cluster_partner", "indicator"):
                assert obj.get("cluster_id") in (mine, None), (role, i)
