"""A wrong setting stops start-up with one line naming the variable, not a traceback."""


import pytest

from bot import cli
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.runtime import Runtime
from handlers import EXTENSIONS
from handlers.after_sales.settings import AfterSalesSettings, ErpSettings
from handlers.referral.settings import ReferralSettings
from tests.fakes.bot_app import make_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WECHAT_AES_KEY", "too-short"),
        ("BOT_PORT", "eighty"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "localhost:6379"),
        ("WECHAT_API_BASE", "api.weixin.qq.com"),
        ("SHOP_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_bad_value_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"^invalid setting {variable}: "):
        load_settings(_env_file=None)


def test_defaults_are_the_embedded_setup(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "BOT_HOST", "BOT_PORT", "WECHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite://") and settings.database_url.endswith("data/bot.sqlite3")
    assert settings.redis_url is None
    assert (settings.bot_host, settings.bot_port) == ("127.0.0.1", 8080)
    assert not settings.wechat_enabled


def test_cli_prints_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_PORT", "eighty")
    assert cli.main(["lint-scripts"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: invalid setting BOT_PORT: Input should be a valid integer, unable to parse string as an integer"
    ]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "http://127.0.0.1:8080"),
        ({"BOT_PORT": "9001"}, "http://127.0.0.1:9001"),
        ({"BOT_HOST": "0.0.0.0", "BOT_PORT": "9002"}, "http://127.0.0.1:9002"),
        ({"BOT_HOST": "::1"}, "http://[::1]:8080"),
        ({"BOT_PORT": "9003", "PUBLIC_BASE_URL": "https://shop.example.cn/"}, "https://shop.example.cn"),
    ],
)
def test_public_base_url_follows_where_the_bot_serves(monkeypatch, environment, expected):
    for name in ("BOT_HOST", "BOT_PORT", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_settings(_env_file=None).public_base_url == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AFTER_SALES_RETRY_TIMES", "0"),
        ("AFTER_SALES_HUMAN_KINDS", '["rights", "everything"]'),
        ("ERP_URL", "erp.example.cn"),
        ("REFERRAL_BOARD_NAMES", "nicknames"),
        ("REFERRAL_SECRET", "short"),
        ("COMPLAINTS_JUDGE_H", "-1"),
        ("CALLBACKS_REST_HOURS", "21:00-21:00"),
        ("ARCHIVE_CLASS_WEIGHTS", '{"luck": 1}'),
        ("REPORTS_MONTHLY_DUE_DAY", "40"),
        ("RETENTION_MESSAGE_DAYS", "-1"),
    ],
)
def test_a_bad_area_setting_stops_the_command_with_one_line(tmp_path, monkeypatch, capsys, variable, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    assert cli.main(["lint-scripts"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: invalid setting {variable}: ")


def test_area_settings_read_the_variables_deployments_already_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, value in {"AFTER_SALES_RETRY_TIMES": "7", "AFTER_SALES_HUMAN_KINDS": '["rights", "damaged"]',
                        "ERP_URL": "https://erp.example.cn/", "ERP_RETRIES": "3",
                        "REFERRAL_BOARD_SIZE": "12", "REFERRAL_PUSH_TEMPLATE_ID": "TPL-1"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    after_sales, erp, referral = (settings.area(cls) for cls in (AfterSalesSettings, ErpSettings, ReferralSettings))
    assert (after_sales.retry_times, after_sales.human_kinds) == (7, ["rights", "damaged"])
    assert (erp.url, erp.retries) == ("https://erp.example.cn", 3)
    assert (referral.board_size, referral.push_template_id) == (12, "TPL-1")
    assert settings.area(ErpSettings) is erp  # read once


async def test_the_runtime_refuses_a_bad_area_setting_before_opening_anything(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ERP_TIMEOUT_S", "-1")
    # as `serve` builds them: the areas' settings are left for the runtime to read
    settings = Settings(_env_file=None, database_url="postgres://nobody.invalid/shop")  # never reached
    with pytest.raises(ConfigError, match=r"^invalid setting ERP_TIMEOUT_S: "):
        await Runtime.open(settings, EXTENSIONS, background=False)


def test_test_settings_ignore_the_working_directorys_env_file_for_the_areas_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ERP_URL=http://leak.invalid\nWECHAT_TOKEN=leaktoken\n")
    settings = make_settings(tmp_path)
    assert settings.wechat_token is None and settings.area(ErpSettings).url is None
