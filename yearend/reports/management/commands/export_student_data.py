import sys
from pathlib import Path

from tqdm import tqdm

from yearend.commands import ServiceCommand
from yearend.errors import InvalidInput
from yearend.organizations.selectors import organization_by_site_code, school_by_name
from yearend.reports.selectors import export_students
from yearend.reports.services import export_write


class Command(ServiceCommand):
    help = (
        "Write the Student Data Export of an organization (or one school) to a file for it; "
        "recorded as delivered, as a download from the portal is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--school", help="a school's name; default: every school")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument(
            "--max-rows", type=int, default=None, help="rows per sheet (default Excel's limit)"
        )

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        school = school_by_name(organization, options["school"]) if options["school"] else None
        path = Path(options["output"])
        if not path.parent.exists():
            raise InvalidInput(f"Folder {path.parent} does not exist.", field="output")
        total = export_students(organization, school=school).count()
        show = options["verbosity"] > 0
        with tqdm(total=total, unit="students", disable=not show, file=sys.stderr) as bar:

            def progress(done: int) -> None:
                bar.update(done - bar.n)

            job = export_write(
                path,
                organization=organization,
                school=school,
                fmt=options["format"],
                max_rows=options["max_rows"],
                progress=progress,
            )
        self.stdout.write(f"Wrote {job.rows_total} student(s) to {path}.")
