"""Every setting of lantian, declared once: :data:`REGISTRY` (listed by ``lantian settings``, docs/settings.md).

Resolution order for every setting: explicit argument (e.g. ``--store``) → environment variable
→ ``lantian.toml`` in the current directory (or the file named by ``LANTIAN_CONFIG``) → default.

The file is checked when it is read: a key that is no setting, or a value of the wrong TOML type, is
refused with the key and the file named. Top-level settings sit at the top of the file, the web
interface's in its ``[web]`` table::

    data_dir = "/srv/lantian"
    rules_file = "/srv/lantian/rules.toml"   # deadlines and the escalation ladder (lantian.workflow.rules)

    [web]
    city = "株洲"
    https = true
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lantian.errors import ConfigError

CONFIG_FILE = "lantian.toml"
#: Environment variable naming the configuration file (instead of ``./lantian.toml``).
CONFIG_ENV = "LANTIAN_CONFIG"

#: Where a value came from, in resolution order (``demo``: set by ``lantian demo`` where nothing was).
SOURCES: dict[str, str] = {
    "argument": "命令参数",
    "environment": "环境变量",
    "file": "配置文件",
    "demo": "演示数据",
    "default": "默认值",
}
TYPE_NAMES: dict[type, str] = {
    str: "文本 (TOML 字符串)",
    Path: "文件路径 (TOML 字符串)",
    int: "整数 (TOML 整数)",
    bool: "布尔值 (TOML true/false)",
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default, help text, environment variable and place in lantian.toml."""

    name: str
    type: type
    #: A value, or a function of the settings resolved before it (e.g. ``store`` from ``data_dir``).
    default: Any
    help: str
    env: str | None = None
    #: The table of lantian.toml holding it (``None``: the top level).
    section: str | None = None
    #: How the default reads when it is derived or absent.
    default_text: str | None = None
    #: Smallest value of a whole-number setting.
    minimum: int | None = None
    #: Shown masked by ``lantian settings``.
    secret: bool = False

    @property
    def key(self) -> str:
        """The key in lantian.toml (``web.city`` for ``city`` in ``[web]``)."""
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.type]

    def describe_default(self) -> str:
        if self.default_text is not None:
            return self.default_text
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)

    def check_file_value(self, value: Any, where: str) -> Any:
        """``value`` as read from TOML, refused unless of this setting's type."""
        if self.type is bool:
            ok = isinstance(value, bool)
        elif self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ConfigError(
                f"{where}：设置 {self.key} 应为{self.type_name}，实际为 {value!r}"
                f"（{_toml_type(value)}）；请改正该值。"
            )
        return self._check_minimum(value, where)

    def parse_env(self, text: str) -> Any:
        """The value of the environment variable's text (a TOML-like value: str, int or bool)."""
        where = f"环境变量 {self.env}"
        if self.type is bool:
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ConfigError(f"{where}={text!r} 不是布尔值；请设为 1/true/yes 或 0/false/no。")
        if self.type is int:
            try:
                number = int(text.strip())
            except ValueError as exc:
                raise ConfigError(f"{where}={text!r} 不是整数；请设为整数（如 {self.default}）。") from exc
            return self._check_minimum(number, where)
        return text

    def _check_minimum(self, value: Any, where: str) -> Any:
        if self.minimum is not None and value < self.minimum:
            raise ConfigError(f"{where}：设置 {self.key} 至少为 {self.minimum}，实际为 {value}；请改正该值。")
        return value

    def typed(self, value: Any) -> Any:
        """The value as code uses it (a :class:`~pathlib.Path` for paths)."""
        if value is None:
            return None
        return Path(value) if self.type is Path else value


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, dict):
        return "表"
    if isinstance(value, list):
        return "数组"
    return type(value).__name__


def _sqlite_in(values: Mapping[str, Any]) -> str:
    return f"sqlite:///{(Path(values['data_dir']) / 'lantian.db').as_posix()}"


