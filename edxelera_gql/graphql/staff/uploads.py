"""requestVideoUpload and confirmVideoUpload."""

from __future__ import annotations

import strawberry


@strawberry.type
class UploadMutation:
    pass
