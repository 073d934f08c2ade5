"""The README's commands work pasted into a fresh shell: no activated virtualenv is assumed."""

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# Programs that exist only inside the virtualenv (or a Python on the PATH by chance).
PYTHON_PROGRAMS = {"python", "python3", "pip", "pytest", "celery", "manage.py", "gunicorn"}


def shell_commands(markdown: str) -> list[str]:
    """Every command line of the ```sh blocks, continuation lines joined, comments dropped."""
    commands = []
    for block in re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", markdown, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def runs_python_outside_the_virtualenv(command: str) -> bool:
    words = shlex.split(command.replace("[", "").replace("]", ""))
    if words[:2] == ["docker", "compose"]:
        return False  # runs inside the image, where the Python is on the PATH
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words = words[1:]  # DEBUG=1 and other variables for this command
    return (
        bool(words)
        and Path(words[0]).name in PYTHON_PROGRAMS
        and (not words[0].startswith(".venv/bin/"))
    )


def test_the_guard_catches_a_bare_python_command():
    assert runs_python_outside_the_virtualenv("python manage.py render_report province")
    assert runs_python_outside_the_virtualenv("DEBUG=1 celery -A kontum_poverty worker")
    assert not runs_python_outside_the_virtualenv("DEBUG=1 .venv/bin/python manage.py check")
    assert not runs_python_outside_the_virtualenv("make test")


def test_readme_shell_commands_run_through_the_virtualenv_or_make():
    commands = shell_commands(README.read_text())

    assert any("render_report" in command for command in commands)
    assert [c for c in commands if runs_python_outside_the_virtualenv(c)] == []


def test_readme_management_commands_run_in_development_settings():
    # Without DEBUG=1 the settings demand a SECRET_KEY, which a fresh shell does not have.
    commands = shell_commands(README.read_text())
    manage = [c for c in commands if ".venv/bin/python manage.py" in c]

    assert manage
    assert [c for c in manage if not c.startswith("DEBUG=1 ")] == []


def test_readme_inline_commands_run_through_the_virtualenv():
    spans = re.findall(r"`([^`\n]+)`", README.read_text())
    commands = [s for s in spans if re.match(r"(\w+=\S+ )*(python3?|manage\.py|celery) ", s)]

    assert commands == []