#: Every setting, in the order ``lantian settings`` and docs/settings.md list them.
REGISTRY: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        Path,
        "lantian-data",
        "数据目录：默认的数据存储、数据库、上传证据和网页密钥都在其中。",
        env="LANTIAN_HOME",
    ),
    Setting(
        "store",
        Path,
        lambda v: Path(v["data_dir"]) / "store",
        "Parquet 数据存储目录（lantian ingest 写入）。",
        env="LANTIAN_STORE",
        default_text="<data_dir>/store",
    ),
    Setting(
        "store_history_days",
        int,
        1096,
        "数据存储保留可按时间回看的历史的天数（默认 1096 天，即三年）：lantian data compact 删除此前被替换的"
        "数据文件，超过该天数前被更正或替换的值不能再按 as_of（当时所存）读出；提交记录（何时由哪一批写入）始终保留。",
        env="LANTIAN_STORE_HISTORY_DAYS",
        default_text="1096（三年）",
        minimum=1,
    ),
    Setting(
        "database_url",
        str,
        _sqlite_in,
        "督查数据库的 URL（sqlite:///… 或 postgresql+psycopg://…）。",
        env="LANTIAN_DATABASE_URL",
        default_text="sqlite:///<data_dir>/lantian.db",
    ),
    Setting(
        "rules_file",
        Path,
        None,
        "蓝天办督查规则 TOML 文件：按类别和严重程度的整改期限、逾期升级阶梯（格式见 lantian.workflow.rules）；"
        "命令行、网页、演示和报告都用它。",
        env="LANTIAN_RULES",
        default_text="内置规则（lantian.workflow.rules 的默认期限和阶梯）",
    ),
    Setting(
        "office",
        str,
        "蓝天办",
        "发文机关：报告的发文机关标志和署名（不含城市名时前加城市全称，如 株洲市蓝天办）；"
        "lantian report --office 可逐次改写。",
        env="LANTIAN_OFFICE",
    ),
    Setting(
        "report_font",
        Path,
        None,
        "报告图表和 PDF 所用的中文字体文件（.ttf/.otf/.ttc，须含汉字）；不设时由 fontconfig 查找 "
        "Noto Sans CJK SC（Debian/Ubuntu：apt-get install fonts-noto-cjk）。两者都没有时 lantian report "
        "报错退出，不会生成汉字显示为方框的图表。",
        env="LANTIAN_REPORT_FONT",
        default_text="无：由 fontconfig 查找 Noto Sans CJK SC",
    ),
    Setting(
        "outlook_probability_pct",
        int,
        70,
        "年终目标达成预测的“达标条件”所承诺的概率（%，1–99）：如“若此后重污染天数不超过 N 天，达标概率不低于 70%”；"
        "lantian outlook、网页、API 和报告都用它（方法见 docs/outlook.md）。",
        env="LANTIAN_OUTLOOK_PROBABILITY_PCT",
        minimum=1,
    ),
    Setting(
        "password_min_length",
        int,
        10,
        "用户密码的最少字符数（密码也不能与用户名相同）；lantian init、user add、user passwd 和网页修改密码都按此检查。",
        env="LANTIAN_PASSWORD_MIN_LENGTH",
        minimum=8,
    ),
    Setting(
        "max_columns",
        int,
        1_000,
        "导入时一张表最多的列数（国家平台发布文件约 30 列）；超过即整个文件不导入，以免耗尽内存。",
        env="LANTIAN_MAX_COLUMNS",
        section="ingest",
        minimum=10,
    ),
    Setting(
        "max_line_chars",
        int,
        100_000,
        "导入时一行最多的字符数（发布文件一行约 200 个字符）；超过的行进入隔离区，表头超过则整个文件不导入。",
        env="LANTIAN_MAX_LINE_CHARS",
        section="ingest",
        default_text="100000",
        minimum=1_000,
    ),
    Setting(
        "max_decompressed_mib",
        int,
        2 * 1024,
        "一个 gzip 文件解压后最多的大小（MiB）；超过即整个文件不导入（防“压缩炸弹”）。",
        env="LANTIAN_MAX_DECOMPRESSED_MIB",
        section="ingest",
        default_text="2048（2 GiB）",
        minimum=1,
    ),
    Setting(
        "max_gzip_ratio",
        int,
        200,
        "gzip 文件解压后超过 16 MiB 时允许的最大压缩比（监测 CSV 约 5–15 倍）；超过即整个文件不导入。",
        env="LANTIAN_MAX_GZIP_RATIO",
        section="ingest",
        minimum=10,
    ),
    Setting(
        "secret_key",
        str,
        None,
        "网页会话签名密钥，至少 32 个字符。",
        env="LANTIAN_SECRET_KEY",
        section="web",
        default_text="首次使用时生成，保存在 <data_dir>/web-secret.key（权限 0600）",
        secret=True,
    ),
    Setting(
        "https",
        bool,
        False,
        "网页经 HTTPS 提供时设为 true：会话 Cookie 加 Secure 标记。",
        env="LANTIAN_HTTPS",
        section="web",
    ),
    Setting(
        "max_upload_bytes",
        int,
        10 * 1024 * 1024,
        "上传证据文件的最大字节数。",
        env="LANTIAN_MAX_UPLOAD_BYTES",
        section="web",
        default_text="10485760（10 MiB）",
        minimum=1,
    ),
    Setting(
        "login_attempts",
        int,
        5,
        "同一 IP 和用户名在时间窗口内允许的登录失败次数，超过后返回 HTTP 429。",
        env="LANTIAN_LOGIN_ATTEMPTS",
        section="web",
        minimum=1,
    ),
    Setting(
        "login_window_seconds",
        int,
        15 * 60,
        "计算登录失败次数的时间窗口（秒）。",
        env="LANTIAN_LOGIN_WINDOW_SECONDS",
        section="web",
        default_text="900（15 分钟）",
        minimum=1,
    ),
    Setting(
        "session_max_age",
        int,
        8 * 3600,
        "网页会话的有效时长（秒）。",
        env="LANTIAN_SESSION_MAX_AGE",
        section="web",
        default_text="28800（8 小时）",
        minimum=1,
    ),
    Setting(
        "city",
        str,
        None,
        "本办所在城市（仪表盘的今日和本年面板、小时命令）。",
        env="LANTIAN_CITY",
        section="web",
        default_text="数据存储中最新时刻报告站点最多的城市",
    ),
    Setting(
        "group",
        str,
        None,
        "排名所用的城市组名称（groups_file 中的一个组）。",
        env="LANTIAN_GROUP",
        section="web",
        default_text="无：排名面板提示先配置",
    ),
    Setting(
        "groups_file",
        Path,
        None,
        "城市组 TOML 文件（[groups] 表：组名 = 城市列表）。",
        env="LANTIAN_GROUPS_FILE",
        section="web",
        default_text="无",
    ),
    Setting(
        "targets_file",
        Path,
        None,
        "年度目标 TOML 文件（[[targets]]，见 lantian.pipeline.assessment.read_targets）。",
        env="LANTIAN_TARGETS_FILE",
        section="web",
        default_text="无：目标面板提示先配置",
    ),
    Setting(
        "forecast_file",
        Path,
        None,
        "预报 CSV 文件（city,date,aqi），预警面板使用。",
        env="LANTIAN_FORECAST_FILE",
        section="web",
        default_text="无",
    ),
    Setting(
        "air_quality",
        Path,
        None,
        "区县空气质量考核结果 CSV（period,unit,composite_index,…），网页月考核和季考核的空气质量得分使用。",
        env="LANTIAN_AIR_QUALITY",
        section="web",
        default_text="无：只计工作得分",
    ),
    # -- lantian run: the office's schedule, inbox and notifications ----------------------------------
    Setting(
        "inbox",
        Path,
        lambda v: Path(v["data_dir"]) / "inbox",
        "lantian run 监视的收件目录：放入的发布文件写完（两次查看大小不变）后导入，移到 done/ 或 rejected/，"
        "旁边附导入报告（.report.json）。",
        env="LANTIAN_INBOX",
        section="run",
        default_text="<data_dir>/inbox",
    ),
    Setting(
        "inbox_seconds",
        int,
        30,
        "lantian run 查看收件目录、补做到期任务和发送通知的间隔（秒）。",
        env="LANTIAN_INBOX_SECONDS",
        section="run",
        minimum=1,
    ),
    Setting(
        "archive_dir",
        Path,
        lambda v: Path(v["data_dir"]) / "reports",
        "按时生成的报告（日报、周调度、月考核通报、季考核讲评）存放的目录。",
        env="LANTIAN_ARCHIVE_DIR",
        section="run",
        default_text="<data_dir>/reports",
    ),
    Setting(
        "actor",
        str,
        None,
        "lantian run 办理逾期升级和读取督查数据时使用的账号（须有 escalate 权限）。",
        env="LANTIAN_RUN_AS",
        section="run",
        default_text="最早建立的在用管理员",
    ),
    Setting(
        "escalate_at",
        str,
        "08:30",
        "每天逾期升级（提醒→通报→约谈→移交纪委监委）的时刻 HH:MM；off 为不做。",
        env="LANTIAN_ESCALATE_AT",
        section="run",
    ),
    Setting(
        "daily_at",
        str,
        "08:00",
        "每天生成前一日空气质量日报的时刻 HH:MM；off 为不做。",
        env="LANTIAN_DAILY_AT",
        section="run",
    ),
    Setting(
        "weekly_at",
        str,
        "mon 09:00",
        "每周生成上周周调度的星期和时刻（mon…sun HH:MM）；off 为不做。",
        env="LANTIAN_WEEKLY_AT",
        section="run",
    ),
    Setting(
        "monthly_at",
        str,
        "3 09:00",
        "每月生成上月月考核通报的日期和时刻（日 HH:MM，1–28）；off 为不做。",
        env="LANTIAN_MONTHLY_AT",
        section="run",
    ),
    Setting(
        "quarterly_at",
        str,
        "10 09:00",
        "每季度第一个月生成上季度季考核讲评的日期和时刻（日 HH:MM，1–28）；off 为不做。",
        env="LANTIAN_QUARTERLY_AT",
        section="run",
    ),
    Setting(
        "retry_seconds",
        int,
        300,
        "失败的任务再试前等待的秒数；通知发送失败后第 n 次重试等待 retry_seconds × 2^(n−1) 秒（最多 1 天）。",
        env="LANTIAN_RETRY_SECONDS",
        section="run",
        minimum=1,
    ),
    Setting(
        "notify_attempts",
        int,
        5,
        "一条通知最多发送的次数；都失败后记为死信（dead），不再发送。",
        env="LANTIAN_NOTIFY_ATTEMPTS",
        section="run",
        minimum=1,
    ),
    Setting(
        "webhook_url",
        str,
        None,
        "本办的通知机器人地址（企业微信/钉钉群机器人，JSON POST {msgtype: text}）；本办的每条通知都发到这里。",
        env="LANTIAN_WEBHOOK_URL",
        section="run",
        default_text="无：不发机器人消息",
        secret=True,
    ),
    Setting(
        "smtp",
        str,
        None,
        "发送通知邮件的 SMTP 服务器 HOST:PORT（连接方式见 run.smtp_security，登录见 run.smtp_user）。",
        env="LANTIAN_SMTP",
        section="run",
        default_text="无：不发邮件",
    ),
    Setting(
        "mail_from",
        str,
        "lantian@localhost",
        "通知邮件的发件人地址。",
        env="LANTIAN_MAIL_FROM",
        section="run",
    ),
    Setting(
        "mail_to",
        str,
        None,
        "本办接收通知邮件的地址，多个用逗号分隔。",
        env="LANTIAN_MAIL_TO",
        section="run",
        default_text="无：不发邮件",
    ),
    Setting(
        "smtp_security",
        str,
        "plain",
        "与 SMTP 服务器的连接方式：plain（明文，本机或内网中继）、starttls（连接后升级为 TLS，常用端口 587）"
        "或 ssl（直接 TLS，常用端口 465）；TLS 按系统信任的证书校验服务器。",
        env="LANTIAN_SMTP_SECURITY",
        section="run",
    ),
    Setting(
        "smtp_user",
        str,
        None,
        "登录 SMTP 服务器的用户名（密码不写在配置文件中，见 run.smtp_password_env）。",
        env="LANTIAN_SMTP_USER",
        section="run",
        default_text="无：不登录",
    ),
    Setting(
        "smtp_password_env",
        str,
        "LANTIAN_SMTP_PASSWORD",
        "存放 SMTP 登录密码的环境变量的名字（设置了 run.smtp_user 时，lantian run 从该环境变量读取密码）。",
        env="LANTIAN_SMTP_PASSWORD_ENV",
        section="run",
    ),
    Setting(
        "poll_url",
        str,
        None,
        "lantian run 定时获取最新小时发布文件的 HTTP(S) 地址；取到的新内容写入收件目录，与放入的文件一样导入。",
        env="LANTIAN_POLL_URL",
        section="run",
        default_text="无：不轮询",
        secret=True,
    ),
    Setting(
        "poll_seconds",
        int,
        300,
        "轮询 run.poll_url 的间隔（秒）。",
        env="LANTIAN_POLL_SECONDS",
        section="run",
        minimum=1,
    ),
    Setting(
        "poll_timeout",
        int,
        30,
        "轮询 run.poll_url 时等待服务器回答的最长秒数；超时记为一次失败。",
        env="LANTIAN_POLL_TIMEOUT",
        section="run",
        minimum=1,
    ),
)
SETTINGS: dict[str, Setting] = {s.name: s for s in REGISTRY}
#: The tables of lantian.toml.
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in REGISTRY if s.section))


