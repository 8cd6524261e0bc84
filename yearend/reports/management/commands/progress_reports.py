import sys
from pathlib import Path

from tqdm import tqdm

from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.errors import InvalidInput
from yearend.organizations.selectors import organization_by_site_code, school_by_name
from yearend.reports.selectors import progress_students
from yearend.reports.services import progress_reports_print


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
        selection = {
            key: value
            for key, value in (
                ("school", school.pk if school else None),
                ("class", options["class_id"]),
                ("student", options["student_id"]),
            )
            if value is not None
        }
        with tqdm(total=total, unit="students", disable=not show, file=sys.stderr) as bar:
            pages = progress_reports_print(
                path,
                organization=organization,
                students=students,
                via=Via.COMMAND,
                selection=selection,
                progress=lambda done: bar.update(done - bar.n),
            )
        self.stdout.write(f"Wrote {pages} page(s) for {total} student(s) to {path}.")
