"""`gongkai agent add` / `gongkai agent list` on a temporary database."""
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from bot.desk.accounts import AccountStore, LoginStatus

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def gongkai(database_url, *args, stdin=""):
    env = {**os.environ, "GONGKAI_DATABASE_URL": database_url}
    return subprocess.run([GONGKAI, "agent", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_an_agent_created_on_the_command_line_can_log_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    made = gongkai(url, "add", "zhao", "--display-name", "赵敏", "--password-stdin",
                   stdin="a long enough passphrase\n")
    assert made.returncode == 0, made.stderr
    assert "已创建坐席账号 zhao（赵敏）" in made.stdout
    result = AccountStore.from_url(url).login("zhao", "a long enough passphrase", "127.0.0.1",
                                              dt.datetime.now(dt.timezone.utc))
    assert result.status is LoginStatus.OK
    listed = gongkai(url, "list")
    assert listed.returncode == 0 and "zhao\t赵敏\t坐席\t启用" in listed.stdout


def test_a_staff_account_is_made_with_the_staff_flag(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    made = gongkai(url, "add", "sun", "--display-name", "孙丽", "--staff", "--password-stdin",
                   stdin="a long enough passphrase\n")
    assert made.returncode == 0, made.stderr
    assert "已创建知识库维护人员账号 sun（孙丽）" in made.stdout
    [account] = AccountStore.from_url(url).agents()
    assert account.role == "staff" and account.is_staff
    assert "sun\t孙丽\t知识库维护\t启用" in gongkai(url, "list").stdout


def test_refusals_say_why_and_create_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    weak = gongkai(url, "add", "zhao", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "至少需要10个字符" in weak.stderr
    assert gongkai(url, "add", "zhao", "--password-stdin", stdin="a long enough passphrase\n").returncode == 0
    again = gongkai(url, "add", "ZHAO", "--password-stdin", stdin="another long passphrase\n")
    assert again.returncode == 1 and "已存在" in again.stderr
    assert [a.username for a in AccountStore.from_url(url).agents()] == ["zhao"]