@dataclass(frozen=True)
class Settings:
    """The settings in force. ``data_dir``, ``store`` and ``database_url`` are resolved; every other
    setting is read with :meth:`value` (where it came from: :meth:`source`)."""

    data_dir: Path
    store: Path
    database_url: str
    #: The configured values (from arguments, environment or file; defaults are not stored), laid out
    #: as in lantian.toml: top-level settings at the top, ``[web]`` settings under ``"web"``.
    extra: dict = field(default_factory=dict)
    #: Where each configured value came from (a key of :data:`SOURCES`); absent means the default.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: The configuration file read, if any.
    config_file: Path | None = None

    def value(self, name: str) -> Any:
        """The value of the setting ``name`` in force."""
        setting = _setting(name)
        if name in ("data_dir", "store", "database_url"):
            return getattr(self, name)
        table = self.extra.get(setting.section, {}) if setting.section else self.extra
        if name in (table or {}):
            return setting.typed(table[name])
        default = setting.default
        return setting.typed(default({"data_dir": self.data_dir}) if callable(default) else default)

    def source(self, name: str) -> str:
        """Where the value of ``name`` came from (a key of :data:`SOURCES`)."""
        _setting(name)
        return self.sources.get(name, "default")

    def with_values(self, source: str, values: Mapping[str, Any], keep_configured: bool = True) -> Settings:
        """These settings with ``values`` (by setting name) set from ``source``; with ``keep_configured``
        a setting already configured (not at its default) keeps its value."""
        if source not in SOURCES:
            raise ConfigError(f"未知的设置来源 {source!r}；来源为 {', '.join(SOURCES)}。")
        extra = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.extra.items()}
        sources = dict(self.sources)
        attributes: dict[str, Any] = {}
        for name, value in values.items():
            setting = _setting(name)
            if keep_configured and self.source(name) != "default":
                continue
            value = setting.check_file_value(
                str(value) if isinstance(value, Path) else value, SOURCES[source]
            )
            sources[name] = source
            if name in ("data_dir", "store", "database_url"):
                attributes[name] = setting.typed(value)
            table = extra.setdefault(setting.section, {}) if setting.section else extra
            table[name] = value
        return dataclasses.replace(self, extra=extra, sources=sources, **attributes)

    def rows(self) -> list[dict]:
        """Every setting with its value, source, default, environment variable and help (``lantian settings``)."""
        out = []
        for s in REGISTRY:
            value = self.value(s.name)
            if s.secret and value is not None:
                value = "***"
            out.append(
                {
                    "name": s.name,
                    "key": s.key,
                    "value": str(value) if isinstance(value, Path) else value,
                    "source": self.source(s.name),
                    "default": s.describe_default(),
                    "env": s.env,
                    "type": s.type_name,
                    "help": s.help,
                }
            )
        return out


