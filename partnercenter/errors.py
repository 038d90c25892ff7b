"""The errors of the Partner Center client: callers never see a ``requests`` exception.

    PartnerCenterError
    ├── PartnerCenterUnavailable        connection failed, timeout, connection dropped, 5xx
    │   └── PartnerCenterOutcomeUnknown the request may have been executed (see below)
    ├── PartnerCenterRateLimited        429, with the Retry-After seconds
    ├── PartnerCenterBudgetExhausted    our own interactive budget is spent: nothing was sent
    ├── PartnerCenterUnauthorized       401, 403 access denied, or no token could be obtained
    ├── PartnerCenterNotFound           404 (order 404 code 20000 while a new order settles)
    ├── PartnerCenterBusinessError      other 4xx (400, 409): Partner Center's code, description
    └── PartnerCenterInvalidResponse    a 2xx whose body is not what the call documents
        └── PartnerCenterNoCustomerAgreementTemplate  no Microsoft Customer Agreement template

Partner Center also answers 403 for business refusals (20002 no commerce relationship, 800088
seat cap, 13605 MCA missing): those carry a code and are PartnerCenterBusinessError.

``outcome_unknown`` is the one fact provisioning needs to retry safely: True when a POST was sent
and no usable answer came back (read timeout, connection dropped, 500/502/504, an unreadable 2xx).
Only then is the same MS-RequestId reused; after any other error the request was definitely not
executed, and a retry gets a new MS-RequestId.
"""


class PartnerCenterError(Exception):
    """Base of every error of the client."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        ms_request_id: str = "",
        ms_correlation_id: str = "",
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.ms_request_id = ms_request_id
        self.ms_correlation_id = ms_correlation_id
        self.outcome_unknown = outcome_unknown

    @property
    def error_code(self) -> str:
        """Partner Center's error code when the answer carried one (for the call log)."""
        return ""


class PartnerCenterUnavailable(PartnerCenterError):
    """Partner Center could not be reached or answered 5xx; retry later."""


class PartnerCenterOutcomeUnknown(PartnerCenterUnavailable):
    """The request was sent but no answer came back: it may or may not have been executed."""

    def __init__(self, message: str, **kwargs) -> None:
        kwargs["outcome_unknown"] = True
        super().__init__(message, **kwargs)


class PartnerCenterRateLimited(PartnerCenterError):
    """429: retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class PartnerCenterBudgetExhausted(PartnerCenterError):
    """The client's budget of calls refused this one before sending it: retry after
    ``retry_after`` seconds. Interactive clients (pages waiting for an answer) have a budget per
    minute so that they never use up Partner Center's throttling share that provisioning needs."""

    def __init__(self, message: str, *, retry_after: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class _CodedError(PartnerCenterError):
    """An answer whose body may carry Partner Center's {"code", "description", ...}.

    Newer answers add ``errorName`` (a stable name for the code), ``isRetryable`` and
    ``parameters`` (the values quoted in the description); older ones have only code and
    description. ``is_retryable`` is None when the answer did not say.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        description: str = "",
        error_name: str = "",
        is_retryable: bool | None = None,
        parameters: dict | None = None,
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.code = code
        self.description = description
        self.error_name = error_name
        self.is_retryable = is_retryable
        self.parameters = parameters or {}

    @property
    def error_code(self) -> str:
        return self.code


class PartnerCenterUnauthorized(_CodedError):
    """401/403 from the API, or the identity platform refused our credentials."""


class PartnerCenterNotFound(_CodedError):
    """404; ``code`` is "20000" for an order Partner Center does not show yet."""


class PartnerCenterBusinessError(_CodedError):
    """Partner Center refused the request for a business reason (``code``, ``description``)."""

    def __init__(
        self,
        message: str,
        *,
        data: tuple = (),
        source: str = "",
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.data = data
        self.source = source


class PartnerCenterInvalidResponse(PartnerCenterError):
    """A successful status with a body that cannot be read as the documented resource."""


class PartnerCenterNoCustomerAgreementTemplate(PartnerCenterInvalidResponse):
    """The agreement templates answered hold no Microsoft Customer Agreement.

    Accepting another agreement (the legacy Microsoft Cloud Agreement) in its place would record
    a consent the customer never gave, so the client refuses instead of taking the first item.
    """

    def __init__(self, message: str, *, agreement_types_found: tuple[str, ...], **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.agreement_types_found = agreement_types_found
