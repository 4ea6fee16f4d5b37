"""`UnitDirectory`: the one place that turns a written unit name into a Department.

By the department's name or by one of its aliases (tasks.DepartmentAlias, reached through
the `aliases` relation so this app imports nothing above it). The plan importer, the admin
resources, load_plan and the user import all go through here, so a spelling accepted in
one place is accepted everywhere.
"""

from departments.models import Department
from huancui_vet.text import compact


class UnitDirectory:
    """Every known spelling (department name or alias, whitespace removed) → Department.

    `load()` runs two queries however many rows are imported.
    """

    def __init__(self, departments=(), aliases=()):
        self._by_name: dict[str, Department] = {}
        for dept in departments:
            self.add(dept)
        for alias, dept in aliases:
            self._by_name.setdefault(compact(alias), dept)

    @classmethod
    def load(cls, **extra):
        """The directory from the database; `extra` goes to a subclass's constructor."""
        departments = list(Department.objects.all())
        by_pk = {d.pk: d for d in departments}
        aliases = [
            (alias, by_pk[dept_id])
            for alias, dept_id in Department.objects.filter(aliases__isnull=False).values_list(
                "aliases__alias", "pk"
            )
        ]
        return cls(departments, aliases, **extra)

    def add(self, department):
        self._by_name[compact(department.name)] = department

    def add_spelling(self, name, department):
        self._by_name[compact(name)] = department

    def get(self, name):
        # Most names arrive compacted already (split_units); keys never hold whitespace.
        found = self._by_name.get(name)
        return found if found is not None else self._by_name.get(compact(name))

    def __contains__(self, name):
        return name in self._by_name or compact(name) in self._by_name
