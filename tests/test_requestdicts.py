"""Requests as dicts for Redis (``govsites.requestdicts``): the same dict Scrapy's ``Request.to_dict`` gives, made
without its search of the spider's members, on the real site spider's callbacks; what Scrapy cannot name is still
refused as before."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from scrapy import FormRequest, Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from govsites.caps import RequestCodec
from govsites.requestdicts import method_name, request_dict
from govsites.spiders.site import SiteSpider

HOME = "http://127.0.0.9:8341/"


@pytest.fixture
def spider(tmp_path: Path) -> SiteSpider:
    registry = tmp_path / "sites.csv"
    registry.write_text(f"site_id,name,group,county,home_url\ns1,测试站,county,测试县,{HOME}\n", encoding="utf-8")
    settings = {"GOVSITES_SITES": str(registry), "GOVSITES_COLUMNS": str(tmp_path / "none.csv")}
    crawler = get_crawler(SiteSpider, settings)
    made: SiteSpider = SiteSpider.from_crawler(crawler)
    crawler.spider = made
    return made


def requests_of(spider: SiteSpider) -> list[Request]:
    return [
        Request(HOME + "a.html?id=3", callback=spider.parse_page, meta={"site_id": "s1", "gdepth": 2}, priority=5),
        Request(HOME + "n.html", callback=spider.notfound_done, errback=spider.notfound_failed, dont_filter=True),
        Request(HOME + "plain.html"),
        FormRequest(
            HOME + "list.jsp",
            formdata={"columnid": "12", "pageNo": "2"},
            callback=spider.parse_page,
            cb_kwargs={"list_page": True},
        ),
    ]


def test_the_dict_is_scrapys_own(spider: SiteSpider) -> None:
    for request in requests_of(spider):
        made = request_dict(request, spider)
        assert made == request.to_dict(spider=spider)
        back = request_from_dict(pickle.loads(pickle.dumps(made)), spider=spider)
        assert (back.url, back.method, back.body, back.callback, back.errback) == (
            request.url,
            request.method,
            request.body,
            request.callback,
            request.errback,
        )
    assert request.callback == spider.parse_page  # the request itself is left as it was


def test_a_callback_not_of_the_spider_is_refused_as_scrapy_refuses_it(spider: SiteSpider) -> None:
    elsewhere = Request(HOME, callback=RequestCodec(spider).decode)
    assert method_name(spider, elsewhere.callback) is None
    with pytest.raises(ValueError, match="not an instance method"):
        request_dict(elsewhere, spider)
    with pytest.raises(ValueError, match="not an instance method"):
        request_dict(Request(HOME, callback=NO_CALLBACK), spider)


def test_the_caps_codec_gives_the_request_back(spider: SiteSpider) -> None:
    codec = RequestCodec(spider)
    for request in requests_of(spider):
        back = codec.decode(codec.encode(request))
        assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
