import pytest
from django.core.management import CommandError, call_command

from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return kon_tum_communes()


def write(tmp_path, rows) -> str:
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(simple_file(rows))
    return str(path)


def test_the_command_imports_a_file_and_prints_a_summary(tmp_path, communes, capsys):
    path = write(tmp_path, [template_row("23287", "", total_households=40)])
    call_command("import_commune_stats", path, "--year", "2019")
    out = capsys.readouterr().out
    assert "new 1" in out
    assert CommuneStatistics.objects.get().total_households == 40
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.uploaded_by) == (ImportState.APPLIED, None)


def test_a_dry_run_writes_nothing(tmp_path, communes, capsys):
    path = write(tmp_path, [template_row("23287", "", total_households=40)])
    call_command("import_commune_stats", path, "--year", "2019", "--dry-run")
    assert "new 1" in capsys.readouterr().out
    assert not CommuneStatistics.objects.exists()
    assert not ImportBatch.objects.exists()


def test_errors_are_printed_with_row_numbers_and_fail_the_command(tmp_path, communes, capsys):
    path = write(
        tmp_path,
        [
            template_row("23287", "", total_households=40),
            template_row("77777", "", total_households=1),
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_commune_stats", path, "--year", "2019")
    out = capsys.readouterr().out
    assert "ERROR row 3, column A" in out
    assert not CommuneStatistics.objects.exists()


def test_a_refused_file_fails_the_command(tmp_path, communes):
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(b"Ma xa,Tong so ho\n23287,1\n")
    with pytest.raises(CommandError, match="Refused"):
        call_command("import_commune_stats", str(path), "--year", "2019", "--dry-run")
    with pytest.raises(CommandError, match="Refused"):
        call_command("import_commune_stats", str(path), "--year", "2019")
    assert not ImportBatch.objects.exists()
