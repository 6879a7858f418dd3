"""``lantian demo --no-serve``: loads the bundled sample and the demo organisation, prints figures."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lantian.cli import app


def test_demo_no_serve_json(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--no-serve", "--dir", str(tmp_path / "demo"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["demo"]["seeded"] is True and out["demo"]["cases"] == 5
    assert out["demo"]["ingest"]["balanced"] is True
    today = out["today"]
    # 株洲, 2026-04-03 00:00 (hour ending): six evaluation stations of the bundled national-platform sample
    assert (today["city"], today["time"], today["n_stations"]) == ("株洲市", "2026-04-03 00:00", 6)
    assert today["aqi"] == 25 and today["category"] == "优"
    year = out["year"]
    assert year["year"] == 2016 and year["rank"]["rank"] == 2
    # again: idempotent (nothing seeded twice)
    again = runner.invoke(app, ["demo", "--no-serve", "--dir", str(tmp_path / "demo"), "--json"])
    assert json.loads(again.stdout)["demo"]["seeded"] is False
    assert (tmp_path / "demo" / "lantian.toml").is_file()
