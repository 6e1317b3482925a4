"""How ``crawl --workers N`` shares sites between processes: the sites of one host always together (each process
keeps its own per-host limit), the biggest groups dealt first to the lightest process."""

from __future__ import annotations

from pathlib import Path

from govsites.registry import load_sites, write_sites
from govsites.store import Store
from govsites.workshare import host_groups, page_weights, share

HOSTS = {
    "a": ("x.gov.cn",),
    "b": ("y.gov.cn",),
    "c": ("x.gov.cn",),  # a's host
    "d": ("z.gov.cn", "y.gov.cn"),  # joins b's group through its second host
    "e": ("w.gov.cn",),
    "f": (),  # no host known: a group of its own
}


def hosts(item: str) -> tuple[str, ...]:
    return HOSTS[item]


def test_sites_sharing_any_host_form_one_group() -> None:
    groups = host_groups(list("abcdef"), hosts)
    assert groups == [[0, 2], [1, 3], [4], [5]]  # a+c, b+d, e, f
    assert host_groups(["a", "c"], lambda s: ("X.GOV.CN",) if s == "a" else ("x.gov.cn",)) == [[0, 1]]


def test_no_host_is_in_two_shares_and_the_biggest_go_first() -> None:
    weight = {"a": 10.0, "b": 1.0, "c": 10.0, "d": 1.0, "e": 5.0, "f": 4.0}.__getitem__
    shares = share(list("abcdef"), 2, hosts, weight)
    # groups: a+c 20, e 5, f 4, b+d 2 -> 20 | 5+4+2
    assert shares == [["a", "c"], ["b", "d", "e", "f"]]
    for one in shares:
        for other in shares:
            if one is not other:
                assert not {h for s in one for h in hosts(s)} & {h for s in other for h in hosts(s)}


def test_shares_are_balanced_by_weight_not_by_count() -> None:
    items = [f"s{i}" for i in range(7)]
    weights = {"s0": 9.0, "s1": 1, "s2": 1, "s3": 1, "s4": 3, "s5": 3, "s6": 3}
    shares = share(items, 2, lambda s: (f"{s}.gov.cn",), lambda s: float(weights[s]))
    # largest first to the lighter: s0 9 | s4 3, s5 3, s6 3 | then s1, s2, s3 alternate from the tie (9, 9)
    assert [sum(weights[s] for s in one) for one in shares] == [11, 10]
    assert all(one == sorted(one, key=items.index) for one in shares)  # registry order kept within a share


def test_more_workers_than_groups_leaves_no_empty_share() -> None:
    shares = share(["a", "c"], 4, hosts, lambda s: 1.0)
    assert shares == [["a", "c"]]
    assert share([], 3, hosts, lambda s: 1.0) == []


def test_unseen_sites_weigh_the_median_of_the_known_ones() -> None:
    assert page_weights(["a", "b", "c", "d"], {"a": 100, "b": 300, "c": 0}) == {
        "a": 100.0,
        "b": 300.0,
        "c": 200.0,
        "d": 200.0,
    }
    assert page_weights(["a"], {}) == {"a": 1.0}


def test_registry_sites_name_their_hosts(tmp_path: Path) -> None:
    row = {"group": "agency", "county": "市直", "name": "测试"}
    registry = write_sites(
        tmp_path / "sites.csv",
        [
            {**row, "site_id": "portal", "home_url": "http://www.ankang.gov.cn/"},
            {**row, "site_id": "dept", "home_url": "http://ankang.gov.cn/bm/jyj/"},  # the portal's host, bare
            {**row, "site_id": "other", "home_url": "http://www.hanbin.gov.cn:8080/"},
        ],
    )
    sites = load_sites(registry).sites
    assert [s.hosts for s in sites] == [("ankang.gov.cn",), ("ankang.gov.cn",), ("hanbin.gov.cn",)]
    shares = share(sites, 2, hosts=lambda s: s.hosts, weight=lambda s: 1.0)
    assert [[s.site_id for s in one] for one in shares] == [["portal", "dept"], ["other"]]


def test_last_pages_are_each_sites_latest_finished_crawl(tmp_path: Path) -> None:
    def sites(*ids: str) -> list[dict[str, str]]:
        return [{"site_id": i, "name": i, "group": "agency", "county": "市直", "home_url": "http://x/"} for i in ids]

    with Store(tmp_path / "store.sqlite") as store:
        first = store.begin_run("2015-06", "2015-06-30")
        store.start_sites(first.id, sites("a", "b"))
        store.finish_site(first.id, "a", "done", 120)
        store.finish_site(first.id, "b", "done", 40)
        second = store.begin_run("2015-12", "2015-12-31")
        store.start_sites(second.id, sites("a", "c"))
        store.finish_site(second.id, "a", "done", 150)  # c still running: not counted
        third = store.begin_run("2016-06", "2016-06-30")
        assert store.last_pages(third.id) == {"a": 150, "b": 40}
        assert store.last_pages(second.id) == {"a": 120, "b": 40}
