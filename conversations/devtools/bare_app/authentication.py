from rest_framework import authentication, exceptions

from conversations.devtools.bare_app.models import ApiToken


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Token" or not ApiToken.objects.filter(token_hash=ApiToken.hash(token)).exists():
            raise exceptions.AuthenticationFailed()
        return (True, token)
