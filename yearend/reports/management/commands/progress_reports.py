import sys
from pathlib import Path

from tqdm import tqdm

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.commands import ServiceCommand
from yearend.errors import InvalidInput
from yearend.organizations.selectors import organization_by_site_code, school_by_name
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import progress_students


class Command(ServiceCommand):
    help = "Print Student Progress reports (one PDF) for an organization, school, class or student."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--school", help="a school's name")
        parser.add_argument("--class", dest="class_id", type=int, help="a class id")
        parser.add_argument("--student", dest="student_id", type=int, help="a student id")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        school = school_by_name(organization, options["school"]) if options["school"] else None
        path = Path(options["output"])
        if not path.parent.exists():
            raise InvalidInput(f"Folder {path.parent} does not exist.", field="output")
        students = progress_students(
            organization=organization,
            school=school,
            class_id=options["class_id"],
            student_id=options["student_id"],
        )
        total = students.count()
        show = options["verbosity"] > 0
        with tqdm(total=total, unit="students", disable=not show, file=sys.stderr) as bar:
            pages = write_progress_reports(
                path,
                organization=organization,
                students=students,
                progress=lambda done: bar.update(done - bar.n),
            )
        audit_record(
            action=AuditAction.PROGRESS_REPORTS_WRITTEN,
            organization=organization,
            via=Via.COMMAND,
            details={"students": total, "pages": pages},
        )
        self.stdout.write(f"Wrote {pages} page(s) for {total} student(s) to {path}.")