def _setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise ConfigError(f"没有名为 {name!r} 的设置；设置有：{', '.join(SETTINGS)}。") from None


def config_path() -> Path | None:
    """The configuration file to read: ``$LANTIAN_CONFIG``, else ``./lantian.toml`` if it exists."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"环境变量 {CONFIG_ENV} 指向的配置文件 {path} 不存在；请改正路径或取消该变量。")
        return path
    path = Path(CONFIG_FILE)
    return path if path.is_file() else None


def read_toml(path: str | os.PathLike, what: str, error: type[Exception] = ConfigError) -> dict[str, Any]:
    """The content of a TOML file of lantian's (``what`` names it in messages: 规则文件, 目标文件 …); a
    missing or invalid file is refused with what to do."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise error(f"{what} {p} 不存在：请给出已有的 TOML 文件。") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"无法读取{what} {p}（{exc}）。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {p} 不是有效的 TOML（{exc}）；请改正该文件。") from exc


def read_file(path: Path) -> dict[str, Any]:
    """The settings of a lantian.toml, by setting name; unknown keys and wrong types are refused."""
    data = read_toml(path, "配置文件")
    where = str(path)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}：{key} 应为表 [{key}]，实际为 {value!r}；请写成 [{key}] 表。")
            for sub, item in value.items():
                setting = SETTINGS.get(sub)
                if setting is None or setting.section != key:
                    known = ", ".join(s.name for s in REGISTRY if s.section == key)
                    raise ConfigError(
                        f"{where}：未知设置 {key}.{sub}；[{key}] 表可设置：{known}"
                        "（全部设置见 lantian settings）。"
                    )
                out[sub] = setting.check_file_value(item, where)
            continue
        setting = SETTINGS.get(key)
        if setting is None or setting.section is not None:
            hint = f"它属于 [{setting.section}] 表" if setting is not None else "全部设置见 lantian settings"
            top = ", ".join(s.name for s in REGISTRY if s.section is None)
            raise ConfigError(
                f"{where}：未知设置 {key}（{hint}）；顶层可设置：{top}，表：{', '.join(SECTIONS)}。"
            )
        out[key] = setting.check_file_value(value, where)
    return out


