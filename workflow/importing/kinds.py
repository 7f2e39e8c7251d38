"""The four kinds of import file and their columns (Chinese headers first; English headers accepted too)."""
from __future__ import annotations

from ..auth import ROLES
from ..labels import ROLES as ROLE_LABELS
from ..labels import REGION_LEVELS
from . import columns as C
from .columns import Column

KINDS = ("regions", "communities", "users", "responsibilities")
KIND_LABELS: dict[str, tuple[str, str]] = {
    "regions": ("行政区划", "Regions"),
    "communities": ("社区", "Communities"),
    "users": ("用户", "Users"),
    "responsibilities": ("包保责任", "Responsibilities"),
}

LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    "province": (REGION_LEVELS["province"][0], "省份", "自治区", "直辖市"),
    "city": (REGION_LEVELS["city"][0], "地级市", "地区", "自治州", "盟"),
    "county": (REGION_LEVELS["county"][0], "县", "区", "县级市", "旗", "县（市、区）", "县(市、区)"),
    "street": (REGION_LEVELS["street"][0], "街道", "乡", "镇", "街道（乡、镇）", "街道(乡、镇)"),
}
ORG_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "committee": ("党委", "社区党委"), "general_branch": ("党总支", "社区党总支", "总支"),
    "branch": ("党支部", "社区党支部", "支部"),
}
ROLE_NAMES: dict[str, tuple[str, ...]] = {r: (ROLE_LABELS[r][0], ROLE_LABELS[r][1]) for r in ROLES}
RESPONSIBILITY_NAMES: dict[str, tuple[str, ...]] = {
    "contact": ("包保责任人", "三包三保责任人", "联系人"), "first": ("第一责任人",), "direct": ("直接责任人",),
}


def _label(table: dict[str, tuple[str, ...]]):
    return lambda v: table[v][0] if v in table else ("" if v is None else v)


REGIONS = [
    Column("code", "区划代码", "code", C.code(), True, ("代码", "行政区划代码")),
    Column("name", "名称", "name", C.text(100, True), True, ("区划名称",)),
    Column("level", "级别", "level", C.choice(LEVEL_NAMES, required=True), True, ("层级",),
           "省、市、县（市、区）、街道（乡、镇）", "province, city, county, street", _label(LEVEL_NAMES)),
    Column("parent", "上级代码", "parent", C.code(False), False, ("上级区划代码",), "省级不填", "blank for a province"),
    Column("longitude", "经度", "longitude", C.decimal(-180, 180), False, (), "驻地经度（地图用）",
           "longitude of the seat (for the map)"),
    Column("latitude", "纬度", "latitude", C.decimal(-90, 90), False, (), "驻地纬度（地图用）",
           "latitude of the seat (for the map)"),
]

FLAG_HINT = ("是 / 否（空白为否）", "yes / no (blank is no)")
COMMUNITIES = [
    Column("code", "社区代码", "code", C.code(), True, ("代码",)),
    Column("name", "社区名称", "name", C.text(100, True), True, ("名称",)),
    Column("street", "街道代码", "street", C.code(), True, ("所属街道代码", "所属街道")),
    Column("households", "户数", "households", C.integer(), False, ("居民户数",), "整数", "whole number"),
    Column("voters", "登记选民数", "voters", C.integer(), False, ("选民数",), "整数", "whole number"),
    Column("party_org_type", "党组织类型", "party_org_type", C.choice(ORG_TYPE_NAMES, default="branch"), False,
           ("党组织设置",), "党委、党总支、党支部（空白为党支部）", "committee, general_branch, branch",
           _label(ORG_TYPE_NAMES)),
    Column("party_members", "党员数", "party_members", C.integer(), False, ("正式党员数",), "整数", "whole number"),
    Column("urban_rural_fringe", "城乡结合部", "urban_rural_fringe", C.flag, False, (), *FLAG_HINT, C.flag_out),
    Column("village_converted", "撤村建居", "village_converted", C.flag, False, (), *FLAG_HINT, C.flag_out),
    Column("collective_reform_done", "集体产权改革已完成", "collective_reform_done", C.flag, False,
           ("集体经济产权制度改革已完成",), *FLAG_HINT, C.flag_out),
    Column("migrant_dense", "外来人口聚集", "migrant_dense", C.flag, False, (), *FLAG_HINT, C.flag_out),
    Column("new_residential", "新建住宅区", "new_residential", C.flag, False, (), *FLAG_HINT, C.flag_out),
    Column("other_risk", "其他风险", "other_risk", C.text(500), False, ("其他重点难点原因",),
           "列为重点难点社区的其他原因", "another reason to treat it as key/difficult"),
]
COMMUNITY_FLAGS = ("urban_rural_fringe", "village_converted", "collective_reform_done", "migrant_dense",
                   "new_residential")

USERS = [
    Column("username", "用户名", "username", C.username, True, ("登录名", "账号")),
    Column("display_name", "姓名", "display_name", C.text(100), False, ("显示名称",)),
    Column("role", "角色", "role", C.choice(ROLE_NAMES, required=True), True, (),
           "系统管理员、督导、街道干部、纪检监察、列席监督", ", ".join(ROLES), _label(ROLE_NAMES)),
    Column("scope", "管辖区域代码", "scope", C.code(False), False, ("管辖区域", "区域代码"),
           "系统管理员可不填", "blank only for admin"),
    Column("email", "电子邮箱", "email", C.email, False, ("邮箱",)),
    Column("password", "初始密码", "password", C.text(200), False, ("密码",),
           "新用户必填，至少8位；已有用户的密码不会被修改", "required for new users; never changes an existing one"),
]

RESPONSIBILITIES = [
    Column("target", "对象代码", "target", C.code(), True, ("区域或社区代码", "代码")),
    Column("kind", "责任类别", "kind", C.choice(RESPONSIBILITY_NAMES, default="contact"), False, ("类别",),
           "包保责任人、第一责任人、直接责任人（空白为包保责任人）", "contact, first, direct",
           _label(RESPONSIBILITY_NAMES)),
    Column("username", "用户名", "username", C.username, True, ("责任人用户名",)),
]

COLUMNS: dict[str, list[Column]] = {"regions": REGIONS, "communities": COMMUNITIES, "users": USERS,
                                    "responsibilities": RESPONSIBILITIES}
