"""What the WeChat endpoint checks before it believes a request: the SHA-1 signatures (compared in
constant time), the timestamp's freshness, and XML that is small, well-formed and free of DTDs.
Also the AES envelope of safe mode, decrypted only after our own signature check (wechatpy
compares msg_signature with a plain ``!=``)."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Mapping, Optional

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

# A DTD is how entity expansion ("billion laughs") and external entities get in; WeChat never
# sends one, so any sign of it ends the request before a parser sees it.
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)


class BadRequest(ValueError):
    """Malformed input: answer 400 and process nothing."""


class Forbidden(ValueError):
    """Not provably from WeChat (signature, timestamp, AppID): answer 403, process nothing."""


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(expected_parts: tuple[str, ...], given: Optional[str]) -> None:
    if not given or not hmac.compare_digest(signature(*expected_parts).encode(),
                                            given.strip().lower().encode()):
        raise Forbidden("bad signature")


def check_timestamp(timestamp: Optional[str], now: float, max_skew: float) -> None:
    try:
        sent = int(timestamp or "")
    except ValueError:
        raise Forbidden("missing or invalid timestamp") from None
    if abs(now - sent) > max_skew:
        raise Forbidden("stale timestamp")


def check_query(query: Mapping[str, str], token: str, now: float, max_skew: float) -> None:
    """The signature every request carries in its URL, over token, timestamp and nonce."""
    check_signature((token, query.get("timestamp") or "", query.get("nonce") or ""),
                    query.get("signature"))
    check_timestamp(query.get("timestamp"), now, max_skew)


def parse_xml(body: bytes) -> dict[str, Any]:
    """The fields under <xml>; BadRequest for anything else (DTDs included)."""
    try:
        text = body.decode("utf-8")  # WeChat sends UTF-8; another encoding could hide a DTD
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    if _DTD.search(text):
        raise BadRequest("XML with a DTD or entity declarations is not accepted")
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except Exception as error:  # ExpatError, ValueError ("entities are disabled"), …
        raise BadRequest(f"malformed XML: {type(error).__name__}") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise BadRequest("the XML root must be <xml> with child elements")
    return root


class AesEnvelope:
    """Safe-mode encryption (AES-256-CBC, key from EncodingAESKey, AppID inside the payload)."""

    def __init__(self, token: str, aes_key: bytes, encoding_aes_key: str, app_id: str) -> None:
        self.token, self.app_id = token, app_id
        self._prp = PrpCrypto(aes_key)
        self._crypto = WeChatCrypto(token, encoding_aes_key, app_id)

    def open(self, encrypted: str, query: Mapping[str, str]) -> bytes:
        """The inner XML of an <Encrypt> element, after checking msg_signature."""
        check_signature((self.token, query.get("timestamp") or "", query.get("nonce") or "",
                         encrypted), query.get("msg_signature"))
        try:
            plain = self._prp.decrypt(encrypted, self.app_id)
        except InvalidAppIdException:
            raise Forbidden("message for another AppID") from None
        except Exception as error:  # bad Base64, padding or length: not a WeChat envelope
            raise BadRequest(f"cannot decrypt: {type(error).__name__}") from None
        return plain if isinstance(plain, bytes) else plain.encode("utf-8")

    def seal(self, reply_xml: str, nonce: str, timestamp: str) -> str:
        return self._crypto.encrypt_message(reply_xml, nonce, timestamp)
