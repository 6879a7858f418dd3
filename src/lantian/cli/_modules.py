"""Import every command module so that it registers on the app (one line per module)."""

# ruff: noqa: I001, F401

from lantian.cli import aqi_cmd
from lantian.cli import report_cmd
from lantian.cli import bench_cmd
from lantian.cli import web_cmd
from lantian.cli import workflow_cmd
from lantian.cli import data_cmd
from lantian.cli import assess_cmd
from lantian.cli import hour_cmd
from lantian.cli import settings_cmd
from lantian.cli import letters_cmd
from lantian.cli import outlook_cmd
from lantian.cli import run_cmd
from lantian.cli import explain_cmd
from lantian.cli import profile_cmd
