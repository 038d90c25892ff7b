"""Errors of the purchase wizard: a stable ``code`` and a message for the user."""

from storefront.errors import UserFacingError


class PurchaseError(UserFacingError):
    code = "purchase_error"


class PurchaseNotReadyError(PurchaseError):
    """The cart cannot go through the wizard (empty, terms not accepted, already ordered)."""

    code = "purchase_not_ready"


class PurchaseIncompleteError(PurchaseError):
    """A step of the wizard still lacks valid data; ``step`` is the one to complete."""

    code = "purchase_incomplete"

    def __init__(self, message=None, *, step: str) -> None:
        super().__init__(message)
        self.step = step
