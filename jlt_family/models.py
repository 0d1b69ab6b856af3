"""Imports every domain's models, so the metadata (and Alembic autogenerate) sees every table."""

import jlt_family.alliances.models  # noqa: F401
import jlt_family.auth.models  # noqa: F401
import jlt_family.core.models  # noqa: F401
import jlt_family.courses.meetings  # noqa: F401
import jlt_family.courses.models  # noqa: F401
import jlt_family.dashboard.models  # noqa: F401
import jlt_family.families.models  # noqa: F401
import jlt_family.matching.models  # noqa: F401
import jlt_family.organizations.models  # noqa: F401
import jlt_family.organizations.placements  # noqa: F401
import jlt_family.organizations.students  # noqa: F401
import jlt_family.reminders.models  # noqa: F401
import jlt_family.venues.models  # noqa: F401
import jlt_family.visits.models  # noqa: F401
import jlt_family.wechat.models  # noqa: F401
