"""A wrong setting stops start-up with one line naming the variable, not a traceback."""


import pytest

from bot import cli
from bot.config import load_settings
from bot.errors import ConfigError


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
