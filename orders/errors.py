"""Refusals of order services: a stable ``code`` for code and tests, a message for people."""


class OrderError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class OrderPlacementError(OrderError):
    """The order cannot be placed from this cart; nothing was written."""


class OrderTransitionError(OrderError):
    """The order's state machine does not allow this change from the state it is in now."""

    def __init__(self, code: str, message: str, *, from_status: str = "", to_status: str = ""):
        super().__init__(code, message)
        self.from_status = from_status
        self.to_status = to_status
