"""The one error type that services raise for a caller's mistake."""


class ApplicationError(Exception):
    """A request that cannot be carried out; `status` is the HTTP code an API answers with."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def as_dict(self) -> dict:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}