def load(
    store: str | os.PathLike | None = None, database_url: str | None = None, **arguments: Any
) -> Settings:
    """Resolve every setting (order in the module docstring). Keyword arguments name settings of
    :data:`REGISTRY` (``None``: not given)."""
    given = {"store": store, "database_url": database_url, **arguments}
    for name in given:
        _setting(name)
    path = config_path()
    in_file = read_file(path) if path is not None else {}
    resolved: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in REGISTRY:
        env_text = os.environ.get(s.env) if s.env else None
        if given.get(s.name) is not None:
            value, source = given[s.name], "argument"
            value = str(value) if isinstance(value, os.PathLike) else value
            value = s.check_file_value(value, SOURCES[source])
        elif env_text:
            value, source = s.parse_env(env_text), "environment"
        elif s.name in in_file:
            value, source = in_file[s.name], "file"
        else:
            value, source = (s.default(resolved) if callable(s.default) else s.default), "default"
        resolved[s.name] = s.typed(value)
        if source != "default":
            sources[s.name] = source
            table = extra.setdefault(s.section, {}) if s.section else extra
            table[s.name] = value
    return Settings(
        data_dir=resolved["data_dir"],
        store=resolved["store"],
        database_url=resolved["database_url"],
        extra=extra,
        sources=sources,
        config_file=path,
    )
