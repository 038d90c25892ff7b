"""Refusals of the cart and the checkout that the reseller can act on."""


class CartError(Exception):
    """A domain refusal: a stable ``code`` for code and tests, a translated message for people.

    Views turn it into a form error or a message; it never reaches the user as a 500.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
