"""`tracker import-status REF FILE`: the UN's status table recorded from the command line."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories, un_status
from tracker.models import StageEvent


def _claims(session, agreement_id):  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count()).select_from(StageEvent).where(StageEvent.agreement_id == agreement_id)
    )


def test_import_status_reports_and_is_idempotent(runner, session, tmp_path):
    agreement = factories.agreement(session, ref="UN-CLI-1")
    path = tmp_path / "status.tsv"
    path.write_text(un_status.table(), encoding="utf-8")
    result = runner.invoke(args=["tracker", "import-status", "UN-CLI-1", str(path)])
    assert result.exit_code == 0, result.output
    participants = len(un_status.readable())
    assert (
        f"Recorded {un_status.claim_count()} claims for {participants} participants"
        in result.stdout
    )
    assert "Not read: line 20: ‘Atlantis’ is not a participant we know" in result.stderr
    assert _claims(session, agreement.id) == un_status.claim_count()

    again = runner.invoke(
        args=["tracker", "import-status", str(agreement.id), "-"], input=path.read_text()
    )
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Recorded 0 claims for 0 participants; 5 rows not read")
    assert _claims(session, agreement.id) == un_status.claim_count()


def test_import_status_refusals(runner, session, tmp_path):
    factories.agreement(session, ref="UN-CLI-2")
    unknown = runner.invoke(args=["tracker", "import-status", "NO-SUCH", "-"], input="x\n")
    assert unknown.exit_code == 1 and "no agreement has the ref NO-SUCH" in unknown.stderr
    unreadable = runner.invoke(
        args=["tracker", "import-status", "UN-CLI-2", "-"],
        input="Participant\tSignature\tRatification\nAtlantis\t1 Jan 2020\t\n",
    )
    assert unreadable.exit_code == 1
    assert "Error: text: no row could be read (line 2: ‘Atlantis’" in unreadable.stderr


def test_import_status_help(runner):
    result = runner.invoke(args=["tracker", "import-status", "--help"])
    assert result.exit_code == 0
    words = " ".join(result.output.split())
    assert "Participant | Signature" in words and "Dates like 20 Sep 2023" in words
