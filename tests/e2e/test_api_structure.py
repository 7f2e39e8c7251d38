"""Contract tests: regions, communities, users and responsibilities."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401
from tests.support import PASSWORD

COMMUNITY = {"code": "210102001009", "name": "新建社区", "street": "210102001", "households": 1200, "voters": 2500,
             "party_org_type": "branch", "party_members": 30, "urban_rural_fringe": False,
             "village_converted": False, "collective_reform_done": False, "migrant_dense": False,
             "new_residential": False, "other_risk": None}


def test_regions_are_created_under_their_parent_and_shown_with_children(api: Api) -> None:
    r = api.post("/regions", {"code": "210102002", "name": "南市场街道", "level": "street", "parent": "210102"},
                 who="county")
    assert r.status_code == 201
    assert r.get_json() == {"code": "210102002", "name": "南市场街道", "level": "street", "parent": "210102",
                            "children": [], "longitude": None, "latitude": None}
    assert "210102002" in api.get("/regions/210102", who="county").get_json()["children"]
    assert_error(api.post("/regions", {"code": "210102002", "name": "x", "level": "street", "parent": "210102"}),
                 409, "duplicate")
    assert "parent" in assert_error(api.post("/regions", {"code": "210102003", "name": "x", "level": "street",
                                                          "parent": "210100"}), 400, "invalid_request")["fields"]
    assert_error(api.post("/regions", {"code": "220000", "name": "吉林省", "level": "province"}, who="province"),
                 403, "forbidden")
    assert api.post("/regions", {"code": "220000", "name": "吉林省", "level": "province"}).status_code == 201
    assert_error(api.post("/regions", {"code": "210103002", "name": "x", "level": "street", "parent": "210103"},
                          who="county"), 404, "not_found")
    assert_error(api.post("/regions", {"code": "210102004", "name": "x", "level": "street", "parent": "210102"},
                          who="cadre"), 403, "forbidden")
    fields = assert_error(api.post("/regions", {"code": 5, "level": "village", "parent": "210102", "x": 1}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"code", "name", "level", "x"}
    assert_error(api.get("/regions/210103", who="county"), 404, "not_found")
    assert_error(api.get("/regions/nope"), 404, "not_found")


def test_communities_are_created_in_a_street_and_key_difficult_follows_the_flags(api: Api) -> None:
    r = api.post("/communities", COMMUNITY, who="street")
    assert r.status_code == 201
    body = r.get_json()
    assert body["code"] == "210102001009" and body["street"] == "210102001" and body["key_difficult"] is False
    assert body["elections"] == []
    risky = api.post("/communities", {"code": "210102001010", "name": "城郊社区", "street": "210102001",
                                      "other_risk": "信访矛盾突出"}).get_json()
    assert risky["key_difficult"] is True
    assert_error(api.post("/communities", COMMUNITY), 409, "duplicate")
    assert_error(api.post("/communities", {**COMMUNITY, "code": "210103001009", "street": "210103001"},
                          who="street"), 404, "not_found")
    assert_error(api.post("/communities", {**COMMUNITY, "code": "x1"}, who="cadre"), 403, "forbidden")
    fields = assert_error(api.post("/communities", {"code": "x2", "name": "x", "street": "210102001",
                                                    "households": -1, "voters": "9", "migrant_dense": "yes",
                                                    "party_org_type": "club", "flag": True}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"households", "voters", "migrant_dense", "party_org_type", "flag"}
    assert "street" in assert_error(api.post("/communities", {**COMMUNITY, "code": "x3", "street": "210102"}),
                                    400, "invalid_request")["fields"]


def test_communities_are_listed_in_scope_with_filters_and_pages(api: Api) -> None:
    everything = api.get("/communities").get_json()
    assert everything["total"] == 3 and everything["page"] == 1 and everything["per_page"] == 50
    item = everything["items"][0]
    assert set(item) >= {"code", "name", "street", "key_difficult", "elections"}
    assert {"id", "body", "state", "overdue"} <= set(item["elections"][0])
    assert api.get("/communities", who="cadre").get_json()["total"] == 2
    assert api.get("/communities", who="othercadre").get_json()["total"] == 1
    assert [c["code"] for c in api.get("/communities?key=true").get_json()["items"]] == ["210102001002"]
    assert api.get("/communities?region=210103").get_json()["total"] == 1
    assert_error(api.get("/communities?region=210103", who="cadre"), 404, "not_found")
    assert api.get("/communities?state=nomination").get_json()["total"] == 0
    assert api.get("/communities?state=preparation&overdue=false").get_json()["total"] == 3
    assert api.get("/communities?overdue=true").get_json()["total"] == 0
    second = api.get("/communities?per_page=2&page=2").get_json()
    assert second["total"] == 3 and len(second["items"]) == 1
    for bad in ("state=asleep", "per_page=0", "per_page=501", "page=x", "overdue=maybe"):
        assert_error(api.get(f"/communities?{bad}"), 400, "invalid_request")


def test_a_community_shows_its_elections_of_one_or_every_campaign(api: Api) -> None:
    body = api.get("/communities/210102001001", who="observer").get_json()
    assert [(e["campaign"], e["body"]) for e in body["elections"]] == [("LN2014", "party"), ("LN2014", "residents")]
    assert api.get("/communities/210102001001?campaign=NONE").get_json()["elections"] == []
    assert_error(api.get("/communities/210102001001", who="othercadre"), 404, "not_found")
    assert_error(api.get("/communities/nowhere?campaign="), 404, "not_found")
    assert_error(api.get("/communities/210102001001?campaign="), 400, "invalid_request")


def test_users_are_created_inside_the_creators_scope_only(api: Api) -> None:
    r = api.post("/users", {"username": "newcadre", "password": PASSWORD, "role": "cadre", "scope": "210102001"},
                 who="county")
    assert r.status_code == 201
    assert r.get_json()["username"] == "newcadre" and r.get_json()["scope"] == "210102001"
    assert "password" not in r.get_json() and "password_hash" not in r.get_json()
    assert_error(api.post("/users", {"username": "newcadre", "password": PASSWORD, "role": "cadre",
                                     "scope": "210102001"}), 409, "duplicate")
    assert_error(api.post("/users", {"username": "wide", "password": PASSWORD, "role": "supervisor",
                                     "scope": "210100"}, who="county"), 404, "not_found")
    assert_error(api.post("/users", {"username": "boss", "password": PASSWORD, "role": "admin"}, who="province"),
                 403, "forbidden")
    assert_error(api.post("/users", {"username": "c2", "password": PASSWORD, "role": "cadre",
                                     "scope": "210102001"}, who="inspector"), 403, "forbidden")
    fields = assert_error(api.post("/users", {"username": "c3", "password": "short", "role": "king"}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"password", "role"}
    assert "scope" in assert_error(api.post("/users", {"username": "c4", "password": PASSWORD, "role": "cadre"}),
                                   400, "invalid_request")["fields"]
    assert api.post("/auth/token", {"username": "newcadre", "password": PASSWORD}, who=None).status_code == 200


def test_responsibilities_name_a_contact_or_first_or_direct_person(api: Api) -> None:
    r = api.put("/responsibilities/210102001001", {"username": "street"}, who="street")
    assert r.status_code == 200 and r.get_json() == {"target": "210102001001", "kind": "contact",
                                                     "username": "street"}
    r = api.put("/responsibilities/210102", {"username": "county", "kind": "direct"}, who="city")
    assert r.get_json()["kind"] == "direct"
    assert_error(api.put("/responsibilities/210103001001", {"username": "street"}, who="street"), 404, "not_found")
    assert_error(api.put("/responsibilities/nowhere", {"bad": 1}), 404, "not_found")
    assert_error(api.put("/responsibilities/210102001001", {"username": "street"}, who="cadre"), 403, "forbidden")
    assert "kind" in assert_error(api.put("/responsibilities/210102", {"username": "county", "kind": "boss"}),
                                  400, "invalid_request")["fields"]
    assert "username" in assert_error(api.put("/responsibilities/210102", {"username": "ghost"}),
                                      400, "invalid_request")["fields"]
    assert "username" in assert_error(api.put("/responsibilities/210102", {}), 400, "invalid_request")["fields"]
