"""Writes a validated program plan to the database: upsert by slug and week number, never delete.

Rows are matched by their natural keys (program slug, course slug, (program, week number),
(course, lesson slug), (bucket, key)); a value is only assigned when it differs, so importing
the same plan twice sends no UPDATE and leaves ``updated_at`` alone.

Modules: ``load`` reads what exists, ``diff`` computes (purely) what each row should hold,
``apply`` writes one kind of row per phase, ``run`` sequences the phases in a transaction and
``report`` says what changed.
"""

from edxelera_gql.catalog.importer.report import KINDS, ImportReport
from edxelera_gql.catalog.importer.run import import_plans, import_program, import_program_text

__all__ = ["KINDS", "ImportReport", "import_plans", "import_program", "import_program_text"]
