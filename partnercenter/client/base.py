"""What every call of the client shares: the transport, GET and POST, reading an answer."""

from collections.abc import Callable
from typing import Self
from urllib.parse import quote

from partnercenter.errors import PartnerCenterInvalidResponse
from partnercenter.transport import (
    CallBudget,
    CallRecord,
    PartnerCenterTransport,
    TokenKind,
    TokenProvider,
)


def path_segment(value: str) -> str:
    """One segment of a URL path, every reserved character quoted (ids come from answers)."""
    return quote(value, safe="")


class PartnerCenterClientBase:
    """The transport and the plumbing every call uses; a context manager that closes it."""

    def __init__(
        self,
        *,
        base_url: str,
        token_provider: TokenProvider,
        connect_timeout: float,
        read_timeout: float,
        ca_bundle: str = "",
        on_call: Callable[[CallRecord], None] | None = None,
        budget: CallBudget | None = None,
    ) -> None:
        self._transport = PartnerCenterTransport(
            base_url=base_url,
            token_provider=token_provider,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            ca_bundle=ca_bundle,
            on_call=on_call,
            budget=budget,
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _get(self, operation: str, path: str, *, token_kind=TokenKind.APP, params=None):
        return self._transport.request(
            operation=operation, method="GET", path=path, token_kind=token_kind, params=params
        ).body

    def _post(self, operation: str, path: str, *, request_id: str, body, token_kind=TokenKind.APP):
        return self._transport.request(
            operation=operation,
            method="POST",
            path=path,
            token_kind=token_kind,
            json_body=body,
            request_id=request_id,
        ).body

    @staticmethod
    def _parse(operation: str, parse, body, *, is_post: bool = False):
        """Read a 2xx body; a POST's unreadable answer leaves its outcome unknown."""
        try:
            return parse(body)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PartnerCenterInvalidResponse(
                f"{operation}: unexpected answer ({type(exc).__name__}: {exc})",
                outcome_unknown=is_post,
            ) from exc

    def _items(self, operation: str, parse, body) -> tuple:
        return self._parse(
            operation, lambda data: tuple(parse(item) for item in data["items"]), body
        )
