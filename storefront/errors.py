"""The base of the errors a user reads: a stable ``code`` and a translated message.

Views show ``message`` (Italian, English through gettext) with the next step; logs keep the cause
(chained as ``__cause__``). Each app derives its own.
"""

from django.utils.translation import gettext_lazy as _


class UserFacingError(Exception):
    code = "error"
    default_message = _("Operazione non riuscita.")

    def __init__(self, message=None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.message))
