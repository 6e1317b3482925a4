"""The progress line's pieces: snapshots written and added up from real files, the wording, the estimate of the
time left, and the board on a terminal (redrawn in place) and off one (a line per interval)."""

from __future__ import annotations

import io
from pathlib import Path

from govsites.progress import (
    ProgressBoard,
    Snapshot,
    duration,
    merged,
    progress_line,
    read_snapshots,
    time_left,
    totals_line,
    write_snapshot,
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_snapshots_round_trip_and_add_up(tmp_path: Path) -> None:
    a = Snapshot(sites_total=2, sites_done=1, pages=10, links=40, broken=2, problems=5, unreachable=0, elapsed=30)
    b = Snapshot(sites_total=3, sites_done=3, pages=7, links=9, broken=1, problems=1, unreachable=1, elapsed=50)
    write_snapshot(tmp_path / "w0.json", a)
    write_snapshot(tmp_path / "w1.json", Snapshot(**{**b.__dict__, "finished": True}))
    (tmp_path / "w2.json").write_text("{half", encoding="utf-8")  # a reader never fails on a bad file
    read = read_snapshots([tmp_path / "w0.json", tmp_path / "w1.json", tmp_path / "w2.json", tmp_path / "none"])
    assert read[0] == a
    total = merged(read)
    assert (total.sites_total, total.sites_done, total.pages, total.links, total.broken) == (5, 4, 17, 49, 3)
    assert (total.problems, total.unreachable, total.elapsed, total.finished) == (6, 1, 50, False)
    assert not list(tmp_path.glob("*.part"))


def test_wording_and_estimate() -> None:
    assert [duration(s) for s in (9, 75, 3725)] == ["9秒", "1分15秒", "1小时2分"]
    assert time_left(Snapshot(sites_total=4, sites_done=0, elapsed=60)) == "估算中"
    assert time_left(Snapshot(sites_total=4, sites_done=1, elapsed=60)) == "3分0秒"
    assert time_left(Snapshot(sites_total=4, sites_done=4, elapsed=60)) == "0秒"
    line = progress_line(Snapshot(65, 12, 3456, 12345, 67, 89, 2, 312.0))
    assert line == (
        "进度：网站 12/65，页面 3456，已检查链接 12345（失效 67），发现问题 89，无法访问网站 2，"
        "用时 5分12秒，预计剩余 22分58秒"
    )


def test_totals_name_the_links_not_checked() -> None:
    workers = [Snapshot(2, 2, 10, 40, 1, 3, 0, 30.0, True, unchecked=2), Snapshot(1, 1, 5, 9, 0, 0, 0, 20.0, True)]
    total = merged(workers)
    assert total.unchecked == 2
    assert totals_line(total) == (
        "合计：网站 3/3 完成，页面 15，已检查链接 49（失效 1），另有 2 个链接未能检测（见 links.csv），"
        "发现问题 3，无法访问网站 0，用时 30秒"
    )
    assert "未能检测" not in totals_line(workers[1])


def test_board_redraws_on_a_terminal_and_prints_lines_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "w0.json"
    write_snapshot(path, Snapshot(sites_total=1, sites_done=0, pages=3))
    screen, now = Terminal(), [100.0]
    board = ProgressBoard([path, tmp_path / "w1.json"], interval=5, total=2, stream=screen, clock=lambda: now[0])
    board.tick()
    now[0] += 0.5
    board.tick()  # within the second: not drawn again
    assert screen.getvalue().count("\r\033[K进度：网站 0/2，页面 3，") == 1
    assert "\n" not in screen.getvalue()
    write_snapshot(path, Snapshot(sites_total=1, sites_done=1, pages=5, finished=True))
    board.end()
    assert screen.getvalue().endswith(
        "\n合计：网站 1/2 完成，页面 5，已检查链接 0（失效 0），发现问题 0，无法访问网站 0，用时 0秒\n"
    )
    log = io.StringIO()
    plain = ProgressBoard([path], interval=5, total=1, stream=log)
    plain.tick()
    plain.tick()
    assert log.getvalue().splitlines()[0].startswith("进度：网站 1/1，页面 5，")
    assert len(log.getvalue().splitlines()) == 1  # one line per interval
    quiet = ProgressBoard([path], interval=0, total=1, stream=io.StringIO())
    quiet.tick()
    assert quiet.stream.getvalue() == ""  # type: ignore[attr-defined]


def test_a_worker_log_line_goes_above_the_progress_line(tmp_path: Path) -> None:
    path = tmp_path / "w0.json"
    write_snapshot(path, Snapshot(sites_total=1, pages=3))
    screen = Terminal()
    board = ProgressBoard([path], interval=5, total=1, stream=screen, clock=lambda: 0.0)
    board.tick()
    board.message("网站 a 检测完成（页面 3）")
    drawn = screen.getvalue().split("\r\033[K")
    assert drawn[-1].startswith("网站 a 检测完成（页面 3）\n进度：网站 0/1，页面 3，")
    log = io.StringIO()
    ProgressBoard([path], interval=5, total=1, stream=log).message("一行")
    assert log.getvalue() == "一行\n"
